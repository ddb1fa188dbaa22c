import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { collection } from '../pipeline/assets/catalog.ts';
import { fetchAsset } from '../pipeline/assets/fetch-asset.ts';
import { loadImageTensorData } from '../pipeline/assets/images.ts';
import { fetchOptionsFor, loadConfig } from '../pipeline/config/index.ts';
import { initBackend } from '../pipeline/engine/backend.ts';
import { classify } from '../pipeline/model/activations.ts';
import type { AtlasModel } from '../pipeline/model/atlas-model.ts';
import { inputAttribution } from '../pipeline/model/attribution.ts';
import { imageBatch } from '../pipeline/model/image-batch.ts';
import { loadConfiguredModel } from '../pipeline/model/load-configured-model.ts';
import { defaultMirrorDir } from '../pipeline/util/paths.ts';

// The real MobileNet comes from the offline mirror (or a warm cache); CI has the mirror beside the clone.
const mirror = defaultMirrorDir();
const haveMirror = mirror != null && existsSync(mirror);
// CI sets this so a missing mirror fails loudly instead of skipping the real-model checks.
const required = process.env.ATLAS_REQUIRE_REAL_MODEL === '1';

describe.skipIf(!haveMirror && !required)('the real default model (MobileNet v1 0.75) from the mirror', () => {
  let model: AtlasModel;
  let fetchOpts: ReturnType<typeof fetchOptionsFor>;

  beforeAll(async () => {
    await initBackend('wasm');
    const config = await loadConfig({ path: undefined });
    fetchOpts = fetchOptionsFor(config);
    model = await loadConfiguredModel(config.models[0], fetchOpts);
  });

  async function top3(file: string) {
    const entry = collection('images:showcase').find((e) => e.url.endsWith(file))!;
    const img = await loadImageTensorData(await fetchAsset(entry, fetchOpts), 224);
    return (await classify(model, imageBatch(model, [img]), 3))[0];
  }

  it('describes 27 conv layers + pool + logits with ~8,200 conv units', () => {
    const conv = model.layers.filter((l) => l.kind === 'conv' || l.kind === 'depthwise');
    expect(conv).toHaveLength(27);
    expect(conv.reduce((n, l) => n + l.channels, 0)).toBe(8208);
    expect(model.layers.at(-1)!.kind).toBe('logits');
    expect(model.layers.find((l) => l.id === 'conv_pw_13')!.receptiveField.size[0]).toBe(315);
  });

  it('classifies skimage chelsea.png as a cat (top 3)', async () => {
    const preds = await top3('chelsea.png');
    expect(preds.some((p) => /\bcat\b/.test(p.label))).toBe(true);
  });

  it('classifies skimage coffee.png as espresso or cup (top 3)', async () => {
    const preds = await top3('coffee.png');
    expect(preds.some((p) => /espresso|\bcup\b/.test(p.label))).toBe(true);
  });

  it('gives a finite, non-zero input gradient for a class', async () => {
    const entry = collection('images:showcase').find((e) => e.url.endsWith('chelsea.png'))!;
    const x = imageBatch(model, [await loadImageTensorData(await fetchAsset(entry, fetchOpts), 224)]);
    const g = await inputAttribution(model, x, { kind: 'class', index: 285 }, 'guided').data();
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.some((v) => v > 0)).toBe(true);
  });
});
