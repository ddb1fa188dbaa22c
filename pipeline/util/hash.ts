import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256Buffer(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Streamed so that large weight files never have to sit in memory whole. */
export async function sha256File(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * JSON with object keys sorted at every level, so that two equal values always serialise the same
 * way whatever order their keys were built in. Binary data is reduced to its hash, so large tensors
 * can be part of a cache key cheaply.
 */
export function stableStringify(value: unknown): string {
  return serialise(value, new Set());
}

/** A cache key for "these inputs with these parameters". */
export function stableHash(value: unknown): string {
  return sha256Buffer(stableStringify(value));
}

function serialise(value: unknown, seen: Set<object>): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
    case 'bigint':
      return JSON.stringify(`${value}n`);
    case 'object':
      return serialiseObject(value, seen);
    default:
      throw new TypeError(`stableStringify: cannot serialise a ${typeof value}`);
  }
}

function serialiseObject(value: object, seen: Set<object>): string {
  if (seen.has(value)) throw new TypeError('stableStringify: circular structure');
  seen.add(value);
  try {
    if (ArrayBuffer.isView(value)) {
      return binaryToken(value.constructor.name, new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    if (value instanceof ArrayBuffer) return binaryToken('ArrayBuffer', new Uint8Array(value));
    if (value instanceof Date) return JSON.stringify(value.toISOString());
    if (Array.isArray(value)) return `[${value.map((v) => serialise(v, seen)).join(',')}]`;
    if (value instanceof Map) return serialiseEntries([...value.entries()].map(([k, v]) => [String(k), v]), seen);
    if (value instanceof Set) return serialise([...value].map((v) => stableStringify(v)).sort(), seen);
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
    return serialiseEntries(entries, seen);
  } finally {
    seen.delete(value);
  }
}

function serialiseEntries(entries: [string, unknown][], seen: Set<object>): string {
  const sorted = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${sorted.map(([k, v]) => `${JSON.stringify(k)}:${serialise(v, seen)}`).join(',')}}`;
}

function binaryToken(kind: string, bytes: Uint8Array): string {
  return JSON.stringify(`${kind}:${bytes.byteLength}:${sha256Buffer(bytes)}`);
}
