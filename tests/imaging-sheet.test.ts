import { describe, expect, it } from 'vitest';
import { cropToTile, resizeToTile } from '../pipeline/imaging/sheet.ts';

/** A w x h picture whose red channel is x, green y, blue 7. */
const ramp = (w: number, h: number) => ({ data: Uint8Array.from({ length: w * h * 3 }, (_, i) => [Math.floor(i / 3) % w, Math.floor(i / 3 / w), 7][i % 3]), width: w, height: h });
const px = (t: Uint8Array, w: number, x: number, y: number) => Array.from(t.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));

describe('tile resizing', () => {
  it('enlarges a crop by nearest neighbour: every source pixel becomes a solid block', async () => {
    const tile = await cropToTile(ramp(10, 10), [2, 3, 4, 5], [6, 6]);
    for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) expect(px(tile, 6, x, y)).toEqual([3 + Math.floor(x / 2), 2 + Math.floor(y / 2), 7]);
  });

  it('shrinks by averaging the pixels under each output pixel, and clips boxes to the picture', async () => {
    const tile = await resizeToTile(ramp(8, 8), [4, 4]);
    expect(px(tile, 4, 0, 0)).toEqual([1, 1, 7]); // mean of x ∈ {0,1} is 0.5 → rounds to 1
    expect(px(tile, 4, 3, 2)).toEqual([7, 5, 7]);
    const clipped = await cropToTile(ramp(8, 8), [-3, -3, 1, 1], [2, 2]);
    expect(px(clipped, 2, 1, 1)).toEqual([1, 1, 7]);
  });
});
