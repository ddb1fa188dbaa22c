/**
 * Barnes–Hut repulsion for t-SNE in any dimension (quadtree in 2D, octree in 3D): distant cells act
 * as one point at their centre of mass when cell width / distance < theta. Fills `force` with
 * Σ_j q̃_ij² (y_i − y_j) (q̃ = 1/(1+d²), unnormalised) and returns Z = Σ_{i≠j} q̃_ij.
 * The tree lives in flat typed arrays, rebuilt each iteration.
 */
export function barnesHutRepulsion(dims: number, theta = 0.5): (y: Float64Array, n: number, force: Float64Array) => number {
  const fan = 1 << dims;
  let cap = 0;
  let centre = new Float64Array(0);
  let half = new Float64Array(0);
  let com = new Float64Array(0);
  let count = new Int32Array(0);
  let child = new Int32Array(0);
  let point = new Int32Array(0);
  let used = 0;

  const grow = (need: number) => {
    if (need <= cap) return;
    const next = Math.max(need, cap * 2, 1024);
    const resize = <T extends Float64Array | Int32Array>(a: T, per: number): T => {
      const b = new (a.constructor as new (n: number) => T)(next * per);
      b.set(a);
      return b;
    };
    centre = resize(centre, dims);
    half = resize(half, 1);
    com = resize(com, dims);
    count = resize(count, 1);
    child = resize(child, 1);
    point = resize(point, 1);
    cap = next;
  };
  const newNode = (h: number): number => {
    grow(used + 1);
    const id = used++;
    half[id] = h;
    count[id] = 0;
    child[id] = -1;
    point[id] = -1;
    for (let a = 0; a < dims; a++) com[id * dims + a] = 0;
    return id;
  };
  const quadrant = (node: number, y: Float64Array, i: number) => {
    let q = 0;
    for (let a = 0; a < dims; a++) if (y[i * dims + a] > centre[node * dims + a]) q |= 1 << a;
    return q;
  };
  const split = (node: number) => {
    const first = used;
    const h = half[node] / 2;
    for (let q = 0; q < fan; q++) {
      const c = newNode(h);
      for (let a = 0; a < dims; a++) centre[c * dims + a] = centre[node * dims + a] + ((q >> a) & 1 ? h : -h);
    }
    child[node] = first;
  };
  const addTo = (node: number, y: Float64Array, i: number) => {
    const cnt = count[node];
    for (let a = 0; a < dims; a++) com[node * dims + a] = (com[node * dims + a] * cnt + y[i * dims + a]) / (cnt + 1);
    count[node] = cnt + 1;
  };

  const stack = new Int32Array(64 * fan + 16);
  return (y, n, force) => {
    used = 0;
    const lo = new Float64Array(dims).fill(Infinity);
    const hi = new Float64Array(dims).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < dims; a++) {
        lo[a] = Math.min(lo[a], y[i * dims + a]);
        hi[a] = Math.max(hi[a], y[i * dims + a]);
      }
    }
    let width = 0;
    for (let a = 0; a < dims; a++) width = Math.max(width, hi[a] - lo[a]);
    const root = newNode(width / 2 + 1e-5);
    for (let a = 0; a < dims; a++) centre[a] = (lo[a] + hi[a]) / 2;
    for (let i = 0; i < n; i++) {
      let node = root;
      for (let depth = 0; ; depth++) {
        if (child[node] >= 0) {
          addTo(node, y, i);
          node = child[node] + quadrant(node, y, i);
          continue;
        }
        if (count[node] === 0) {
          addTo(node, y, i);
          point[node] = i;
          break;
        }
        const other = point[node];
        let same = true;
        for (let a = 0; a < dims; a++) if (y[other * dims + a] !== y[i * dims + a]) same = false;
        if (same || depth > 40) {
          addTo(node, y, i);
          break;
        }
        // A leaf with one point becomes an inner node: its point moves down, then i goes on.
        split(node);
        const c = child[node] + quadrant(node, y, other);
        addTo(c, y, other);
        point[c] = other;
        point[node] = -1;
      }
    }
    let z = 0;
    const t2 = theta * theta;
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < dims; a++) force[i * dims + a] = 0;
      let top = 0;
      stack[top++] = root;
      while (top > 0) {
        const node = stack[--top];
        const cnt = count[node];
        if (cnt === 0) continue;
        let d2 = 0;
        for (let a = 0; a < dims; a++) d2 += (y[i * dims + a] - com[node * dims + a]) ** 2;
        const leaf = child[node] < 0;
        const w = 2 * half[node];
        if (leaf || w * w < t2 * d2) {
          const mult = leaf && point[node] === i ? cnt - 1 : cnt;
          if (mult === 0) continue;
          const q = 1 / (1 + d2);
          z += mult * q;
          const m = mult * q * q;
          for (let a = 0; a < dims; a++) force[i * dims + a] += m * (y[i * dims + a] - com[node * dims + a]);
        } else {
          for (let q = 0; q < fan; q++) stack[top++] = child[node] + q;
        }
      }
    }
    return z;
  };
}
