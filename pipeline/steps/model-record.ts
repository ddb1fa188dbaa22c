import path from 'node:path';
import type { AtlasModel } from '../model/atlas-model.ts';
import type { LayerInfo } from '../model/layers.ts';
import { writeRecord } from '../records/io.ts';
import { modelRecordSchema, type LayerRecord, type ModelRecord } from '../records/schemas.ts';
import type { BuildContext } from './context.ts';

/** Layers whose units have spatial feature maps (and therefore their own pages). */
export function hasMaps(layer: Pick<LayerInfo, 'spatial' | 'kind' | 'shape'>): boolean {
  return layer.spatial && layer.kind !== 'logits' && layer.shape[0] * layer.shape[1] > 1;
}

export function mapLayers(model: AtlasModel): LayerInfo[] {
  return model.layers.filter(hasMaps);
}

function geometry(model: AtlasModel, layer: LayerInfo): Pick<LayerRecord, 'kernel' | 'strides'> {
  const node = model.graph.byName.get(layer.nodes[0]);
  if (node?.conv) return { kernel: [node.conv.kernel.shape[0], node.conv.kernel.shape[1]], strides: node.conv.strides };
  if (node?.pool) return { kernel: node.pool.size, strides: node.pool.strides };
  return {};
}

/** Trainable parameters as the model file stores them (batch norms count gamma and beta). */
function parameterCount(model: AtlasModel): number {
  let total = 0;
  for (const node of model.graph.nodes) {
    if (node.conv) total += node.conv.kernel.size + (node.conv.bias?.size ?? 0);
    if (node.dense) total += node.dense.kernel.size + (node.dense.bias?.size ?? 0);
    if (node.batchnorm) total += node.batchnorm.scale.size * 2;
  }
  return total;
}

/** The architecture as the site shows it: layers in order with shapes, kinds and receptive fields. */
export function modelRecord(model: AtlasModel, ctx: Pick<BuildContext, 'backend'>): ModelRecord {
  return {
    id: model.id,
    name: model.name ?? model.id,
    license: model.license ?? '',
    credit: model.credit ?? '',
    contentHash: model.contentHash ?? '',
    inputSize: model.inputSize,
    preprocess: model.preprocess,
    classes: model.labels.length,
    labels: model.labels,
    ...(model.wnids && { wnids: model.wnids }),
    parameters: parameterCount(model),
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
      ...geometry(model, l),
      hasMaps: hasMaps(l),
    })),
    provenance: { backend: ctx.backend.detail, tfjs: ctx.backend.tfjsVersion, ...(model.fileSha256 && { files: model.fileSha256 }) },
  };
}

export async function writeModelRecord(model: AtlasModel, ctx: BuildContext): Promise<string> {
  const file = path.join(ctx.recordsDir, 'models', `${model.id}.json`);
  await writeRecord(file, modelRecordSchema, modelRecord(model, ctx));
  return file;
}
