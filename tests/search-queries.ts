/**
 * Twenty things a reader types when looking for a filter "by what it detects", each with the kind
 * of page that should come first and the unit tags that make a unit hit relevant (a unit counts
 * when one of its tags is one of these). `npx tsx pipeline/bench/search-queries.ts --out DIR`
 * runs them against a built site and reports how many return a relevant unit in the top 5.
 */
export interface ReaderQuery {
  query: string;
  /** The kind of page a reader expects first. */
  first: 'unit' | 'class' | 'image';
  /** Unit tags that answer the query. */
  tags: string[];
}

const DOG = ['dog', 'canine', 'terrier', 'retriever', 'spaniel', 'hound'];
const VEHICLE = ['car', 'truck', 'bus', 'train', 'bicycle', 'sports car', 'racer', 'car wheel', 'tricycle', 'unicycle'];
const TEXT = ['text', 'book jacket', 'comic book', 'web site', 'menu', 'crossword puzzle', 'street sign', 'scoreboard', 'envelope', 'packet', 'digital clock'];
const STRIPES = ['horizontal stripes', 'vertical stripes', 'diagonal stripes'];

export const READER_QUERIES: ReaderQuery[] = [
  { query: 'dog faces', first: 'unit', tags: DOG },
  { query: 'dog', first: 'unit', tags: DOG },
  { query: 'puppy', first: 'unit', tags: DOG },
  { query: 'cat', first: 'unit', tags: ['cat', 'big cat'] },
  { query: 'fur', first: 'unit', tags: ['mammal', 'dog', 'canine', 'cat', 'bear', 'high-frequency texture'] },
  { query: 'birds', first: 'unit', tags: ['bird'] },
  { query: 'feathers', first: 'unit', tags: ['bird'] },
  { query: 'fish', first: 'unit', tags: ['fish', 'shark'] },
  { query: 'insects', first: 'unit', tags: ['insect', 'beetle', 'butterfly'] },
  { query: 'snake', first: 'unit', tags: ['snake'] },
  { query: 'wheels', first: 'unit', tags: VEHICLE },
  { query: 'cars', first: 'unit', tags: VEHICLE },
  { query: 'text', first: 'unit', tags: TEXT },
  { query: 'eyes', first: 'unit', tags: ['animal', 'mammal', 'bird', 'dog', 'cat'] },
  { query: 'stripes', first: 'unit', tags: STRIPES },
  { query: 'striped', first: 'unit', tags: STRIPES },
  { query: 'checkerboard', first: 'unit', tags: ['checkerboard', 'grid'] },
  { query: 'curves', first: 'unit', tags: ['curves'] },
  { query: 'blue', first: 'unit', tags: ['blue'] },
  { query: 'flowers', first: 'unit', tags: ['flower', 'plant'] },
];
