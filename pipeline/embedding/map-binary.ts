/**
 * The one file a map page loads besides its atlas pages: a little-endian uint32 header length, a
 * JSON header (strings: labels, links, class names), padded to 4 bytes, then typed arrays
 * (positions, neighbours, groups, atlas cells, top-5) at offsets the header lists. Shared by the
 * build (encode) and the page script (decode); no Node or DOM APIs.
 */
export type SectionType = 'f32' | 'u32' | 'u16' | 'u8';
type Typed = Float32Array | Uint32Array | Uint16Array | Uint8Array;

export interface MapSection {
  name: string;
  type: SectionType;
  /** Values per point. */
  width: number;
  offset: number;
}

export interface MapHeader {
  version: 1;
  count: number;
  /** Per point: its name (class, or layer · unit) and a second line (top prediction, or tag). */
  labels: string[];
  sub: string[];
  /** Per point: its page, relative to the model's page (e.g. "images/x/", "layers/l/units/3/"). */
  links: string[];
  /** Per point: a larger picture (site-relative file) for the side panel, or '' to enlarge its atlas cell. */
  pictures: string[];
  /** Group names (legend order); section "group" holds each point's index into it. */
  groups: string[];
  /** Class names by index, for the top-5 section (only the classes it uses). */
  classNames: Record<string, string>;
  sections: MapSection[];
}

const TYPES = { f32: Float32Array, u32: Uint32Array, u16: Uint16Array, u8: Uint8Array } as const;
const typeOf = (a: Typed): SectionType => (a instanceof Float32Array ? 'f32' : a instanceof Uint32Array ? 'u32' : a instanceof Uint16Array ? 'u16' : 'u8');

export function encodeMap(header: Omit<MapHeader, 'sections' | 'version'>, arrays: Record<string, { data: Typed; width: number }>): Uint8Array {
  const sections: MapSection[] = [];
  let offset = 0;
  for (const [name, { data, width }] of Object.entries(arrays)) {
    if (data.length !== header.count * width) throw new Error(`map section ${name}: ${data.length} values for ${header.count} points × ${width}`);
    sections.push({ name, type: typeOf(data), width, offset });
    offset += Math.ceil(data.byteLength / 4) * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify({ ...header, version: 1, sections }));
  const start = 4 + Math.ceil(json.length / 4) * 4;
  const out = new Uint8Array(start + offset);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  for (const s of sections) {
    const a = arrays[s.name].data;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), start + s.offset);
  }
  return out;
}

export interface DecodedMap {
  header: MapHeader;
  has(name: string): boolean;
  f32(name: string): Float32Array;
  u32(name: string): Uint32Array;
  u16(name: string): Uint16Array;
  u8(name: string): Uint8Array;
  width(name: string): number;
}

export function decodeMap(buffer: ArrayBuffer): DecodedMap {
  const length = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length))) as MapHeader;
  if (header.version !== 1) throw new Error(`map file version ${header.version} is not 1`);
  const start = 4 + Math.ceil(length / 4) * 4;
  const find = (name: string, type: SectionType) => {
    const s = header.sections.find((x) => x.name === name);
    if (!s) throw new Error(`map file has no section ${name}`);
    if (s.type !== type) throw new Error(`map section ${name} is ${s.type}, not ${type}`);
    return new TYPES[type](buffer, start + s.offset, header.count * s.width);
  };
  return {
    header,
    has: (name) => header.sections.some((s) => s.name === name),
    f32: (name) => find(name, 'f32') as Float32Array,
    u32: (name) => find(name, 'u32') as Uint32Array,
    u16: (name) => find(name, 'u16') as Uint16Array,
    u8: (name) => find(name, 'u8') as Uint8Array,
    width: (name) => header.sections.find((s) => s.name === name)?.width ?? 0,
  };
}
