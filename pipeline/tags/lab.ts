/**
 * sRGB (8-bit, D65) to CIELAB. Colour names are matched in Lab because its distances and its
 * lightness L* follow perception far better than RGB's: a dark blue and a light blue stay "blue".
 */

/** sRGB transfer function inverted, per 8-bit level: a table, since every pixel needs three. */
const LINEAR = Float64Array.from({ length: 256 }, (_, i) => {
  const c = i / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

// D65 reference white, for XYZ scaled so that Y of white is 1.
const XN = 0.95047;
const ZN = 1.08883;

const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);

/** [L*, a*, b*] of an 8-bit sRGB colour. */
export function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  const R = LINEAR[r];
  const G = LINEAR[g];
  const B = LINEAR[b];
  const x = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / XN;
  const y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / ZN;
  const fy = f(y);
  return [116 * fy - 16, 500 * (f(x) - fy), 200 * (fy - f(z))];
}

/** Chroma: distance from the grey axis. */
export const chroma = (lab: readonly number[]): number => Math.hypot(lab[1], lab[2]);
