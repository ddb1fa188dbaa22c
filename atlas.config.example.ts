/**
 * Example ConvNet Atlas configuration. Copy to `atlas.config.ts` (or .mjs / .json) at the repository
 * root, or point to it with `--config path` or env ATLAS_CONFIG. Every field is optional: leaving
 * one out keeps the default gallery (MobileNet v1 0.75, the 28 showcase photos, and one ImageNet
 * image per class). Relative paths are resolved against the directory of this file.
 */
import { defineConfig } from './pipeline/config/define-config.ts';

export default defineConfig({
  // Offline copy of the public assets, laid out as <host>/<path>. Default: env ATLAS_MIRROR, else
  // ../shared/mirror next to the repository when it exists. `null` turns the mirror off. Env ATLAS_MIRROR wins.
  mirror: '../shared/mirror',

  // Where downloaded files are kept (verified by sha256). Default .atlas/cache; env ATLAS_CACHE wins.
  cacheDir: '.atlas/cache',

  // One or more TensorFlow.js layers models. Ids become part of file names and URLs.
  models: [
    // A model this build trains itself (README "A convnet trained here"), then loads from its saved model.json:
    // { id: 'cifar_small', trained: 'cifar10', dataset: { catalog: 'dataset:cifar10-test-1000' } },
    // A model from the built-in catalog (pipeline/assets/catalog.json): files, labels and preprocessing come with it.
    { id: 'mobilenet_v1_0.75_224', name: 'MobileNet v1 0.75', catalog: 'model:mobilenet_v1_0.75_224' },

    // Your own model: model.json by https URL or path; its weight shards are fetched from beside it.
    {
      id: 'my-net',
      name: 'My network',
      modelUrl: './models/my-net/model.json', // or 'https://example.org/my-net/model.json'
      // Class names: inline array, or a .json (array or {"labels": [...]}) / .txt (one per line) file or URL.
      // Default: metadata.json next to model.json if there is one (Teachable Machine / ml5 exports).
      labels: './models/my-net/labels.json',
      // Square input side. Default: read from model.json (batch_input_shape), else 224.
      inputSize: 224,
      // Pixels arrive as RGB 0..255 and become x * scale + offset (per-channel triples allowed,
      // e.g. ImageNet mean/std: scale [1/58.395, 1/57.12, 1/57.375], offset [-2.118, -2.036, -1.804]).
      // channelOrder 'bgr' for Caffe-style ports; fit 'squash' resizes without cropping.
      // Default: { scale: 1/127.5, offset: -1, channelOrder: 'rgb', fit: 'center-crop' }.
      preprocess: { scale: 1 / 127.5, offset: -1, channelOrder: 'rgb', fit: 'center-crop' },
      // Optional pins, keyed by path relative to model.json; unpinned files are accepted and their
      // sha256 printed once so you can paste it here.
      sha256: {
        // 'model.json': '<64 hex digits>',
        // 'group1-shard1of1': '<64 hex digits>',
      },
      // This model's own dataset for its unit pages and accuracy (same forms as the top-level `dataset`),
      // e.g. CIFAR-10 test images for a 32 px CIFAR model. Default: the top-level dataset.
      // dataset: { catalog: 'dataset:cifar10-test-1000' },
      // Shown on the site next to the model.
      license: 'CC-BY-4.0',
      credit: 'Your name',
    },
  ],

  images: {
    // The curated gallery from the catalog; `false` leaves it out.
    showcase: { catalog: 'images:showcase' },
    // More pictures: folders (searched recursively for jpg/jpeg/png/webp/gif/tif/avif), files or URLs.
    // The object form adds attribution, which a public site needs for CC-BY images.
    extra: [
      './my-photos/',
      'https://example.org/a.jpg',
      { url: './my-photos/special/cat.png', id: 'my-cat', label: 'tabby cat', license: 'CC0-1.0', credit: 'Me' },
    ],
  },

  // Images scored for accuracy and per-class views. Either a catalog dataset
  // ('dataset:imagenet-sample-1000', 'dataset:caltech101-mini-25', 'dataset:cifar10-test-1000'),
  // or a folder in ImageFolder layout (<folder>/<class name>/<image>). `limit` keeps the first N
  // (handy for quick builds). `false` for no dataset.
  dataset: { catalog: 'dataset:imagenet-sample-1000' },
  // dataset: { folder: './my-dataset/', limit: 200 },
});
