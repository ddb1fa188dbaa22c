/** Human-readable sizes and durations for progress lines and logs. */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatCount(value: number, unit: 'items' | 'bytes'): string {
  return unit === 'bytes' ? formatBytes(value) : String(Math.round(value));
}

export function formatRate(perSecond: number, unit: 'items' | 'bytes'): string {
  if (!Number.isFinite(perSecond)) return '?';
  return unit === 'bytes' ? `${formatBytes(perSecond)}/s` : `${perSecond.toFixed(perSecond < 10 ? 1 : 0)}/s`;
}
