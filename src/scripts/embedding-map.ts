/**
 * Embedding maps (components/maps/EmbeddingMap.astro): every point drawn as its thumbnail, as
 * instanced quads (one draw call per atlas page), in an orthographic 2D view with map-style
 * pan/zoom or a perspective 3D orbit view. Hover grows a thumbnail and labels it; click opens the
 * side panel (picture, top-5, nearest neighbours, link). Picking is on the CPU: a uniform grid over
 * the 2D layout, a screen-space scan in 3D. The URL keeps layout, view, zoom, centre and point.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { atlasGrid, cellOf } from '../../pipeline/embedding/atlas-grid.ts';
import { decodeMap, type DecodedMap } from '../../pipeline/embedding/map-binary.ts';
import { groupColour } from '../../pipeline/embedding/palette.ts';

type View = '2d' | '3d';

interface State {
  layout: string;
  view: View;
  zoom: number;
  x: number;
  y: number;
  selected: number;
  hovered: number;
  size: number;
  hidden: Set<number>;
  query: string;
}

const HOVER_SCALE = 2.6;
const SELECTED_SCALE = 2.2;
const CLICK_SLOP = 4;
/** The layout spans [-1, 1]; this leaves room for the thumbnails at the edges. */
const HOME_ZOOM = 0.85;

for (const root of document.querySelectorAll<HTMLElement>('[data-emap]')) {
  start(root).catch((err: Error) => note(root, `The interactive map could not start (${err.message}); the picture shows the same layout.`));
}

function note(root: HTMLElement, text: string): void {
  const el = root.querySelector<HTMLElement>('[data-emap-note]')!;
  el.textContent = text;
  el.hidden = false;
}

function webglAvailable(): boolean {
  try {
    const c = document.createElement('canvas');
    return !!(c.getContext('webgl2') || c.getContext('webgl'));
  } catch {
    return false;
  }
}

async function start(root: HTMLElement): Promise<void> {
  if (!webglAvailable()) {
    note(root, 'WebGL is not available in this browser: the picture shows the t-SNE layout without thumbnails.');
    return;
  }
  const q = <T extends HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
  const canvas = q<HTMLCanvasElement>('[data-emap-canvas]');
  const stage = q<HTMLElement>('[data-emap-stage]');
  const label = q<HTMLElement>('[data-emap-label]');
  const panel = q<HTMLElement>('[data-emap-panel]');
  const panelBody = q<HTMLElement>('[data-emap-panel-body]');
  const found = q<HTMLElement>('[data-emap-found]');
  const layoutSelect = q<HTMLSelectElement>('[data-emap-layout]');
  const searchInput = q<HTMLInputElement>('[data-emap-search]');
  const sizeInput = q<HTMLInputElement>('[data-emap-size]');
  const viewButtons = [...root.querySelectorAll<HTMLButtonElement>('[data-emap-view]')];
  const groupButtons = [...root.querySelectorAll<HTMLButtonElement>('[data-emap-group]')];
  const base = root.dataset.base!;
  const fileBase = new URL(root.dataset.src!, location.href).pathname.replace(/generated\/.*$/, '');
  const grid = { ...atlasGrid(Number(root.dataset.perRow) * Number(root.dataset.cell), Number(root.dataset.cell)), rowsPerPage: Number(root.dataset.rowsPerPage) };
  const pageUrls = JSON.parse(root.dataset.pages!) as string[];

  const [buffer, pages] = await Promise.all([
    fetch(root.dataset.src!).then((r) => {
      if (!r.ok) throw new Error(`${root.dataset.src} answered ${r.status}`);
      return r.arrayBuffer();
    }),
    Promise.all(pageUrls.map((u) => (u ? loadImage(u) : Promise.resolve(null)))),
  ]);
  const map = decodeMap(buffer);
  const n = map.header.count;
  const cells = map.u32('cell');
  const groups = map.u8('group');
  const layouts = ['tsne-2d', 'umap-2d', 'tsne-3d'].filter((id) => map.has(id));
  const searchText = map.header.labels.map((l, i) => `${l} ${map.header.sub[i]}`.toLowerCase());

  const state: State = { layout: 'tsne-2d', view: '2d', zoom: HOME_ZOOM, x: 0, y: 0, selected: -1, hovered: -1, size: 1, hidden: new Set(), query: '' };
  readUrl(state, layouts, n);

  // ---- three.js scene: one instanced mesh per atlas page
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: false, powerPreference: 'high-performance' });
  renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
  renderer.setClearColor(0x111111);
  const scene = new THREE.Scene();
  const ortho = new THREE.OrthographicCamera(-1, 1, 1, -1, -10, 10);
  ortho.position.set(0, 0, 5);
  const persp = new THREE.PerspectiveCamera(50, 1, 0.01, 100);
  persp.position.set(0, 0, 3.2);
  const controls = new OrbitControls(persp, canvas);
  controls.enabled = false;
  controls.enableDamping = false;
  controls.addEventListener('change', () => (dirty = true));

  const baseSize = Math.min(0.15, Math.max(0.012, 1.8 / Math.sqrt(n)));
  const uniforms = (texture: THREE.Texture, page: HTMLImageElement) => ({
    uMap: { value: texture },
    uCellSize: { value: new THREE.Vector2(grid.cell / page.naturalWidth, grid.cell / page.naturalHeight) },
    uSize: { value: baseSize },
    uBorder: { value: 0.08 },
    uLift: { value: 0.5 },
  });
  interface Batch {
    points: number[];
    offset: THREE.InstancedBufferAttribute;
    state: THREE.InstancedBufferAttribute;
    material: THREE.ShaderMaterial;
  }
  const batches: Batch[] = [];
  const batchOf = new Int32Array(n);
  const slotOf = new Int32Array(n);
  pages.forEach((page, p) => {
    if (!page) return;
    const points: number[] = [];
    for (let i = 0; i < n; i++) if (cellOf(grid, cells[i]).page === p) points.push(i);
    if (points.length === 0) return;
    const texture = new THREE.Texture(page);
    texture.flipY = false;
    texture.colorSpace = THREE.SRGBColorSpace;
    texture.minFilter = THREE.LinearMipmapLinearFilter;
    texture.magFilter = THREE.LinearFilter;
    texture.needsUpdate = true;
    const geometry = new THREE.InstancedBufferGeometry();
    const quad = new THREE.PlaneGeometry(1, 1);
    geometry.index = quad.index;
    geometry.setAttribute('position', quad.getAttribute('position'));
    geometry.setAttribute('uv', quad.getAttribute('uv'));
    const cellUv = new Float32Array(points.length * 2);
    const colour = new Float32Array(points.length * 3);
    const c = new THREE.Color();
    points.forEach((i, s) => {
      const cell = cellOf(grid, cells[i]);
      cellUv[2 * s] = cell.x / page.naturalWidth;
      cellUv[2 * s + 1] = cell.y / page.naturalHeight;
      c.set(groupColour(groups[i], map.header.groups.length));
      colour.set([c.r, c.g, c.b], 3 * s);
      batchOf[i] = batches.length;
      slotOf[i] = s;
    });
    const offset = new THREE.InstancedBufferAttribute(new Float32Array(points.length * 3), 3);
    const st = new THREE.InstancedBufferAttribute(new Float32Array(points.length * 2), 2);
    offset.setUsage(THREE.DynamicDrawUsage);
    st.setUsage(THREE.DynamicDrawUsage);
    geometry.setAttribute('iOffset', offset);
    geometry.setAttribute('iCell', new THREE.InstancedBufferAttribute(cellUv, 2));
    geometry.setAttribute('iColor', new THREE.InstancedBufferAttribute(colour, 3));
    geometry.setAttribute('iState', st);
    geometry.instanceCount = points.length;
    const material = new THREE.ShaderMaterial({ uniforms: uniforms(texture, page), vertexShader: VERTEX, fragmentShader: FRAGMENT });
    const mesh = new THREE.Mesh(geometry, material);
    mesh.frustumCulled = false;
    scene.add(mesh);
    batches.push({ points, offset, state: st, material });
  });

  // ---- positions and per-point state
  let pos = new Float32Array(n * 3);
  let pickGrid: PickGrid;
  const setLayout = () => {
    const id = state.view === '3d' ? 'tsne-3d' : state.layout;
    const src = map.f32(id);
    const dims = map.width(id);
    pos = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) for (let a = 0; a < dims; a++) pos[3 * i + a] = src[i * dims + a];
    for (const b of batches) {
      b.points.forEach((i, s) => b.offset.setXYZ(s, pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]));
      b.offset.needsUpdate = true;
    }
    pickGrid = buildPickGrid(pos, n);
    dirty = true;
  };
  const matches = (i: number) => !state.query || searchText[i].includes(state.query);
  const scaleOf = (i: number) => (state.hidden.has(groups[i]) ? 0 : i === state.hovered ? HOVER_SCALE : i === state.selected ? SELECTED_SCALE : 1);
  const updateStates = () => {
    let count = 0;
    for (const b of batches) {
      b.points.forEach((i, s) => {
        const m = matches(i);
        if (state.query && m && !state.hidden.has(groups[i])) count++;
        b.state.setXY(s, scaleOf(i), state.query && !m ? 1 : 0);
      });
      b.state.needsUpdate = true;
    }
    found.textContent = state.query ? `${count} found` : '';
    dirty = true;
  };
  const updatePoint = (i: number) => {
    if (i < 0) return;
    const b = batches[batchOf[i]];
    b.state.setX(slotOf[i], scaleOf(i));
    b.state.needsUpdate = true;
    dirty = true;
  };
  const setSize = () => {
    for (const b of batches) b.material.uniforms.uSize.value = baseSize * state.size;
    dirty = true;
  };

  // ---- cameras and drawing
  let dirty = true;
  let frames = 0;
  const camera = () => (state.view === '3d' ? persp : ortho);
  const resize = () => {
    const w = stage.clientWidth;
    const h = stage.clientHeight;
    renderer.setSize(w, h, false);
    const aspect = w / Math.max(1, h);
    ortho.left = -aspect;
    ortho.right = aspect;
    ortho.top = 1;
    ortho.bottom = -1;
    ortho.updateProjectionMatrix();
    persp.aspect = aspect;
    persp.updateProjectionMatrix();
    dirty = true;
  };
  const applyOrtho = () => {
    ortho.zoom = state.zoom;
    ortho.position.set(state.x, state.y, 5);
    ortho.updateProjectionMatrix();
    dirty = true;
  };
  const loop = () => {
    if (dirty) {
      dirty = false;
      for (const b of batches) b.material.uniforms.uLift.value = state.view === '2d' ? 0.5 : 0.02;
      renderer.render(scene, camera());
      frames++;
      root.dataset.frames = String(frames);
    }
    requestAnimationFrame(loop);
  };

  // ---- URL
  let urlTimer = 0;
  const writeUrl = () => {
    window.clearTimeout(urlTimer);
    urlTimer = window.setTimeout(() => {
      const p = new URLSearchParams(location.search);
      p.set('layout', state.layout);
      p.set('view', state.view);
      p.set('zoom', state.zoom.toFixed(2));
      p.set('x', state.x.toFixed(3));
      p.set('y', state.y.toFixed(3));
      if (state.selected >= 0) p.set('point', String(state.selected));
      else p.delete('point');
      history.replaceState(null, '', `${location.pathname}?${p}${location.hash}`);
    }, 150);
  };

  // ---- picking
  const toWorld = (ev: { clientX: number; clientY: number }) => {
    const r = canvas.getBoundingClientRect();
    const nx = ((ev.clientX - r.left) / r.width) * 2 - 1;
    const ny = 1 - ((ev.clientY - r.top) / r.height) * 2;
    return { x: state.x + (nx * ortho.right) / state.zoom, y: state.y + (ny * ortho.top) / state.zoom, nx, ny, r };
  };
  const pick = (ev: { clientX: number; clientY: number }): number => {
    const w = toWorld(ev);
    const half = (baseSize * state.size) / 2;
    if (state.view === '2d') {
      let best = -1;
      let bestD = Infinity;
      for (const i of pickGrid.near(w.x, w.y, half * HOVER_SCALE)) {
        if (state.hidden.has(groups[i])) continue;
        const h = half * scaleOf(i);
        const dx = Math.abs(pos[3 * i] - w.x);
        const dy = Math.abs(pos[3 * i + 1] - w.y);
        if (dx > h || dy > h) continue;
        // The hovered thumbnail is on top: it wins where it covers the cursor.
        const d = i === state.hovered ? -1 : dx * dx + dy * dy;
        if (d < bestD) [best, bestD] = [i, d];
      }
      return best;
    }
    const v = new THREE.Vector3();
    let best = -1;
    let bestDepth = Infinity;
    const pxPerNdc = w.r.height / 2;
    for (let i = 0; i < n; i++) {
      if (state.hidden.has(groups[i])) continue;
      v.set(pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]).applyMatrix4(persp.matrixWorldInverse);
      const depth = -v.z;
      if (depth <= 0) continue;
      const halfPx = ((half * scaleOf(i)) / (depth * Math.tan((persp.fov * Math.PI) / 360))) * pxPerNdc;
      v.applyMatrix4(persp.projectionMatrix);
      const dx = Math.abs((v.x - w.nx) * (w.r.width / 2));
      const dy = Math.abs((v.y - w.ny) * pxPerNdc);
      if (dx <= halfPx && dy <= halfPx && depth < bestDepth) [best, bestDepth] = [i, depth];
    }
    return best;
  };
  const setHover = (i: number, ev?: { clientX: number; clientY: number }) => {
    if (i !== state.hovered) {
      const old = state.hovered;
      state.hovered = i;
      updatePoint(old);
      updatePoint(i);
    }
    if (i < 0 || !ev) {
      label.hidden = true;
      return;
    }
    const r = stage.getBoundingClientRect();
    label.replaceChildren(document.createTextNode(map.header.labels[i]), el('small', map.header.sub[i]));
    label.hidden = false;
    const x = ev.clientX - r.left + 14;
    const y = ev.clientY - r.top + 14;
    label.style.left = `${Math.min(x, r.width - label.offsetWidth - 4)}px`;
    label.style.top = `${Math.min(y, r.height - label.offsetHeight - 4)}px`;
  };

  // ---- side panel
  const drawCell = (i: number, size: number): HTMLCanvasElement => {
    const c = document.createElement('canvas');
    c.width = size;
    c.height = size;
    const cell = cellOf(grid, cells[i]);
    const page = pages[cell.page];
    if (page) c.getContext('2d')!.drawImage(page, cell.x, cell.y, grid.cell, grid.cell, 0, 0, size, size);
    return c;
  };
  const select = (i: number, fly = true) => {
    const old = state.selected;
    state.selected = i;
    updatePoint(old);
    updatePoint(i);
    if (i < 0) {
      panel.hidden = true;
      writeUrl();
      return;
    }
    if (fly) {
      if (state.view === '2d') {
        state.x = pos[3 * i];
        state.y = pos[3 * i + 1];
        state.zoom = Math.max(state.zoom, 4);
        applyOrtho();
      } else {
        controls.target.set(pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]);
        controls.update();
      }
    }
    fillPanel(i);
    panel.hidden = false;
    resize();
    writeUrl();
  };
  const fillPanel = (i: number) => {
    const h = map.header;
    const parts: Node[] = [el('h2', h.labels[i]), el('p', h.sub[i], 'muted')];
    if (h.pictures[i]) {
      const img = document.createElement('img');
      img.className = 'emap-picture';
      img.src = fileBase + h.pictures[i];
      img.alt = h.labels[i];
      parts.push(img);
    } else {
      const c = drawCell(i, 192);
      c.className = 'emap-picture';
      parts.push(c);
    }
    if (map.has('top-class')) {
      const k = map.width('top-class');
      const cls = map.u16('top-class');
      const prob = map.f32('top-prob');
      const list = el('ol', '', 'emap-top5');
      for (let j = 0; j < k; j++) {
        const li = document.createElement('li');
        li.append(el('span', h.classNames[cls[i * k + j]] ?? `class ${cls[i * k + j]}`), el('span', `${(prob[i * k + j] * 100).toFixed(1)}%`));
        list.append(li);
      }
      parts.push(el('h3', 'Top-5 predictions'), list);
    }
    const k = map.width('neighbours');
    const nbIndex = map.u32('neighbours');
    const nbSim = map.f32('similarity');
    const grid4 = el('div', '', 'emap-neighbours');
    for (let j = 0; j < k; j++) {
      const other = nbIndex[i * k + j];
      const b = document.createElement('button');
      b.type = 'button';
      b.title = `${h.labels[other]} (cosine similarity ${nbSim[i * k + j].toFixed(3)})`;
      b.dataset.emapNeighbour = String(other);
      b.append(drawCell(other, 64));
      b.addEventListener('click', () => select(other));
      grid4.append(b);
    }
    parts.push(el('h3', `${k} nearest neighbours (cosine similarity)`), grid4);
    if (h.links[i]) {
      const a = document.createElement('a');
      a.href = base + h.links[i];
      a.textContent = h.links[i].startsWith('images/') ? 'Open the image page →' : h.links[i].startsWith('classes/') ? 'Open its class page →' : 'Open the unit page →';
      parts.push(el('p', ''), a);
    }
    panelBody.replaceChildren(...parts);
  };

  // ---- input
  let down: { x: number; y: number; sx: number; sy: number; moved: boolean } | null = null;
  canvas.addEventListener('pointerdown', (ev) => {
    down = { x: ev.clientX, y: ev.clientY, sx: state.x, sy: state.y, moved: false };
    try {
      if (state.view === '2d') canvas.setPointerCapture(ev.pointerId);
    } catch {
      /* synthetic events have no capturable pointer */
    }
    canvas.classList.add('dragging');
  });
  canvas.addEventListener('pointermove', (ev) => {
    if (down) {
      const dx = ev.clientX - down.x;
      const dy = ev.clientY - down.y;
      if (Math.abs(dx) + Math.abs(dy) > CLICK_SLOP) down.moved = true;
      if (state.view === '2d' && down.moved) {
        const unitsPerPx = 2 / (canvas.getBoundingClientRect().height * state.zoom);
        state.x = down.sx - dx * unitsPerPx;
        state.y = down.sy + dy * unitsPerPx;
        applyOrtho();
        writeUrl();
      }
      if (down.moved) {
        setHover(-1);
        return;
      }
    }
    setHover(pick(ev), ev);
  });
  const up = (ev: PointerEvent) => {
    canvas.classList.remove('dragging');
    if (down && !down.moved) {
      const i = pick(ev);
      if (i >= 0) select(i);
    }
    down = null;
  };
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointerleave', () => setHover(-1));
  canvas.addEventListener(
    'wheel',
    (ev) => {
      if (state.view !== '2d') return;
      ev.preventDefault();
      const before = toWorld(ev);
      state.zoom = Math.min(200, Math.max(0.3, state.zoom * Math.exp(-ev.deltaY * 0.0015)));
      ortho.zoom = state.zoom;
      const after = toWorld(ev);
      state.x += before.x - after.x;
      state.y += before.y - after.y;
      applyOrtho();
      writeUrl();
    },
    { passive: false },
  );
  layoutSelect.addEventListener('change', () => {
    state.layout = layoutSelect.value;
    setLayout();
    writeUrl();
  });
  const setView = (view: View) => {
    if (view === '3d' && !layouts.includes('tsne-3d')) return;
    state.view = view;
    controls.enabled = view === '3d';
    layoutSelect.disabled = view === '3d';
    viewButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.emapView === view)));
    setHover(-1);
    setLayout();
    writeUrl();
  };
  viewButtons.forEach((b) => b.addEventListener('click', () => setView(b.dataset.emapView as View)));
  let searchTimer = 0;
  searchInput.addEventListener('input', () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => {
      state.query = searchInput.value.trim().toLowerCase();
      updateStates();
    }, 120);
  });
  sizeInput.addEventListener('input', () => {
    state.size = Number(sizeInput.value);
    setSize();
  });
  groupButtons.forEach((b) =>
    b.addEventListener('click', () => {
      const g = Number(b.dataset.emapGroup);
      if (state.hidden.has(g)) state.hidden.delete(g);
      else state.hidden.add(g);
      b.setAttribute('aria-pressed', String(!state.hidden.has(g)));
      updateStates();
    }),
  );
  q<HTMLButtonElement>('[data-emap-close]').addEventListener('click', () => select(-1));
  new ResizeObserver(resize).observe(stage);

  // ---- go
  q<HTMLElement>('[data-emap-static]').hidden = true;
  canvas.hidden = false;
  layoutSelect.value = state.layout;
  sizeInput.value = String(state.size);
  setView(state.view);
  resize();
  applyOrtho();
  updateStates();
  setSize();
  if (state.selected >= 0) select(state.selected, false);
  root.dataset.ready = 'true';
  requestAnimationFrame(loop);
}

function readUrl(state: State, layouts: string[], n: number): void {
  const p = new URLSearchParams(location.search);
  const layout = p.get('layout');
  if (layout && layouts.includes(layout) && layout !== 'tsne-3d') state.layout = layout;
  if (p.get('view') === '3d' && layouts.includes('tsne-3d')) state.view = '3d';
  const num = (k: string, lo: number, hi: number, fallback: number) => {
    const v = Number(p.get(k));
    return p.has(k) && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
  };
  state.zoom = num('zoom', 0.3, 200, HOME_ZOOM);
  state.x = num('x', -2, 2, 0);
  state.y = num('y', -2, 2, 0);
  const point = num('point', -1, n - 1, -1);
  state.selected = Math.round(point);
}

interface PickGrid {
  near(x: number, y: number, r: number): number[];
}

/** Uniform grid over the 2D layout ([-1, 1]²): a cursor looks at the few cells around it. */
function buildPickGrid(pos: Float32Array, n: number): PickGrid {
  const g = Math.max(1, Math.ceil(Math.sqrt(n) / 2));
  const lo = -1.05;
  const step = 2.1 / g;
  const cellOf2 = (v: number) => Math.min(g - 1, Math.max(0, Math.floor((v - lo) / step)));
  const buckets: number[][] = Array.from({ length: g * g }, () => []);
  for (let i = 0; i < n; i++) buckets[cellOf2(pos[3 * i + 1]) * g + cellOf2(pos[3 * i])].push(i);
  return {
    near(x, y, r) {
      const out: number[] = [];
      for (let cy = cellOf2(y - r); cy <= cellOf2(y + r); cy++) for (let cx = cellOf2(x - r); cx <= cellOf2(x + r); cx++) out.push(...buckets[cy * g + cx]);
      return out;
    },
  };
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load ${src}`));
    img.src = src;
  });
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

const VERTEX = /* glsl */ `
attribute vec3 iOffset;
attribute vec2 iCell;
attribute vec3 iColor;
attribute vec2 iState;
uniform float uSize;
uniform float uLift;
varying vec2 vUv;
varying vec2 vCell;
varying vec3 vColor;
varying float vDim;
void main() {
  vUv = uv;
  vCell = iCell;
  vColor = iColor;
  vDim = iState.y;
  vec4 mv = modelViewMatrix * vec4(iOffset, 1.0);
  mv.xy += position.xy * uSize * iState.x;
  // Grown (hovered, selected) thumbnails come to the front.
  mv.z += iState.x > 1.5 ? uLift : 0.0;
  gl_Position = projectionMatrix * mv;
}`;

const FRAGMENT = /* glsl */ `
uniform sampler2D uMap;
uniform vec2 uCellSize;
uniform float uBorder;
varying vec2 vUv;
varying vec2 vCell;
varying vec3 vColor;
varying float vDim;
void main() {
  vec2 t = vCell + vec2(vUv.x, 1.0 - vUv.y) * uCellSize;
  vec3 c = texture2D(uMap, t).rgb;
  float edge = min(min(vUv.x, 1.0 - vUv.x), min(vUv.y, 1.0 - vUv.y));
  if (edge < uBorder) c = vColor;
  if (vDim > 0.5) c = mix(c, vec3(0.07), 0.82);
  gl_FragColor = vec4(c, 1.0);
  #include <colorspace_fragment>
}`;
