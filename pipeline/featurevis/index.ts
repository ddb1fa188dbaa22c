/** Feature visualization (Lucid's optvis split): parameterization, transforms, objectives, render loop, class models. */
export * from './color.ts';
export * from './param-fourier.ts';
export * from './transforms.ts';
export * from './objectives.ts';
export * from './render.ts';
export * from './class-model.ts';
export { matMulT } from './matmul.ts';
