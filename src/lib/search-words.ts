/**
 * Plain words a reader might type for a unit's tags, so that search finds the tag's word: "canine"
 * or "puppy" finds units tagged "dog", "striped" finds "vertical stripes". These are only search
 * words for tags the unit already has (the tags carry the evidence); they state no finding.
 * Tags are matched word by word, so "vertical stripes" gets the words of "vertical" and "stripes".
 */
const WORDS: Record<string, string[]> = {
  // patterns (pipeline/tags/orientation.ts)
  stripes: ['stripe', 'striped', 'lines', 'bands', 'bars'],
  edge: ['edges', 'boundary', 'contour', 'line'],
  horizontal: ['flat', 'level'],
  vertical: ['upright'],
  diagonal: ['slanted', 'oblique'],
  grid: ['mesh', 'lattice', 'net', 'crosshatch'],
  checkerboard: ['checks', 'checked', 'chequered', 'checkered', 'squares'],
  'high-frequency': ['fine', 'detailed'],
  texture: ['textured', 'fur', 'grain', 'fabric'],
  'low-frequency': ['smooth', 'coarse'],
  blob: ['blobs', 'spot', 'spots', 'round', 'dot'],
  curves: ['curve', 'curved', 'circles', 'arcs', 'round'],
  // colours (pipeline/tags/color-names.ts)
  red: ['reddish', 'crimson', 'scarlet'],
  orange: ['amber', 'tangerine'],
  yellow: ['golden', 'lemon'],
  green: ['greenish', 'foliage', 'leaves', 'grass'],
  blue: ['bluish', 'sky', 'azure', 'navy'],
  purple: ['violet', 'lilac', 'magenta'],
  pink: ['rose', 'pinkish'],
  brown: ['tan', 'beige', 'wooden', 'wood'],
  black: ['dark'],
  white: ['bright', 'light'],
  grey: ['gray', 'silver'],
  // groups (pipeline/tags/imagenet-groups.ts)
  animal: ['animals', 'creature', 'wildlife'],
  fish: ['fishes', 'scales', 'fins'],
  shark: ['sharks'],
  bird: ['birds', 'feathers', 'beak', 'wings', 'plumage'],
  amphibian: ['amphibians'],
  frog: ['frogs', 'toad'],
  reptile: ['reptiles', 'scales'],
  turtle: ['turtles', 'tortoise', 'shell'],
  lizard: ['lizards', 'gecko', 'iguana'],
  snake: ['snakes', 'serpent'],
  spider: ['spiders', 'arachnid'],
  insect: ['insects', 'bug', 'bugs'],
  beetle: ['beetles', 'bug'],
  butterfly: ['butterflies', 'moth', 'wings'],
  crustacean: ['crustaceans', 'shellfish'],
  crab: ['crabs', 'claws'],
  mollusc: ['molluscs', 'mollusk', 'snail', 'shell'],
  mammal: ['mammals', 'fur', 'furry'],
  dog: ['dogs', 'canine', 'puppy', 'puppies', 'doggy', 'hound', 'fur', 'snout', 'dog faces', 'eyes'],
  terrier: ['terriers', 'dog', 'dogs'],
  retriever: ['retrievers', 'dog', 'dogs'],
  spaniel: ['spaniels', 'dog', 'dogs'],
  hound: ['hounds', 'dog', 'dogs'],
  wolf: ['wolves', 'canine'],
  fox: ['foxes', 'canine'],
  canine: ['dog', 'dogs', 'puppy', 'fur'],
  cat: ['cats', 'kitten', 'kitty', 'feline', 'fur', 'whiskers', 'cat faces', 'eyes'],
  'big cat': ['lion', 'tiger', 'leopard', 'feline'],
  bear: ['bears', 'fur'],
  rabbit: ['rabbits', 'bunny', 'hare'],
  rodent: ['rodents', 'mouse', 'rat', 'squirrel'],
  'hoofed mammal': ['hooves', 'horse', 'deer'],
  cattle: ['cow', 'cows', 'ox'],
  antelope: ['antelopes', 'gazelle', 'horns'],
  primate: ['primates', 'monkey', 'ape'],
  ape: ['apes', 'gorilla', 'chimpanzee'],
  monkey: ['monkeys'],
  elephant: ['elephants', 'trunk', 'tusks'],
  panda: ['pandas'],
  food: ['meal', 'eating'],
  dish: ['dishes', 'plate', 'meal'],
  vegetable: ['vegetables', 'veggies'],
  fruit: ['fruits'],
  drink: ['drinks', 'beverage', 'glass', 'cup'],
  mushroom: ['mushrooms', 'fungus', 'fungi'],
  flower: ['flowers', 'blossom', 'petals'],
  plant: ['plants', 'leaves'],
  landscape: ['landscapes', 'scenery', 'outdoors', 'nature'],
  person: ['people', 'human', 'man', 'woman', 'faces'],
  car: ['cars', 'automobile', 'vehicle', 'wheels', 'tyres', 'tires'],
  truck: ['trucks', 'lorry', 'vehicle', 'wheels'],
  bus: ['buses', 'vehicle', 'wheels'],
  train: ['trains', 'railway', 'locomotive', 'wheels'],
  bicycle: ['bicycles', 'bike', 'cycle', 'wheels'],
  boat: ['boats', 'vessel', 'water'],
  ship: ['ships', 'vessel', 'water'],
  aircraft: ['plane', 'airplane', 'aeroplane', 'jet'],
  // classes whose photos are mostly lettering (ImageNet short labels)
  'book jacket': ['text', 'letters', 'lettering', 'book cover'],
  'comic book': ['text', 'letters', 'comics'],
  'web site': ['text', 'letters', 'screen', 'website'],
  menu: ['text', 'letters'],
  'crossword puzzle': ['text', 'letters', 'crossword'],
  'street sign': ['text', 'letters', 'sign'],
  scoreboard: ['text', 'digits', 'numbers'],
  envelope: ['text', 'letter', 'mail'],
  packet: ['text', 'label', 'package'],
  'digital clock': ['digits', 'numbers', 'text'],
  // a few wheeled classes
  'sports car': ['car', 'wheels'],
  'racer': ['car', 'wheels'],
  'tricycle': ['wheels', 'bike'],
  'unicycle': ['wheels'],
  'car wheel': ['wheels', 'tyres', 'tires'],
};

/** Search words for a list of tags: each tag's own entry and its words' entries, without the tags themselves. */
export function searchWords(tags: readonly string[]): string[] {
  const own = new Set(tags.map((t) => t.toLowerCase()));
  const out = new Set<string>();
  for (const tag of own) {
    for (const key of [tag, ...tag.split(/\s+/)]) for (const w of WORDS[key] ?? []) if (!own.has(w)) out.add(w);
  }
  return [...out];
}

/** How many matching units the search page shows above Pagefind's list of every kind of page (and the search bench counts that way). */
export const UNITS_FIRST = 8;
