// A live frame (static/js/live.js decodeFrame) in the shapes the recorded run's figures already
// draw: a snapshot ({epoch, loss, output, hidden}), grid axes, weights ({W, b} per layer) and
// curves that grow frame by frame. Pure (no DOM), so node tests it (tests/js/live-view.test.js);
// the page (static/js/train-live.js) draws what this returns with training-plots.js.

// numpy.linspace(lo, hi, n): the server's grid axes (README "Live training", frames).
export function linspace(lo, hi, n) {
  if (n === 1) return [lo];
  const step = (hi - lo) / (n - 1);
  return Array.from({ length: n }, (_, k) => (k === n - 1 ? hi : lo + k * step));
}

const axes = ({ x1, x2, points }) => ({ x1: linspace(x1[0], x1[1], points), x2: linspace(x2[0], x2[1], points) });

// A (units, n, n) float32 block as units x rows of plain numbers (Plotly's z, the thumbnails').
function grids(array, shape) {
  const [units, n, m] = shape;
  return Array.from({ length: units }, (_, u) =>
    Array.from({ length: n }, (_, i) => Array.from(array.subarray((u * n + i) * m, (u * n + i + 1) * m))));
}

const shapeOf = (header, name) => header.arrays.find((a) => a.name === name).shape;

// The frame's layers as the API's weights: [{W: (in, out) rows, b}], hidden layers then output.
export function frameLayers({ header, arrays }) {
  const layers = [];
  for (let l = 0; `W.${l}` in arrays; l += 1) {
    const [inputs, outputs] = shapeOf(header, `W.${l}`);
    const W = arrays[`W.${l}`];
    layers.push({
      W: Array.from({ length: inputs }, (_, i) => Array.from(W.subarray(i * outputs, (i + 1) * outputs))),
      b: Array.from(arrays[`b.${l}`]),
    });
  }
  return layers;
}

// A (points, dims) float32 block as rows of plain numbers.
function rows(array, shape) {
  const [n, dims] = shape;
  return Array.from({ length: n }, (_, i) => Array.from(array.subarray(i * dims, (i + 1) * dims)));
}

// The frame's hidden-space views (a session started with hidden_space) in the API's shape: the
// header's fields of view k with its arrays hidden_space.<k>.train/.test/.values/.test_values.
export function frameSpaces({ header, arrays }) {
  if (!Array.isArray(header.hidden_space)) return undefined;
  return header.hidden_space.map((fields, k) => {
    if (!fields) return null;
    const array = (name) => arrays[`hidden_space.${k}.${name}`];
    const points = (name) => (array(name) ? rows(array(name), shapeOf(header, `hidden_space.${k}.${name}`)) : null);
    const values = (name) => (array(name) ? Array.from(array(name)) : null);
    return { ...fields, train: points("train"), test: points("test"), values: values("values"), test_values: values("test_values") };
  });
}

// The frame as a recorded snapshot plus the axes of its grids.
export function frameView(frame) {
  const { header, arrays } = frame;
  const hidden = [];
  for (let l = 0; `hidden.${l}` in arrays; l += 1) hidden.push(grids(arrays[`hidden.${l}`], shapeOf(header, `hidden.${l}`)));
  const spaces = frameSpaces(frame);
  return {
    snapshot: {
      epoch: header.epoch, loss: header.loss, output: grids(arrays.output, shapeOf(header, "output")), hidden,
      ...(spaces ? { hidden_space: spaces } : {}),
    },
    grid: axes(header.grid),
    thumbnailGrid: axes(header.thumbnails),
    layers: frameLayers(frame),
  };
}

// Points kept per curve: past it every other point goes (the oldest first thinned), so an
// hour's session draws as fast as its first minute and its shape stays.
export const MAX_CURVE_POINTS = 4000;

// The loss and accuracy curves of a live session, one point per frame received (drawn or not).
// A frame at an epoch not after the last (reset, a new start) begins the curves again.
export class LiveCurves {
  constructor(maxPoints = MAX_CURVE_POINTS) {
    this.maxPoints = maxPoints;
    this.clear();
  }

  clear() {
    this.epochs = [];
    this.loss = [];
    this.accuracy = [];
    this.test_loss = [];
    this.test_accuracy = [];
  }

  add(header) {
    const last = this.epochs.at(-1);
    if (last !== undefined && header.epoch < last) this.clear();
    if (header.epoch === last) {
      // the same epoch again (a pause, an edit while paused): its newest numbers replace it
      for (const key of ["epochs", "loss", "accuracy", "test_loss", "test_accuracy"]) this[key].pop();
    }
    this.epochs.push(header.epoch);
    for (const key of ["loss", "accuracy", "test_loss", "test_accuracy"]) this[key].push(header[key]);
    if (this.epochs.length > this.maxPoints) this.thin();
  }

  // Every other point, keeping the newest.
  thin() {
    const keep = (_, k, all) => (all.length - 1 - k) % 2 === 0;
    for (const key of ["epochs", "loss", "accuracy", "test_loss", "test_accuracy"]) this[key] = this[key].filter(keep);
  }

  // The curves as a run's fields (curvesFigure's input): a test curve only if any test value came.
  // Copies: Plotly.react redraws a trace only when its arrays are new ones (or the layout
  // changed), so arrays grown in place left the accuracy chart, whose layout never changes,
  // frozen at its first frames.
  asRun() {
    const some = (values) => values.some((v) => v !== null && v !== undefined);
    const copy = (values) => (some(values) ? values.slice() : null);
    return {
      epochs: this.epochs.slice(),
      loss: this.loss.slice(),
      accuracy: copy(this.accuracy),
      test_loss: copy(this.test_loss),
      test_accuracy: copy(this.test_accuracy),
    };
  }
}

// The fields `set` changes mid-run (weights and optimiser state kept); any other difference in
// the body (data, features, network, activation, optimizer, seed) needs a new session. `epochs`,
// `snapshots` and `grid` a live session does not use.
export const SETTABLE = ["learning_rate", "regularization", "reg_rate", "batch_size"];
const UNUSED = new Set(["epochs", "snapshots", "grid"]);

// What going from body `from` to body `to` asks of a live session: {restart} or {set: {...}}
// (empty set: nothing to do).
export function liveChange(from, to) {
  const keys = new Set([...Object.keys(from ?? {}), ...Object.keys(to)]);
  const set = {};
  for (const key of keys) {
    if (UNUSED.has(key)) continue;
    if (JSON.stringify(from?.[key]) === JSON.stringify(to[key])) continue;
    if (!SETTABLE.includes(key)) return { restart: true };
    set[key] = to[key];
  }
  return { restart: false, set };
}

// A saved live session (LiveSession.exportHistory's answer), told apart from an exported run.
export const isHistory = (saved) =>
  Boolean(saved) && typeof saved === "object" && Number.isInteger(saved.version) && Boolean(saved.start)
  && Array.isArray(saved.commands) && Number.isInteger(saved.epoch);
