/**
 * Search words for unit tags (src/lib/search-words.ts): the examples, and how many of the
 * twenty reader queries (tests/search-queries.ts) a unit with one of the query's tags can be found
 * by at all — through the tag itself or its search words. The real figure (relevant unit in the top
 * 5 on a built site) is measured by pipeline/bench/search-queries.ts.
 */
import { describe, expect, it } from 'vitest';
import { searchWords } from '../src/lib/search-words.ts';
import { READER_QUERIES } from './search-queries.ts';

const findable = (query: string, tag: string) => {
  const words = [tag, ...searchWords([tag])].flatMap((w) => [w, ...w.split(/\s+/)]).map((w) => w.toLowerCase());
  return query.toLowerCase().split(/\s+/).every((q) => words.includes(q));
};

describe('search words', () => {
  it('gives plain words for tags, word by word, never the tag itself', () => {
    expect(searchWords(['dog'])).toEqual(expect.arrayContaining(['dogs', 'canine', 'puppy']));
    expect(searchWords(['vertical stripes'])).toEqual(expect.arrayContaining(['striped', 'lines', 'upright']));
    expect(searchWords(['dog', 'dogs'])).not.toContain('dogs');
    expect(searchWords(['no such tag'])).toEqual([]);
  });

  it('lets at least 16 of the 20 reader queries reach a unit carrying one of their tags', () => {
    expect(READER_QUERIES).toHaveLength(20);
    const missed = READER_QUERIES.filter((q) => !q.tags.some((t) => findable(q.query, t))).map((q) => q.query);
    expect(missed.length, `unreachable: ${missed.join(', ')}`).toBeLessThanOrEqual(4);
  });
});
