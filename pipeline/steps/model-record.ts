import path from 'node:path';
import type { AtlasModel } from '../model/atlas-model.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { BuildContext } from './context.ts';

/** The architecture as the site shows it: layers in order with shapes, kinds and receptive fields. */
export function modelRecord(model: AtlasModel, ctx: BuildContext) {
  return {
    id: model.id,
    name: model.name ?? model.id,
    license: model.license ?? '',
    credit: model.credit ?? '',
    contentHash: model.contentHash ?? '',
    inputSize: model.inputSize,
    preprocess: model.preprocess,
    classes: model.labels.length,
    layers: model.layers.map((l) => ({
      id: l.id,
      index: l.index,
      kind: l.kind,
      className: l.className,
      nodes: l.nodes,
      shape: l.shape,
      channels: l.channels,
      spatial: l.spatial,
      activation: l.activation,
      receptiveField: l.receptiveField,
    })),
    provenance: { backend: ctx.backend.detail, tfjs: ctx.backend.tfjsVersion },
  };
}

export async function writeModelRecord(model: AtlasModel, ctx: BuildContext): Promise<string> {
  const file = path.join(ctx.recordsDir, 'models', `${model.id}.json`);
  await writeFileAtomic(file, JSON.stringify(modelRecord(model, ctx), null, 1));
  return file;
}
