import { collectionInfo, type AssetEntry } from '../assets/catalog.ts';
import { FULL_EXPERIMENT_CONFIG } from './experiment-config.ts';
import { TRANSFER, type TransferSettings } from './settings.ts';

/**
 * The labelled sets the transfer probes train and test on, cut from catalog collections in catalog
 * order: a fixed number of images per class (balanced, so chance is 1 / classes), never random.
 */

export interface ProbeSet {
  id: string;
  name: string;
  source: string;
  license: string;
  split: string;
  classes: string[];
  train: AssetEntry[];
  test: AssetEntry[];
}

function byClass(entries: AssetEntry[]): Map<string, AssetEntry[]> {
  const groups = new Map<string, AssetEntry[]>();
  for (const e of entries) {
    const c = e.className ?? e.label;
    if (!c) throw new Error(`catalog entry ${e.id} (${e.collection}) has no class`);
    groups.set(c, [...(groups.get(c) ?? []), e]);
  }
  return groups;
}

function firstPerClass(name: string, perClass: number): AssetEntry[] {
  const groups = byClass(collectionInfo(name).entries);
  for (const [c, list] of groups) if (list.length < perClass) throw new Error(`${name}: class ${c} has ${list.length} images, the transfer probe needs ${perClass}`);
  return [...groups.values()].flatMap((list) => list.slice(0, perClass));
}

export function probeSets(settings: TransferSettings = TRANSFER): ProbeSet[] {
  const { train, test } = settings.cifar;
  const cifarTrain = firstPerClass(train.catalog, train.perClass);
  const cifarTest = firstPerClass(test.catalog, test.perClass);
  const caltech = [...byClass(collectionInfo(settings.caltech.catalog).entries).values()];
  const k = settings.caltech.trainPerClass;
  for (const list of caltech) if (list.length <= k) throw new Error(`${settings.caltech.catalog}: a class has ${list.length} images; the split needs more than ${k}`);
  return [
    {
      id: 'cifar10',
      name: 'CIFAR-10',
      source: `${train.catalog} (train), ${test.catalog} (test)`,
      license: collectionInfo(train.catalog).license,
      split:
        `the first ${train.perClass} training images of each class, the first ${test.perClass} test images of each ` +
        `class${fullNote(train.perClass, test.perClass)}`,
      classes: [...byClass(cifarTrain).keys()],
      train: cifarTrain,
      test: cifarTest,
    },
    {
      id: 'caltech101',
      name: 'Caltech-101 (5 classes)',
      source: settings.caltech.catalog,
      license: collectionInfo(settings.caltech.catalog).license,
      split: `the first ${k} photos of each class train, the other ${caltech[0].length - k} test`,
      classes: [...byClass(collectionInfo(settings.caltech.catalog).entries).keys()],
      train: caltech.flatMap((l) => l.slice(0, k)),
      test: caltech.flatMap((l) => l.slice(k)),
    },
  ];
}

/** Smaller than the full sizes: the page says so and names the command that uses them. */
function fullNote(train: number, test: number): string {
  const full = FULL_EXPERIMENT_CONFIG.transfer;
  if (train >= full.trainPerClass && test >= full.testPerClass) return '';
  const command = 'npm run build -- --config atlas.full.config.ts';
  return ` (fewer than the ${full.trainPerClass} and ${full.testPerClass} that ${command} uses, for a shorter build)`;
}
