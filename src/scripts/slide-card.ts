/**
 * A 1600x900 slide card of one unit, drawn in the browser from files the page already uses: the
 * unit's feature maps cut from the photos' sheets, the gallery photos beside them, what the unit
 * detects (feature visualization, top dataset patches) when the atlas has it, its name and model,
 * and the credits of every photo on the card (CC-BY photos require them).
 */
export interface CardData {
  filename: string;
  kicker: string;
  title: string;
  subtitle: string;
  stats: string;
  /** Per photo, the sheet of its maps at this layer and the unit's tile in it (each map normalised to its own range). */
  images: { label: string; photo: string; map: { src: string; cols: number; tile: [number, number]; index: number }; max: string; credit: string }[];
  weights?: { src: string; cols: number; tile: [number, number]; index: number };
  /** What the unit detects, from the unit atlas: its feature visualization and the first tiles of its top-patch sheet. */
  detects?: {
    vis?: { src: string; label: string };
    patches?: { src: string; cols: number; tile: [number, number]; count: number };
  };
}

export const CARD = { width: 1600, height: 900 };
const MAGMA = ['#000004', '#1c1044', '#4f127b', '#812581', '#b5367a', '#e55064', '#fb8761', '#fec287', '#fcfdbf'];
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`cannot load ${src}`));
    img.src = src;
  });
}

function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(`${s}…`).width > width) s = s.slice(0, -1);
  return `${s}…`;
}

/** Word-wraps into at most `maxLines` lines of `width` px; the last line ends with … if cut. */
function wrap(ctx: CanvasRenderingContext2D, text: string, width: number, maxLines: number): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (ctx.measureText(candidate).width <= width) line = candidate;
    else {
      if (line) lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = fitText(ctx, `${kept[maxLines - 1]} ${lines.slice(maxLines).join(' ')}`, width);
    return kept;
  }
  return lines;
}

export async function drawSlideCard(data: CardData, pageUrl: string): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = CARD.width;
  canvas.height = CARD.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  const shown = data.images.slice(0, data.detects ? 4 : 6);
  const [weights, vis, patches, ...loaded] = await Promise.all([
    data.weights ? loadImage(data.weights.src) : Promise.resolve(null),
    data.detects?.vis ? loadImage(data.detects.vis.src) : Promise.resolve(null),
    data.detects?.patches ? loadImage(data.detects.patches.src) : Promise.resolve(null),
    ...shown.map((i) => loadImage(i.photo)),
    ...shown.map((i) => loadImage(i.map.src)),
  ]);
  const photos = loaded.slice(0, shown.length);
  const sheets = loaded.slice(shown.length);

  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, CARD.width, CARD.height);
  ctx.fillStyle = '#000004';
  ctx.fillRect(0, 0, CARD.width, 10);

  const left = 80;
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = '#5b5f66';
  ctx.font = `600 22px ${FONT}`;
  ctx.fillText(data.kicker.toUpperCase(), left, 78);
  ctx.fillStyle = '#1b1b1f';
  ctx.font = `700 60px ${FONT}`;
  ctx.fillText(fitText(ctx, data.title, 1200), left, 148);
  ctx.fillStyle = '#3c3f45';
  ctx.font = `400 26px ${FONT}`;
  ctx.fillText(fitText(ctx, data.subtitle, 1200), left, 192);

  if (weights && data.weights) {
    const w = data.weights;
    const sx = (w.index % w.cols) * w.tile[1];
    const sy = Math.floor(w.index / w.cols) * w.tile[0];
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(weights, sx, sy, w.tile[1], w.tile[0], 1360, 50, 160, 160);
    ctx.fillStyle = '#5b5f66';
    ctx.font = `400 16px ${FONT}`;
    ctx.fillText('filter weights (RGB)', 1360, 232);
  }

  // Up to six photos (four when the right column shows what the unit detects), each with the unit's map beside it.
  const size = 200;
  const cellW = 480;
  const top = 250;
  const rowH = 268;
  const perRow = data.detects ? 2 : 3;
  shown.forEach((img, i) => {
    const x = left + (i % perRow) * cellW;
    const y = top + Math.floor(i / perRow) * rowH;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(photos[i], x, y, size, size);
    const s = img.map;
    const sx = (s.index % s.cols) * s.tile[1];
    const sy = Math.floor(s.index / s.cols) * s.tile[0];
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(sheets[i]!, sx, sy, s.tile[1], s.tile[0], x + size + 12, y, size, size);
    ctx.fillStyle = '#1b1b1f';
    ctx.font = `600 19px ${FONT}`;
    ctx.fillText(fitText(ctx, img.label, size * 2 - 60), x, y + size + 28);
    ctx.fillStyle = '#5b5f66';
    ctx.font = `400 17px ${FONT}`;
    const maxText = `max ${img.max}`;
    ctx.fillText(maxText, x + size * 2 + 12 - ctx.measureText(maxText).width, y + size + 28);
  });

  // What the unit detects: its feature visualization and its strongest dataset patches (3×3).
  const dx = left + 2 * cellW + 20;
  ctx.font = `600 19px ${FONT}`;
  if (vis && data.detects?.vis) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(vis, dx, top, size, size);
    ctx.fillStyle = '#1b1b1f';
    ctx.fillText(fitText(ctx, data.detects.vis.label, 2 * size), dx, top + size + 28);
  }
  if (patches && data.detects?.patches) {
    const p = data.detects.patches;
    const y0 = vis ? top + rowH : top;
    const cell = Math.floor((size - 8) / 3);
    ctx.imageSmoothingEnabled = false;
    for (let k = 0; k < p.count; k++) {
      const sx = (k % p.cols) * p.tile[1];
      const sy = Math.floor(k / p.cols) * p.tile[0];
      ctx.drawImage(patches, sx, sy, p.tile[1], p.tile[0], dx + (k % 3) * (cell + 4), y0 + Math.floor(k / 3) * (cell + 4), cell, cell);
    }
    ctx.fillStyle = '#1b1b1f';
    ctx.font = `600 19px ${FONT}`;
    ctx.fillText(`top ${p.count} dataset patches`, dx, y0 + size + 28);
  }

  // Colour scale and statistics.
  const barY = 782;
  const gradient = ctx.createLinearGradient(left, 0, left + 240, 0);
  MAGMA.forEach((c, i) => gradient.addColorStop(i / (MAGMA.length - 1), c));
  ctx.fillStyle = gradient;
  ctx.fillRect(left, barY - 14, 240, 14);
  ctx.fillStyle = '#5b5f66';
  ctx.font = `400 17px ${FONT}`;
  // Each map spans its own range: the bar's ends are each map's minimum and maximum (the "max" under it).
  ctx.fillText('min', left, barY + 20);
  ctx.fillText('max of each map', left + 240 - ctx.measureText('max of each map').width, barY + 20);
  ctx.fillText(fitText(ctx, data.stats, CARD.width - left - (left + 270)), left + 270, barY);

  // Credits of every photo on the card, never cut: the font shrinks until they fit in three lines.
  const credits = `Photos: ${shown
    .map((i) => `${i.label} — ${i.credit}`)
    .join('; ')}.`;
  ctx.fillStyle = '#5b5f66';
  let fontSize = 16;
  let lines: string[] = [];
  for (; fontSize >= 10; fontSize--) {
    ctx.font = `400 ${fontSize}px ${FONT}`;
    lines = wrap(ctx, credits, CARD.width - 2 * left, 99);
    if (lines.length <= 3) break;
  }
  lines.forEach((line, i) => ctx.fillText(line, left, 826 + i * (fontSize + 4)));
  ctx.fillStyle = '#2450b2';
  ctx.font = `400 15px ${FONT}`;
  ctx.fillText(fitText(ctx, pageUrl, CARD.width - 2 * left), left, 886);

  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas export failed'))), 'image/png'));
}
