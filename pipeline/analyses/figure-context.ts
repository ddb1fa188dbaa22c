import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { loadImageTensorData } from '../assets/images.ts';
import { classify, type Prediction } from '../model/activations.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { imageBatch } from '../model/image-batch.ts';
import { publicPaths, type PublicPaths } from '../records/io.ts';
import { toRgb, type Rgb } from '../imaging/sheet.ts';

/** A gallery photo as the analyses job receives it (plain data: it crosses a worker boundary). */
export interface AnalysisImage {
  id: string;
  file: string;
  sha256: string;
  /** Known class index of the photo, when it is an ImageNet class the model has. */
  trueClass: number | null;
}

/** What every figure of one photo shares: decoded once, one forward pass for the predictions. */
export interface FigureContext {
  model: AtlasModel;
  image: AnalysisImage;
  /** The photo as the model sees it: RGB 0..255 at the input size. */
  pixels: tf.Tensor3D;
  photo: Rgb;
  /** Preprocessed [1, H, W, 3]. */
  x: tf.Tensor4D;
  predictions: Prediction[];
  trueClass: (Prediction & { role: 'true class' }) | null;
  /** Directory for this photo's generated files, and how to name them for the site. */
  dir: (method: string) => string;
  paths: PublicPaths;
}

export async function figureContext(model: AtlasModel, image: AnalysisImage, publicDir: string): Promise<FigureContext> {
  const data = await loadImageTensorData(image.file, model.inputSize[0], { fit: model.preprocess.fit });
  const x = imageBatch(model, [data]);
  // Every class ranked from one forward pass: the top 5 and the true class's probability both come from it.
  const [ranked] = await classify(model, x, model.labels.length);
  const truth = ranked.find((p) => p.index === image.trueClass);
  const trueClass: FigureContext['trueClass'] = truth ? { ...truth, role: 'true class' } : null;
  return {
    model,
    image,
    pixels: tf.tensor3d(data.data, [data.height, data.width, 3]),
    photo: toRgb(data.data, data.width, data.height),
    x,
    predictions: ranked.slice(0, 5),
    trueClass,
    dir: (method) => path.join(publicDir, 'analyses', method, model.id),
    paths: publicPaths(publicDir),
  };
}

export function disposeContext(fc: FigureContext): void {
  tf.dispose([fc.pixels, fc.x]);
}
