/**
 * Coarse, searchable words ("dog", "vehicle", "fruit") for the ImageNet-1k (ILSVRC-2012) classes,
 * so a unit whose top images are 40 different terriers can be found by searching "dog".
 *
 * Indices follow the standard 1000-class order (synsets sorted by WordNet id), the order of the
 * MobileNet labels this repo reads (ml5 metadata.json: 0 "tench" ... 999 "toilet tissue"); a
 * 1001-entry list with a leading background class is shifted by one.
 *
 * Sources of the ranges: sorting by WordNet id keeps WordNet siblings contiguous, so most animal
 * groups are index ranges. dog 151–268, cat 281–285, frog 30–32, turtle 33–37, bird 80–100,
 * primate 365–382, fish 389–397, crab 118–121 and insect 300–319 are RESTRICTED_IMAGNET_RANGES of
 * MadryLab's robustness library (Tsipras et al., "Robustness May Be at Odds with Accuracy", ICLR
 * 2019); lizard 38–48, snake 52–68, spider 72–77, big cat 286–293, bear 294–297 and antelope
 * 351–353 are its IMAGENET_16_RANGES, as are the widenings of bird (+127–146) and insect (+320,
 * here also the butterflies 321–326). The rest were read off the label list by hand; object groups
 * are explicit index lists, since the same words mislead in class names ("hot dog", "dogsled",
 * "cardigan"), and a few keyword groups match class names, restricted to a range where needed.
 */

export interface ClassGroup {
  /** The searchable word, singular. */
  name: string;
  /** For evidence sentences: "6 of the unit's top 50 images are dogs". */
  plural: string;
  /** Class indices in the model's label order (offset applied), ascending. */
  members: number[];
}

interface GroupDef {
  name: string;
  plural: string;
  ranges?: [number, number][];
  indices?: number[];
  /** Union with groups defined earlier in the list. */
  of?: string[];
  /** Classes whose label (any synonym) matches, within `within` (inclusive) when given. */
  keyword?: RegExp;
  within?: [number, number];
}

const CAR = [407, 436, 468, 511, 609, 627, 656, 661, 751, 817];
const TRUCK = [555, 569, 675, 717, 734, 864, 867];
const BUS = [654, 779, 874];
const TRAIN = [466, 547, 565, 705, 820, 829];
const BICYCLE = [444, 671, 870, 880];
const OTHER_LAND_VEHICLES = [408, 450, 537, 561, 573, 575, 586, 595, 603, 612, 665, 670, 690, 757, 802, 803, 847, 856, 866];

const GROUP_DEFS: GroupDef[] = [
  { name: 'animal', plural: 'animals', ranges: [[0, 397]] },
  { name: 'fish', plural: 'fish', ranges: [[0, 6], [389, 397]] },
  { name: 'shark', plural: 'sharks', ranges: [[2, 4]] },
  { name: 'bird', plural: 'birds', ranges: [[7, 24], [80, 100], [127, 146]] },
  { name: 'amphibian', plural: 'amphibians', ranges: [[25, 32]] },
  { name: 'frog', plural: 'frogs', ranges: [[30, 32]] },
  { name: 'reptile', plural: 'reptiles', ranges: [[33, 68]] },
  { name: 'turtle', plural: 'turtles', ranges: [[33, 37]] },
  { name: 'lizard', plural: 'lizards', ranges: [[38, 48]] },
  { name: 'snake', plural: 'snakes', ranges: [[52, 68]] },
  { name: 'spider', plural: 'spiders', ranges: [[72, 77]] },
  { name: 'insect', plural: 'insects', ranges: [[300, 326]] },
  { name: 'beetle', plural: 'beetles', ranges: [[300, 307]] },
  { name: 'butterfly', plural: 'butterflies', ranges: [[321, 326]] },
  { name: 'crustacean', plural: 'crustaceans', ranges: [[118, 126]] },
  { name: 'crab', plural: 'crabs', ranges: [[118, 121]], indices: [125] },
  { name: 'mollusc', plural: 'molluscs', ranges: [[112, 117]] },
  { name: 'mammal', plural: 'mammals', ranges: [[101, 106], [147, 150], [151, 299], [330, 388]] },
  { name: 'marine mammal', plural: 'marine mammals', ranges: [[147, 150]] },
  { name: 'dog', plural: 'dogs', ranges: [[151, 268]] },
  { name: 'terrier', plural: 'terriers', keyword: /terrier/i, within: [151, 268] },
  { name: 'retriever', plural: 'retrievers', keyword: /retriever/i, within: [151, 268] },
  { name: 'spaniel', plural: 'spaniels', keyword: /spaniel/i, within: [151, 268] },
  { name: 'hound', plural: 'hounds', keyword: /hound/i, within: [151, 268] },
  { name: 'wolf', plural: 'wolves', ranges: [[269, 271]] },
  { name: 'fox', plural: 'foxes', ranges: [[277, 280]] },
  { name: 'canine', plural: 'canines', ranges: [[151, 275], [277, 280]] },
  { name: 'cat', plural: 'cats', ranges: [[281, 285]] },
  { name: 'big cat', plural: 'big cats', ranges: [[286, 293]] },
  { name: 'bear', plural: 'bears', ranges: [[294, 297]] },
  { name: 'rabbit', plural: 'rabbits', ranges: [[330, 332]] },
  { name: 'rodent', plural: 'rodents', ranges: [[333, 338]] },
  { name: 'hoofed mammal', plural: 'hoofed mammals', ranges: [[339, 355]] },
  { name: 'cattle', plural: 'cattle', ranges: [[345, 347]] },
  { name: 'antelope', plural: 'antelopes', ranges: [[351, 353]] },
  { name: 'primate', plural: 'primates', ranges: [[365, 384]] },
  { name: 'ape', plural: 'apes', ranges: [[365, 369]] },
  { name: 'monkey', plural: 'monkeys', ranges: [[370, 382]] },
  { name: 'elephant', plural: 'elephants', ranges: [[385, 386]] },
  { name: 'panda', plural: 'pandas', ranges: [[387, 388]] },

  { name: 'food', plural: 'food', ranges: [[923, 957], [959, 969]] },
  { name: 'dish', plural: 'dishes', ranges: [[923, 935], [959, 965]] },
  { name: 'vegetable', plural: 'vegetables', ranges: [[936, 946]] },
  { name: 'fruit', plural: 'fruit', ranges: [[948, 957]] },
  { name: 'drink', plural: 'drinks', ranges: [[966, 969]] },
  { name: 'mushroom', plural: 'mushrooms', indices: [947], ranges: [[991, 997]] },
  { name: 'flower', plural: 'flowers', ranges: [[985, 986]] },
  { name: 'plant', plural: 'plants', ranges: [[984, 990]], indices: [998] },
  { name: 'landscape', plural: 'landscapes', ranges: [[970, 970], [972, 980]] },
  { name: 'person', plural: 'people', ranges: [[981, 983]] },

  { name: 'car', plural: 'cars', indices: CAR },
  { name: 'truck', plural: 'trucks', indices: TRUCK },
  { name: 'bus', plural: 'buses', indices: BUS },
  { name: 'train', plural: 'trains', indices: TRAIN },
  { name: 'bicycle', plural: 'bicycles', indices: BICYCLE },
  { name: 'boat', plural: 'boats', indices: [472, 484, 554, 576, 625, 724, 780, 814, 871, 914] },
  { name: 'ship', plural: 'ships', indices: [403, 510, 628, 724, 780, 833, 913] },
  { name: 'aircraft', plural: 'aircraft', indices: [404, 405, 895, 908] },
  { name: 'vehicle', plural: 'vehicles', of: ['car', 'truck', 'bus', 'train', 'bicycle', 'boat', 'ship', 'aircraft'], indices: [...OTHER_LAND_VEHICLES, 812] },
  { name: 'wheel', plural: 'wheels', keyword: /wheel/i },
  { name: 'hat', plural: 'hats', indices: [433, 439, 452, 515, 667, 793, 808] },
  { name: 'helmet', plural: 'helmets', indices: [518, 560, 715] },
  { name: 'shoe', plural: 'shoes', indices: [502, 514, 630, 770, 774] },
  {
    name: 'clothing',
    plural: 'clothing',
    indices: [
      399, 400, 411, 443, 445, 451, 457, 459, 474, 496, 501, 552, 568, 578, 601, 608, 610, 614, 617, 638, 639, 652, 655, 658, 689, 697, 735, 775, 806, 824, 834,
      841, 842, 869, 887, 906,
    ],
    of: ['hat', 'shoe'],
  },
  { name: 'musical instrument', plural: 'musical instruments', indices: [401, 402, 420, 432, 486, 494, 513, 541, 546, 558, 566, 577, 579, 593, 594, 641, 642, 683, 684, 687, 699, 776, 822, 875, 881, 889] },
  { name: 'shop', plural: 'shops', indices: [415, 424, 454, 467, 509, 582, 788, 860, 865] },
  {
    name: 'building',
    plural: 'buildings',
    indices: [410, 425, 437, 442, 449, 483, 497, 498, 500, 538, 580, 624, 634, 660, 663, 668, 698, 727, 743, 762, 832, 853, 858, 873, 900, 915],
    of: ['shop'],
  },
  { name: 'bridge', plural: 'bridges', keyword: /\bbridge\b/i, indices: [888] },
  { name: 'fence', plural: 'fences', keyword: /\bfence\b/i },
  { name: 'furniture', plural: 'furniture', indices: [423, 431, 453, 492, 493, 495, 516, 520, 526, 532, 548, 553, 559, 564, 648, 703, 736, 765, 831, 857, 894] },
  { name: 'keyboard', plural: 'keyboards', indices: [508, 810, 878] },
  { name: 'computer', plural: 'computers', indices: [527, 590, 620, 664, 673, 681] },
  { name: 'ball', plural: 'balls', indices: [429, 430, 522, 574, 722, 768, 805, 852, 890] },
  { name: 'weapon', plural: 'weapons', indices: [413, 456, 471, 657, 744, 763, 764] },
  { name: 'armour', plural: 'armour', indices: [461, 465, 490, 524, 787] },
  { name: 'tool', plural: 'tools', indices: [473, 477, 491, 512, 587, 596, 726, 731, 740, 784, 792] },
  {
    name: 'kitchenware',
    plural: 'kitchenware',
    indices: [441, 469, 503, 504, 505, 521, 534, 544, 550, 567, 572, 618, 647, 651, 659, 725, 760, 766, 809, 813, 827, 828, 849, 859, 868, 891, 899, 901, 909, 910],
  },
  { name: 'bottle', plural: 'bottles', indices: [440, 720, 737, 898, 907] },
  { name: 'clock', plural: 'clocks', indices: [409, 530, 531, 604, 826, 835, 892] },
  { name: 'text', plural: 'images with text', indices: [458, 781, 916, 917, 918, 919, 921, 922] },
];

/** Index → expected start of its label, to recognise the ImageNet-1k order in a model's label list. */
const ANCHORS: [number, RegExp][] = [
  [0, /^tench\b/i],
  [151, /^chihuahua\b/i],
  [281, /^tabby\b/i],
  [404, /^airliner\b/i],
  [999, /^toilet tissue\b/i],
];

/**
 * How far the labels are shifted from the standard ImageNet-1k order: 0 for 1000 labels, 1 for
 * 1001 with a leading background class, null when the labels are something else (groups then
 * do not apply; single classes still can).
 */
export function imagenetOffset(labels: readonly string[]): number | null {
  for (const offset of [0, 1]) {
    if (labels.length !== 1000 + offset) continue;
    if (ANCHORS.every(([i, re]) => re.test(labels[i + offset]?.trim() ?? ''))) return offset;
  }
  return null;
}

function membersOf(def: GroupDef, labels: readonly string[], done: Map<string, Set<number>>): Set<number> {
  const set = new Set<number>(def.indices ?? []);
  for (const [lo, hi] of def.ranges ?? []) for (let i = lo; i <= hi; i++) set.add(i);
  for (const name of def.of ?? []) for (const i of done.get(name) ?? []) set.add(i);
  if (def.keyword) {
    const [lo, hi] = def.within ?? [0, 999];
    for (let i = lo; i <= hi; i++) if (def.keyword.test(labels[i] ?? '')) set.add(i);
  }
  return set;
}

/**
 * The groups with members in the model's label indices; empty when the labels are not ImageNet-1k.
 * Keyword groups read the labels; `labels` of length 1000/1001 with the anchors above is required.
 */
export function imagenetGroups(labels: readonly string[], wnids?: readonly string[]): ClassGroup[] {
  // Another class order (Darknet's devkit order): define the groups in the standard sorted-wnid order, map back.
  if (wnids?.length === 1000 && labels.length === 1000) {
    const toModel = [...wnids].map((w, i) => [w, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, i]) => i);
    const standard = imagenetGroupsAt(toModel.map((i) => labels[i]), 0);
    return standard.map((g) => ({ ...g, members: g.members.map((i) => toModel[i]).sort((a, b) => a - b) }));
  }
  const offset = imagenetOffset(labels);
  return offset === null ? [] : imagenetGroupsAt(labels, offset);
}

/** The groups over labels whose standard order starts at `offset`. */
function imagenetGroupsAt(labels: readonly string[], offset: number): ClassGroup[] {
  const standard = labels.slice(offset);
  const done = new Map<string, Set<number>>();
  const groups: ClassGroup[] = [];
  for (const def of GROUP_DEFS) {
    const members = membersOf(def, standard, done);
    done.set(def.name, members);
    groups.push({ name: def.name, plural: def.plural, members: [...members].sort((a, b) => a - b).map((i) => i + offset) });
  }
  return groups;
}

/** The first synonym of an ImageNet label, case kept (breeds are proper names): "tabby, tabby cat" → "tabby". */
export function shortLabel(label: string): string {
  return label.split(',')[0].trim();
}
