import path from 'node:path';
import { ColorGrid, tileGeometry, writeWebp } from '../imaging/maps.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import type { LayerInfo } from '../model/layers.ts';
import { freshRecord, fromSiteSrc, publicPaths, toSiteSrc, writeRecord } from '../records/io.ts';
import { filterWeightsSchema, type FilterWeightsRecord, type SpriteSheet } from '../records/schemas.ts';
import type { BuildContext } from './context.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';

const CODE_VERSION = 1;
const SHEET = { target: 56, cols: 16 };
const LARGE = { target: 112, cols: 8 };

/**
 * The first convolution's filters as RGB pictures: only there do weights live in colour space.
 * Batch norm folded in (what the unit really computes); each filter scaled symmetrically so grey is 0.
 */
export function firstConvLayer(model: AtlasModel): LayerInfo | undefined {
  return model.layers.find((l) => {
    const node = model.graph.byName.get(l.nodes[0]);
    if (!node?.conv || node.kind !== 'conv2d') return false;
    const inC = node.conv.kernel.shape[2];
    let from = model.graph.byName.get(node.inputs[0]);
    while (from && from.kind === 'zeropad') from = model.graph.byName.get(from.inputs[0]);
    return from?.name === model.graph.inputName && (inC === 3 || inC === 1);
  });
}

export async function filterWeights(model: AtlasModel, ctx: BuildContext): Promise<FilterWeightsRecord | null> {
  const layer = firstConvLayer(model);
  if (!layer) return null;
  const runNode = model.runGraph.byName.get(model.runNode(layer.nodes[0]))!;
  const kernel = runNode.conv!.kernel;
  const [kh, kw, inC, c] = kernel.shape;
  const pub = publicPaths(ctx.publicDir);
  const params = { sheet: SHEET, large: LARGE, channelOrder: model.preprocess.channelOrder, folded: true };
  const key = stepKey('filter-weights', CODE_VERSION, { model: model.contentHash ?? model.id, layer: layer.id, params });
  const file = path.join(ctx.recordsDir, 'filters', model.id, `${layer.id}.json`);
  const cached = await freshRecord(file, filterWeightsSchema, key, (r) => [fromSiteSrc(pub, r.sheet.src), fromSiteSrc(pub, r.large.src)]);
  if (cached) return cached;
  const startedAt = performance.now();
  const w = kernel.dataSync() as Float32Array; // [kh, kw, inC, c]
  const at = (y: number, x: number, ch: number, k: number) => w[((y * kw + x) * inC + ch) * c + k];
  const units: FilterWeightsRecord['units'] = [];
  const tiles: Uint8Array[] = [];
  for (let k = 0; k < c; k++) {
    let maxAbs = 0;
    let sq = 0;
    const weights: number[] = [];
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let ch = 0; ch < inC; ch++) {
          const v = at(y, x, ch, k);
          maxAbs = Math.max(maxAbs, Math.abs(v));
          sq += v * v;
          weights.push(sig(v));
        }
    const tile = new Uint8Array(kh * kw * 3);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let ch = 0; ch < 3; ch++) {
          // Display in RGB whatever order the model reads; grey inputs repeat their single channel.
          const src = inC === 1 ? 0 : model.preprocess.channelOrder === 'bgr' ? 2 - ch : ch;
          const v = maxAbs > 0 ? at(y, x, src, k) / maxAbs : 0;
          tile[(y * kw + x) * 3 + ch] = Math.round(127.5 + 127.5 * v);
        }
    tiles.push(tile);
    units.push({ index: k, maxAbs: sig(maxAbs), norm: sig(Math.sqrt(sq)), weights });
  }
  const write = async (spec: { target: number; cols: number }, name: string): Promise<SpriteSheet> => {
    const geo = tileGeometry([kh, kw], spec.target);
    const cols = Math.min(c, spec.cols);
    const rows = Math.ceil(c / cols);
    const grid = new ColorGrid(cols, rows, kh, kw, 'magma');
    tiles.forEach((t, k) => grid.putRgb(k, t));
    const out = path.join(pub.dir, 'filters', model.id, `${layer.id}-${name}-${key.slice(0, 10)}.webp`);
    const written = await writeWebp(out, grid.rgb, grid.width, grid.height, { up: geo.up, lossless: true });
    return { src: toSiteSrc(pub, out), ...written, cols, rows, count: c, tile: geo.tile };
  };
  return writeRecord(file, filterWeightsSchema, {
    model: model.id,
    layer: layer.id,
    kernel: [kh, kw, inC],
    normalization: 'per-filter max |w|',
    sheet: await write(SHEET, 'sheet'),
    large: await write(LARGE, 'large'),
    units,
    key,
    provenance: provenance(ctx, { method: 'filter-weights', codeVersion: CODE_VERSION, params, model: model.id, layer: layer.id, startedAt }),
  });
}
