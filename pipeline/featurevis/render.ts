import * as tf from '@tensorflow/tfjs';
import { layerOf, type AtlasModel } from '../model/atlas-model.ts';
import { execute, requiredNodes } from '../model/executor.ts';
import type { Graph } from '../model/graph.ts';
import { preprocess } from '../model/image-batch.ts';
import type { ReluRule } from '../model/relu-rule.ts';
import { LOGITS, type Objective } from './objectives.ts';
import { fourierImage, type FourierImage } from './param-fourier.ts';
import { standardTransforms, type TransformFn } from './transforms.ts';

export interface RenderOptions {
  /** Side of the optimized image in pixels (Lucid: 128). */
  size?: number;
  steps?: number;
  /** Adam learning rate (Lucid: 0.05). */
  lr?: number;
  seed?: number;
  /** Items; defaults to the objective's per-item argument count, else 1. */
  batch?: number;
  /** Lucid's standard transforms (true), none (false), or a chain from transforms.ts. */
  transforms?: boolean | TransformFn;
  /** Steps that use the redirected ReLU gradient (Lucid: 16). */
  redirectedSteps?: number;
  /** Initial spectrum std (0.01), decay power (1), color decorrelation (true). */
  std?: number;
  decayPower?: number;
  decorrelate?: boolean;
  /**
   * The model input size: 'auto' (default) runs at the image's own size when every fetched layer can
   * (fully convolutional up to it) and upsamples to model.inputSize otherwise; 'native' never resizes;
   * 'model' always resizes to model.inputSize.
   */
  inputSize?: 'auto' | 'native' | 'model';
  /** What `reached` reports, evaluated without transforms at the end (default: the objective). */
  measure?: Objective;
  /** Record the per-item objective every this many steps (default 16). */
  historyEvery?: number;
  onStep?: (info: { step: number; loss: number; ms: number }) => void;
  /** Also return the final images as a tensor [N, S, S, 3] (the caller disposes it). */
  keepTensor?: boolean;
}

export interface RenderResult {
  /** One RGB image per item, size·size·3 values in 0..1, row-major HWC. */
  images: Float32Array[];
  size: number;
  /** Per item, the measure (default: the objective) on the final image without transforms. */
  reached: number[];
  /** Per item objective values (with transforms, as optimized) at step 0, every historyEvery steps, and the last step. */
  history: { step: number; values: number[] }[];
  steps: number;
  ms: number;
  tensor?: tf.Tensor4D;
}

/** True when the input shape reaches a flatten/reshape/dense before any global pool, i.e. the net needs its fixed size. */
export function needsFixedInput(graph: Graph, fetches: string[]): boolean {
  const order = requiredNodes(graph, new Set([graph.inputName]), fetches);
  const sizeDependent = new Set([graph.inputName]);
  for (const name of order) {
    const node = graph.byName.get(name)!;
    const fromInput = node.inputs.some((i) => sizeDependent.has(i));
    if (!fromInput) continue;
    if (node.kind === 'flatten' || node.kind === 'reshape' || node.kind === 'dense') return true;
    if (node.kind !== 'globalavgpool' && node.kind !== 'globalmaxpool') sizeDependent.add(name);
  }
  return false;
}

const nodeFor = (model: AtlasModel, layer: string) => (layer === LOGITS ? model.runNode(model.logitsNode) : model.runNode(layerOf(model, layer).outputNode));

/** Everything to evaluate an objective on images in 0..1: the fetch list and the input conversion. */
export interface Evaluator {
  (images: tf.Tensor4D, preTransform: tf.Tensor4D, rule: ReluRule): tf.Tensor1D;
  resizes: boolean;
}

export function objectiveEvaluator(model: AtlasModel, objective: Objective, inputSize: RenderOptions['inputSize'] = 'auto'): Evaluator {
  const layers = [...new Set(objective.layers)];
  const nodes = layers.map((l) => nodeFor(model, l));
  const fetches = [...new Set(nodes)];
  const resizes = inputSize === 'model' || (inputSize !== 'native' && fetches.length > 0 && needsFixedInput(model.runGraph, fetches));
  const input = model.runGraph.inputName;
  const fn = (images: tf.Tensor4D, preTransform: tf.Tensor4D, rule: ReluRule): tf.Tensor1D => {
    let outputs: Record<string, tf.Tensor> = {};
    if (fetches.length) {
      const sized = resizes ? tf.image.resizeBilinear(images, model.inputSize, false, true) : images;
      outputs = execute(model.runGraph, { [input]: preprocess(model, tf.mul(sized, 255) as tf.Tensor4D) }, fetches, rule);
    }
    return objective.value({
      get: (layer) => {
        const i = layers.indexOf(layer);
        if (i < 0) throw new Error(`objective ${objective.name} read layer "${layer}" without declaring it`);
        return outputs[nodes[i]];
      },
      image: preTransform,
      batch: images.shape[0],
    });
  };
  return Object.assign(fn, { resizes });
}

function describeFailure(objective: Objective, values: Float32Array | null, step: number, what: string): string {
  const bad = values ? Array.from(values).findIndex((v) => !Number.isFinite(v)) : -1;
  const item = bad >= 0 ? ` for item ${bad}${objective.unit ? ` (${objective.unit(bad)})` : ''}` : '';
  const layers = objective.layers.length ? ` on layer ${objective.layers.join(', ')}` : '';
  return `feature visualization diverged at step ${step}: ${what} of objective ${objective.name}${layers} is not finite${item}`;
}

/**
 * Lucid's render_vis: optimize a Fourier-parameterized, color-decorrelated image batch with Adam so
 * that `objective` (summed over items) is maximized, under random transforms each step, with the
 * redirected ReLU gradient for the first `redirectedSteps` steps. All temporaries are freed per step
 * (tensor count stays flat).
 */
export async function renderVis(model: AtlasModel, objective: Objective, opts: RenderOptions = {}): Promise<RenderResult> {
  const t0 = performance.now();
  const size = opts.size ?? 128;
  const steps = opts.steps ?? 512;
  const seed = opts.seed ?? 0;
  const batch = opts.batch ?? objective.batch ?? 1;
  if (objective.batch != null && objective.batch !== batch) throw new Error(`objective ${objective.name} is for ${objective.batch} items, batch is ${batch}`);
  const redirectedSteps = opts.redirectedSteps ?? 16;
  const historyEvery = opts.historyEvery ?? 16;
  const transform: TransformFn | null = opts.transforms === false ? null : typeof opts.transforms === 'function' ? opts.transforms : standardTransforms(size, seed + 1);
  const evaluate = objectiveEvaluator(model, objective, opts.inputSize);
  const measure = opts.measure ? objectiveEvaluator(model, opts.measure, opts.inputSize) : evaluate;

  const param: FourierImage = fourierImage({ size, batch, seed, std: opts.std, decayPower: opts.decayPower, decorrelate: opts.decorrelate });
  const optimizer = tf.train.adam(opts.lr ?? 0.05);
  const history: RenderResult['history'] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const rule: ReluRule = step < redirectedSteps ? 'redirected' : 'gradient';
      let perItem: tf.Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const img = param.render();
        const values = evaluate(transform ? transform(img) : img, img, rule);
        perItem = tf.keep(values);
        return tf.sum(values) as tf.Scalar;
      }, [param.variable]);
      const grad = grads[param.variable.name];
      try {
        const loss = (await value.data())[0];
        const itemValues = perItem! as tf.Tensor;
        if (!Number.isFinite(loss)) throw new Error(describeFailure(objective, (await itemValues.data()) as Float32Array, step, 'the value'));
        const gsum = tf.sum(grad);
        const gfinite = Number.isFinite((await gsum.data())[0]);
        gsum.dispose();
        if (!gfinite) throw new Error(describeFailure(objective, null, step, 'the gradient'));
        if (step % historyEvery === 0 || step === steps - 1) history.push({ step, values: Array.from(await itemValues.data()) });
        // Adam minimizes: hand it the negated gradient to maximize the objective.
        tf.tidy(() => optimizer.applyGradients([{ name: param.variable.name, tensor: tf.neg(grad) }]));
        opts.onStep?.({ step, loss, ms: performance.now() - t0 });
      } finally {
        value.dispose();
        Object.values(grads).forEach((g) => g.dispose());
        (perItem as tf.Tensor | null)?.dispose();
      }
    }
    const final = param.render();
    const reachedT = tf.tidy(() => measure(final, final, 'gradient'));
    const reached = Array.from(await reachedT.data());
    reachedT.dispose();
    const flat = await final.data();
    const per = size * size * 3;
    const images = Array.from({ length: batch }, (_, i) => Float32Array.from(flat.subarray(i * per, (i + 1) * per)));
    if (!opts.keepTensor) final.dispose();
    return { images, size, reached, history, steps, ms: performance.now() - t0, tensor: opts.keepTensor ? final : undefined };
  } finally {
    optimizer.dispose();
    param.dispose();
  }
}
