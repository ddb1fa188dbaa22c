import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGradient, conv2dInputGradient, depthwiseFilterGradient, depthwiseInputGradient } from './conv-backprop.ts';
import { maxPoolGrad } from './max-pool-grad.ts';
import { unsortedSegmentSum } from './segment-sum.ts';

type Inputs = Record<string, tf.Tensor>;
type TensorKernel = (inputs: Inputs, attrs: Record<string, unknown>) => tf.Tensor;

/**
 * Kernels receive bare TensorInfos; wrapping them as Tensors lets a kernel be written with ordinary
 * tfjs ops (which run on the same backend and are not recorded on the gradient tape).
 */
function asKernelFunc(fn: TensorKernel): tf.KernelFunc {
  return ({ inputs, attrs, backend: anyBackend }) => {
    const backend = anyBackend as tf.KernelBackend;
    const engine = tf.engine();
    const wrapped: Inputs = {};
    for (const [name, info] of Object.entries(inputs)) {
      if (!info) continue;
      // The wrapper holds its own reference: disposing it must not free the caller's input.
      wrapped[name] = engine.makeTensorFromTensorInfo(info, backend);
      backend.incRef(info.dataId);
    }
    try {
      return fn(wrapped, (attrs ?? {}) as Record<string, unknown>);
    } finally {
      Object.values(wrapped).forEach((t) => t.dispose());
    }
  };
}

const replacements: Record<string, TensorKernel> = {
  Conv2DBackpropInput: ({ dy, filter }, a) =>
    conv2dInputGradient(dy as tf.Tensor4D, filter as tf.Tensor4D, a.inputShape as never, a as never),
  DepthwiseConv2dNativeBackpropInput: ({ dy, filter }, a) =>
    depthwiseInputGradient(dy as tf.Tensor4D, filter as tf.Tensor4D, a.inputShape as never, a as never),
  Conv2DBackpropFilter: ({ x, dy }, a) =>
    conv2dFilterGradient(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape as never, a as never),
  DepthwiseConv2dNativeBackpropFilter: ({ x, dy }, a) =>
    depthwiseFilterGradient(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape as never, a as never),
  UnsortedSegmentSum: ({ x, segmentIds }, a) => unsortedSegmentSum(x, segmentIds, a.numSegments as number),
  MaxPoolGrad: ({ dy, input }, a) => maxPoolGrad(dy, input, a),
};

/**
 * tfjs clones every tensor it saves for the backward pass. wasm's Identity copies the bytes, which
 * costs time and gives each saved filter a new id, defeating the caches keyed by it (XNNPACK's
 * packed weights, derivedFilter). Tensors are immutable, so sharing the data, as the cpu backend
 * does, is safe.
 */
const sharedIdentity: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  (backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

export const replacedKernelNames = [...Object.keys(replacements), 'Identity'];

/** NCHW layouts are left to the backend's own kernel (none of our models use them). */
function needsOriginal(attrs: Record<string, unknown>): boolean {
  return attrs.dataFormat === 'NCHW';
}

let registered = false;

export function registerGradientKernels(backendName: string): void {
  if (tf.getKernel('Identity', backendName)) tf.unregisterKernel('Identity', backendName);
  tf.registerKernel({ kernelName: 'Identity', backendName, kernelFunc: sharedIdentity });
  for (const [kernelName, fn] of Object.entries(replacements)) {
    const original = tf.getKernel(kernelName, backendName);
    if (original) tf.unregisterKernel(kernelName, backendName);
    const fast = asKernelFunc(fn);
    tf.registerKernel({
      kernelName,
      backendName,
      kernelFunc: (args) => (original && needsOriginal(args.attrs as Record<string, unknown>) ? original.kernelFunc(args) : fast(args)),
    });
  }
}

export function registerWasmGradientKernels(): void {
  if (registered) return;
  registerGradientKernels('wasm');
  registered = true;
}
