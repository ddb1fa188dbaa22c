import { createProgress, type Progress } from '../util/progress.ts';
import type { AssetSource, FetchAllOptions, FetchedAsset, FetchEntry, FetchProgressEvent } from './fetch-types.ts';

export interface BatchTracker {
  onProgress: (event: FetchProgressEvent) => void;
  completed: (entry: FetchEntry, asset: FetchedAsset) => void;
  finish: () => void;
}

/** One aggregated line for a batch: bytes still to move, files done, per-source counts at the end. */
export function batchTracker(entries: FetchEntry[], opts: FetchAllOptions): BatchTracker {
  const totalFiles = new Set(entries.map((e) => e.url)).size;
  const knownBytes = entries.reduce((sum, e) => sum + (e.bytes ?? 0), 0);
  const progress = opts.progress === false ? undefined : createProgress({ label: opts.label ?? 'assets', total: knownBytes || undefined, unit: 'bytes' });
  const received = new Map<string, number>();
  const counts: Record<AssetSource, number> = { cache: 0, mirror: 0, network: 0, local: 0 };
  let files = 0;
  return {
    onProgress: (event) => {
      progress?.tick(event.receivedBytes - (received.get(event.url) ?? 0));
      received.set(event.url, event.receivedBytes);
      opts.onProgress?.(event);
    },
    completed: (entry, asset) => {
      files++;
      counts[asset.source]++;
      if (progress) settleBytes(progress, entry, asset, received.get(entry.url) ?? 0);
      progress?.setDetail(`${files}/${totalFiles} files`);
    },
    finish: () => {
      const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([source, n]) => `${n} ${source}`);
      progress?.finish(`${files} files ready (${parts.join(', ') || 'none'})`);
    },
  };
}

/** Files that needed no transfer leave the byte total, so rate and ETA describe real transfers. */
function settleBytes(progress: Progress, entry: FetchEntry, asset: FetchedAsset, streamed: number): void {
  const expected = entry.bytes ?? 0;
  const moved = asset.source === 'network' ? streamed : asset.source === 'mirror' ? asset.bytes : 0;
  if (asset.source === 'mirror') progress.tick(asset.bytes);
  const total = (progress.total ?? 0) - expected + moved;
  progress.setTotal(total > 0 ? total : undefined);
}
