import { groupColour } from './palette.ts';

/**
 * The 2D layout as an SVG of coloured dots (what the page shows without WebGL or JavaScript).
 * Coordinates are rounded to 0.1 px, which keeps 8,000 points under ~300 KB.
 */
export function layoutSvg(positions: Float32Array, groups: Uint8Array, groupNames: string[], size = 800): string {
  const n = groups.length;
  const r = n > 4000 ? 2 : n > 1000 ? 2.5 : 3.5;
  const half = size / 2;
  const pad = 0.96;
  const byGroup = new Map<number, string[]>();
  for (let i = 0; i < n; i++) {
    const x = (half + positions[2 * i] * half * pad).toFixed(1);
    // SVG's y grows downwards; the WebGL view's grows upwards.
    const y = (half - positions[2 * i + 1] * half * pad).toFixed(1);
    const list = byGroup.get(groups[i]) ?? [];
    list.push(`<circle cx="${x}" cy="${y}" r="${r}"/>`);
    byGroup.set(groups[i], list);
  }
  const body = [...byGroup]
    .sort((a, b) => a[0] - b[0])
    .map(([g, circles]) => `<g fill="${groupColour(g, groupNames.length)}" fill-opacity="0.8"><title>${escapeXml(groupNames[g])}</title>${circles.join('')}</g>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="#111"/>${body}</svg>`;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
