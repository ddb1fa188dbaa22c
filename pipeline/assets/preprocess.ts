import { z } from 'zod';

const perChannel = z.union([z.number(), z.tuple([z.number(), z.number(), z.number()])], {
  errorMap: () => ({ message: 'expected a number, or an [r, g, b] triple of numbers' }),
});

/**
 * How a model wants its input: pixels arrive as 0..255 RGB and become `x * scale + offset`.
 * Per-channel triples cover mean/std normalisation; `bgr` covers Caffe-style ports.
 */
export const preprocessSchema = z
  .object({
    scale: perChannel,
    offset: perChannel,
    channelOrder: z.enum(['rgb', 'bgr']).default('rgb'),
    fit: z.enum(['center-crop', 'squash']).default('center-crop'),
  })
  .strict();

export type Preprocess = z.infer<typeof preprocessSchema>;
export type PreprocessInput = z.input<typeof preprocessSchema>;

/** MobileNet / Inception convention, [-1, 1]; also what Teachable Machine exports expect. */
export const MOBILENET_PREPROCESS: Preprocess = {
  scale: 1 / 127.5,
  offset: -1,
  channelOrder: 'rgb',
  fit: 'center-crop',
};

/** Darknet: RGB scaled to [0, 1], whole image squashed to the input (as ml5 feeds it). */
export const DARKNET_PREPROCESS: Preprocess = {
  scale: 1 / 255,
  offset: 0,
  channelOrder: 'rgb',
  fit: 'squash',
};
