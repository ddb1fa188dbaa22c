import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { writeWebp } from '../imaging/maps.ts';
import { unitToBytes } from '../imaging/sheet.ts';
import { classLogit } from '../featurevis/objectives.ts';
import { classModel } from '../featurevis/class-model.ts';
import { renderVis } from '../featurevis/render.ts';
import { logits } from '../model/activations.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { preprocess } from '../model/image-batch.ts';
import { publicPaths, toSiteSrc } from '../records/io.ts';
import type { ImageFile } from '../records/schemas.ts';
import type { AtlasSettings } from './settings.ts';

export interface ClassModelsJob {
  classes: number[];
  settings: AtlasSettings['classModels'];
  publicDir: string;
}

export interface ClassModelImage {
  classIndex: number;
  method: 'lucid' | 'simonyan';
  image: ImageFile;
  /** Pre-softmax score and softmax probability of the class on the final image. */
  score: number;
  probability: number;
  steps: number;
  ms: number;
}

async function scoreImages(model: AtlasModel, images: tf.Tensor4D, classes: number[]): Promise<{ score: number[]; probability: number[] }> {
  const [l, p] = tf.tidy(() => {
    const z = logits(model, preprocess(model, tf.mul(images, 255) as tf.Tensor4D));
    return [z, tf.softmax(z)];
  });
  const [ld, pd] = [(await l.data()) as Float32Array, (await p.data()) as Float32Array];
  tf.dispose([l, p]);
  const k = model.labels.length;
  return { score: classes.map((c, i) => ld[i * k + c]), probability: classes.map((c, i) => pd[i * k + c]) };
}

/**
 * Class models (Simonyan et al. 2014): images that maximize a class's pre-softmax score. The default
 * is Lucid's recipe (Fourier parameterization, transforms, Adam), one batch item per class.
 */
export async function classModels(model: AtlasModel, job: ClassModelsJob): Promise<ClassModelImage[]> {
  const s = job.settings;
  const out: ClassModelImage[] = [];
  const paths = publicPaths(job.publicDir);
  if (s.methods.includes('lucid')) {
    const r = await renderVis(model, classLogit(job.classes), { size: s.size, steps: s.steps, seed: s.seed, keepTensor: true });
    const { score, probability } = await scoreImages(model, r.tensor!, job.classes);
    r.tensor!.dispose();
    for (const [i, c] of job.classes.entries()) {
      const file = path.join(job.publicDir, 'classes', model.id, `${c}-lucid.webp`);
      const written = await writeWebp(file, unitToBytes(r.images[i]), r.size, r.size, { quality: 90 });
      out.push({ classIndex: c, method: 'lucid', image: { src: toSiteSrc(paths, file), ...written }, score: score[i], probability: probability[i], steps: r.steps, ms: r.ms / job.classes.length });
    }
  }
  if (s.methods.includes('simonyan')) {
    const r = await classModel(model, job.classes, { size: s.size, steps: s.simonyanSteps, seed: s.seed });
    const batch = tf.tensor4d(Float32Array.from(r.images.flatMap((img) => Array.from(img))), [job.classes.length, r.size, r.size, 3]);
    const { score, probability } = await scoreImages(model, batch, job.classes);
    batch.dispose();
    for (const [i, c] of job.classes.entries()) {
      const file = path.join(job.publicDir, 'classes', model.id, `${c}-simonyan.webp`);
      const written = await writeWebp(file, unitToBytes(stretch(r.images[i])), r.size, r.size, { quality: 90 });
      out.push({ classIndex: c, method: 'simonyan', image: { src: toSiteSrc(paths, file), ...written }, score: score[i], probability: probability[i], steps: r.steps, ms: r.ms / job.classes.length });
    }
  }
  return out;
}

/** Pixel-space class models stay close to the mean image; shown contrast-stretched to 0..1 (the record says so). */
function stretch(img: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of img) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || 1;
  return img.map((v) => (v - lo) / span);
}
