/**
 * Group colours of the maps, shared by the static SVG and the page script: Okabe & Ito's
 * colour-blind-safe set first, then a few distinguishable extras; the last group ("object") grey.
 */
export const GROUP_COLOURS = ['#e69f00', '#56b4e9', '#cc79a7', '#009e73', '#0072b2', '#d55e00', '#f0e442', '#9467bd', '#8c564b', '#17becf', '#bcbd22'];
export const OTHER_COLOUR = '#9a9a9a';

export function groupColour(index: number, groupCount: number): string {
  if (index === groupCount - 1 && groupCount > 1) return OTHER_COLOUR;
  return GROUP_COLOURS[index % GROUP_COLOURS.length];
}
