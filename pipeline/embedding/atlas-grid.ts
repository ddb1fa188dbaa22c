/**
 * Where thumbnail i sits in the atlas: pages of `perRow` × `rowsPerPage` square cells. The row is
 * floor(i / perRow) — with perRow, never the column count of some other grid (the Embedding
 * Projector's sprite bug) — so non-square grids and partial last pages work.
 */
export interface AtlasGrid {
  cell: number;
  perRow: number;
  rowsPerPage: number;
}

export function atlasGrid(pageSize: number, cell: number): AtlasGrid {
  if (pageSize % cell !== 0) throw new Error(`atlas page ${pageSize}px is not a multiple of the ${cell}px cell`);
  return { cell, perRow: pageSize / cell, rowsPerPage: pageSize / cell };
}

export function cellOf(grid: AtlasGrid, i: number): { page: number; col: number; row: number; x: number; y: number } {
  const perPage = grid.perRow * grid.rowsPerPage;
  const page = Math.floor(i / perPage);
  const j = i - page * perPage;
  const row = Math.floor(j / grid.perRow);
  const col = j % grid.perRow;
  return { page, col, row, x: col * grid.cell, y: row * grid.cell };
}

/** Page count and each page's pixel height (the last page only as tall as its rows). */
export function pageSizes(grid: AtlasGrid, count: number): { width: number; height: number }[] {
  const perPage = grid.perRow * grid.rowsPerPage;
  const pages: { width: number; height: number }[] = [];
  for (let start = 0; start < count; start += perPage) {
    const inPage = Math.min(perPage, count - start);
    pages.push({ width: grid.perRow * grid.cell, height: Math.ceil(inPage / grid.perRow) * grid.cell });
  }
  return pages;
}
