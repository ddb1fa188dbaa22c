import path from 'node:path';
import type { ClassModelImage } from '../atlas/class-models.ts';
import type { AtlasSettings } from '../atlas/settings.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { ATLAS_KINDS } from '../records/atlas-schemas.ts';
import { freshRecord, publicPaths, readRecord, recordFiles, writeRecord } from '../records/io.ts';
import { imageMapsSchema } from '../records/schemas.ts';
import { createProgress } from '../util/progress.ts';
import type { CheckedImage } from './check-images.ts';
import type { BuildContext } from './context.ts';
import { trueClassOf } from './image-analyses.ts';
import type { ModelPool } from './model-pool.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';

/**
 * Class models (Simonyan et al.) for the classes the gallery is about: each photo's true class and
 * its top-1 prediction (or the classes the config lists). Classes are optimized in batches, one
 * batch item per class; one record per class.
 */

const CODE_VERSION = 1;
const BATCH = 8;

export function classModelFile(recordsDir: string, model: string, classIndex: number): string {
  return path.join(recordsDir, 'atlas', 'class-models', model, `${classIndex}.json`);
}

async function galleryClasses(model: AtlasModel, gallery: CheckedImage[], ctx: BuildContext): Promise<number[]> {
  const out = new Set<number>();
  for (const image of gallery) {
    const t = trueClassOf(image, model);
    if (t !== null) out.add(t);
    const maps = await readRecord(path.join(ctx.recordsDir, 'image-maps', model.id, `${image.id}.json`), imageMapsSchema);
    if (maps?.predictions[0]) out.add(maps.predictions[0].index);
  }
  return [...out].sort((a, b) => a - b);
}

export async function classModels(model: AtlasModel, gallery: CheckedImage[], settings: AtlasSettings['classModels'], pool: ModelPool, ctx: BuildContext): Promise<number[]> {
  const classes = settings.classes === 'gallery' ? await galleryClasses(model, gallery, ctx) : settings.classes.filter((c) => c < model.labels.length);
  const keyOf = (c: number) => stepKey('class-model', CODE_VERSION, { model: model.contentHash ?? model.id, c, settings: { ...settings, classes: undefined } });
  const paths = publicPaths(ctx.publicDir);
  const stale: number[] = [];
  for (const c of classes) {
    const fresh = await freshRecord(classModelFile(ctx.recordsDir, model.id, c), ATLAS_KINDS.classModels.schema, keyOf(c), (r) => recordFiles(paths, r));
    if (!fresh) stale.push(c);
  }
  if (stale.length === 0) {
    ctx.log.info(`${model.id}: class models cached (${classes.length} classes)`);
    return classes;
  }
  const workers = await pool.get();
  const progress = createProgress({ label: `${model.id} class models`, total: stale.length, noun: 'classes' });
  const chunks = Array.from({ length: Math.ceil(stale.length / BATCH) }, (_, i) => stale.slice(i * BATCH, (i + 1) * BATCH));
  await Promise.all(
    chunks.map(async (chunk) => {
      const images = await workers.run<ClassModelImage[]>('classModels', { classes: chunk, settings, publicDir: ctx.publicDir });
      for (const c of chunk) {
        const mine = images.filter((i) => i.classIndex === c);
        const prov = provenance(ctx, { method: 'class model (argmax of the pre-softmax class score)', codeVersion: CODE_VERSION, params: { ...settings, classes: undefined, batchClasses: chunk, display: 'lucid as optimized; simonyan contrast-stretched per image' }, model: model.id, seed: settings.seed, startedAt: performance.now() - mine.reduce((t, i) => t + i.ms, 0) });
        await writeRecord(classModelFile(ctx.recordsDir, model.id, c), ATLAS_KINDS.classModels.schema, {
          model: model.id,
          classIndex: c,
          label: model.labels[c],
          images: mine.map((i) => ({ method: i.method, image: i.image, score: sig(i.score), probability: sig(i.probability), steps: i.steps })),
          key: keyOf(c),
          provenance: prov,
        });
        progress.tick();
      }
    }),
  );
  progress.finish();
  return classes;
}
