import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerWasmGradientKernels } from './kernels/register.ts';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** Human-readable detail recorded in provenance, e.g. "wasm (simd, 1 thread)". */
  detail: string;
  tfjsVersion: string;
}

const require = createRequire(import.meta.url);
let current: BackendInfo | null = null;

/** tfjs-node is an optional install (it downloads libtensorflow); use it only when it loads. */
async function tryTfjsNode(): Promise<boolean> {
  try {
    const moduleName = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ moduleName);
    return tf.findBackend('tensorflow') != null && (await tf.setBackend('tensorflow'));
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(distDir + path.sep);
  // Emscripten's pthread build spawns workers from blob: URLs, which Node's worker_threads refuse;
  // the SIMD single-thread build is the one that works under Node.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const ok = await tf.setBackend('wasm').catch(() => false);
  if (ok) registerWasmGradientKernels();
  return ok;
}

async function describe(name: BackendName): Promise<string> {
  if (name !== 'wasm') return name;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return `wasm (${simd ? 'simd' : 'no simd'}, 1 thread)`;
}

/**
 * Picks the fastest backend that works here: tfjs-node, then wasm, then the JS cpu backend.
 * `preferred` (from --backend or ATLAS_BACKEND) forces one and fails loudly if it cannot start.
 */
export async function initBackend(preferred?: string, log: (msg: string) => void = () => {}): Promise<BackendInfo> {
  const want = (preferred ?? process.env.ATLAS_BACKEND ?? 'auto') as BackendName | 'auto';
  const tries: Record<BackendName, () => Promise<boolean>> = {
    tensorflow: tryTfjsNode,
    wasm: tryWasm,
    cpu: () => tf.setBackend('cpu'),
  };
  const order: BackendName[] = want === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [want];
  if (!order.every((n) => n in tries)) {
    throw new Error(`unknown backend "${want}"; choose one of: auto, tensorflow, wasm, cpu`);
  }
  for (const name of order) {
    if (await tries[name]()) {
      await tf.ready();
      current = { name, detail: await describe(name), tfjsVersion: tf.version.tfjs };
      log(`compute backend: ${current.detail}`);
      return current;
    }
  }
  throw new Error(`backend "${want}" could not be started` + (want === 'tensorflow' ? ' (is @tensorflow/tfjs-node installed?)' : ''));
}

export function backendInfo(): BackendInfo {
  if (!current) throw new Error('initBackend() has not been called');
  return current;
}
