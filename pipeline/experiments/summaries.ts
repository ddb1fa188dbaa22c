import { PARTS, PART_NAMES, type Part } from './dog-parts.ts';

/**
 * The one-sentence findings the experiment pages print, written from the measured numbers (never
 * from what the paper found), so a different model or different photos get a different sentence.
 */

export interface CorrespondenceLayerResult {
  layer: string;
  delta: Record<Part, number>;
  random: { mean: number; sd: number; draws: number[] };
}

const list = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
const orList = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);
const num = (v: number) => (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

/** A part "corresponds" at a layer when its Δ is below every random-box draw. */
export function partsBelowRandom(l: CorrespondenceLayerResult): Part[] {
  const lowest = Math.min(...l.random.draws);
  return PARTS.filter((p) => l.delta[p] < lowest);
}

export function correspondenceSummary(layers: CorrespondenceLayerResult[], images: number): string {
  const draws = layers[0]?.random.draws.length ?? 0;
  const groups = new Map<string, { parts: Part[]; layers: CorrespondenceLayerResult[] }>();
  const none: CorrespondenceLayerResult[] = [];
  for (const l of layers) {
    const below = partsBelowRandom(l);
    if (below.length === 0) none.push(l);
    else {
      const group = groups.get(below.join()) ?? { parts: below, layers: [] };
      group.layers.push(l);
      groups.set(below.join(), group);
    }
  }
  const example = (l: CorrespondenceLayerResult, parts: readonly Part[] = PARTS) => {
    const ds = parts.map((p) => l.delta[p]);
    const range = ds.length > 1 ? `${num(Math.min(...ds))}–${num(Math.max(...ds))}` : num(ds[0]);
    return `${l.layer}: ${range} against ${num(l.random.mean)} ± ${num(l.random.sd)}`;
  };
  const head = `Compared with ${draws} boxes of the same size at random positions,`;
  const pieces = [...groups.values()].map((g) => `${g.parts.length === PARTS.length ? 'any of the three parts' : `the ${orList(g.parts.map((p) => PART_NAMES[p]))}`} (at ${list(g.layers.map((l) => l.layer))})`);
  const first = [...groups.values()][0];
  let text = pieces.length
    ? `${head} hiding ${list(pieces)} changes the features of the ${images} dogs more consistently than every random box (lower Δ; ${example(first.layers[0], first.parts)})`
    : `${head} no part changes the features of the ${images} dogs more consistently than every random box at any layer studied (${example(layers.at(-1)!)})`;
  if (pieces.length && none.length) text += `, while at ${list(none.map((l) => l.layer))} no part does (${example(none.at(-1)!)})`;
  return `${text}.`;
}

export interface TransferDatasetResult {
  name: string;
  chance: number;
  test: number;
  layers: { layer: string; accuracy: number }[];
}

const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;

export function transferSummary(datasets: TransferDatasetResult[]): string {
  const parts = datasets.map((d) => {
    const best = d.layers.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
    const ties = d.layers.filter((l) => l.accuracy === best.accuracy).length;
    const last = d.layers.at(-1)!;
    const first = d.layers[0];
    const bestText = ties > 1 ? `${best.layer} is the first of ${ties} layers that reach the best accuracy, ${pct(best.accuracy)}` : `the best layer is ${best.layer} at ${pct(best.accuracy)}`;
    return `on ${d.name}, with ${d.test} test images and chance at ${pct(d.chance)}, ${bestText}, against ${pct(first.accuracy)} for the first layer (${first.layer}) and ${pct(last.accuracy)} for the last (${last.layer})`;
  });
  const text = `Linear probes on frozen features: ${parts.join('; ')}`;
  return `${text}.`;
}
