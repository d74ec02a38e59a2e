// Train: the playground. Controls -> URL state -> streamed training run -> animated boundary,
// curves and network. The URL is the run: the same link trains the same network again.
import { api } from "./api.js";
import {
  bindFields, checkBox, checkBoxes, checkCount, checkParams, element, ownParams, paramControls, paramFieldIds,
  syncFields, syncParamControls,
} from "./controls.js";
import { drawNetwork, thumbnail } from "./network.js";
import { bool, int, list, onNavigate, paramNames, readState, ruled, str, writeState } from "./state.js";
import { showLinearView } from "./xor-compare.js";
import { boundaryFigure, curvesFigure } from "./training-plots.js";
import {
  $, clearErrors, download, drawAll, fmt, initialState, isAbort, onThemeChange, progress, reportError,
  setExportData, showError, theme, wireExports,
} from "./ui.js";

const init = initialState();
const byName = Object.fromEntries(init.catalogue.map((e) => [e.name, e]));
const DATASETS = init.datasets.map(([value]) => value);
const FEATURES = init.features.map(([value]) => value);
const MULTICLASS = new Set(["spiral3"]);
const MAX_POINTS = init.limits.n_samples;
const RUN_FORMAT = "activation-lab/train-run";

// What each control accepts and starts at, in its own units (Noise % = the API's fraction x 100):
// the server's rules, from the request models. Defaults are the API's own, so a bare /train link
// trains what POST /api/train {} trains.
const RULES = init.fields;
const SCHEMA = {
  ds: str("xor", DATASETS),
  n: ruled(RULES.n_samples),
  noise: ruled(RULES.noise),
  split: ruled(RULES.train_fraction),
  dseed: ruled(RULES.data_seed),
  pts: list([]),
  feats: list(RULES.features.default),
  act: str("tanh"),
  layers: list(RULES.hidden_layers.default, Number),
  init: str("xavier"),
  opt: str("sgd"),
  lr: ruled(RULES.learning_rate),
  loss: str("bce", ["bce", "mse"]),
  bs: int(0, { min: 0 }),
  reg: str("none", ["none", "l1", "l2"]),
  rr: ruled(RULES.reg_rate),
  epochs: ruled(RULES.epochs),
  seed: ruled(RULES.seed),
  frame: int(-1, { min: -1 }),
  xor: bool(false),
};
// Form controls that map one-to-one onto state keys.
const BOUND = {
  numbers: { n_samples: "n", noise: "noise", train_fraction: "split", data_seed: "dseed", learning_rate: "lr", reg_rate: "rr", epochs: "epochs", seed: "seed" },
  selects: { dataset: "ds", init: "init", optimizer: "opt", loss: "loss", regularization: "reg" },
};
// API field -> control id, for inline errors.
const FIELDS = {
  dataset: "dataset", name: "dataset", n_samples: "n_samples", noise: "noise", train_fraction: "train_fraction",
  points: "points", features: "features", activation: "activation", hidden_layers: "hidden_layers",
  optimizer: "optimizer", learning_rate: "learning_rate", loss: "loss", output: "loss", batch_size: "batch_size",
  regularization: "regularization", reg_rate: "reg_rate", epochs: "epochs", seed: "seed", init: "init",
};

// The link's keys this page reads besides SCHEMA's: the chosen activation's own parameters.
const PARAM_KEYS = (s) => paramNames(byName[s.act]);
let state = readState(SCHEMA, window.location.search, PARAM_KEYS);
let run = null; // the last result, as the API returned it
let runRequest = null; // the body that produced it
let frame = 0;
let timer = null;
const bar = progress("train-progress");

// --- state <-> request ------------------------------------------------------------------------

const encodePoint = ([x1, x2, label]) => `${+x1.toFixed(3)}_${+x2.toFixed(3)}_${label}`;
const decodePoint = (text) => text.split("_").map(Number);

function requestBody(s) {
  let dataset;
  if (s.ds === "points") dataset = { points: s.pts.map(decodePoint) };
  else if (s.ds === "xor") dataset = "xor";
  else dataset = { name: s.ds, n_samples: s.n, noise: s.noise / RULES.noise.scale, train_fraction: s.split / RULES.train_fraction.scale, seed: s.dseed };
  const body = {
    dataset,
    features: s.feats,
    activation: s.act,
    activation_params: ownParams(byName[s.act], s.extra),
    hidden_layers: s.layers,
    optimizer: s.opt,
    learning_rate: s.lr,
    epochs: s.epochs,
    batch_size: s.bs > 0 ? s.bs : null,
    regularization: s.reg,
    reg_rate: s.rr,
    init: s.init,
    seed: s.seed,
  };
  if (!MULTICLASS.has(s.ds) && !(s.ds === "points" && s.pts.some((p) => decodePoint(p)[2] > 1))) body.loss = s.loss;
  return body;
}

function stateFromBody(body) {
  const d = body.dataset ?? "xor";
  const next = readState(SCHEMA, "");
  if (typeof d === "string") next.ds = d;
  else if (d.points) {
    next.ds = "points";
    next.pts = d.points.map(encodePoint);
  } else {
    // 0.1 x 100 is 10.000000000000002: the box shows 10.
    const inUnits = (value, rule) =>
      value === null || value === undefined ? rule.default : Number((value * rule.scale).toPrecision(12));
    Object.assign(next, {
      ds: d.name, n: inUnits(d.n_samples, RULES.n_samples), noise: inUnits(d.noise, RULES.noise),
      split: inUnits(d.train_fraction, RULES.train_fraction), dseed: inUnits(d.seed, RULES.data_seed),
    });
  }
  Object.assign(next, {
    feats: body.features ?? next.feats,
    act: body.activation ?? next.act,
    extra: Object.fromEntries(Object.entries(body.activation_params ?? {}).map(([k, v]) => [k, String(v)])),
    layers: body.hidden_layers ?? next.layers,
    opt: body.optimizer ?? next.opt,
    lr: body.learning_rate ?? next.lr,
    loss: body.loss === "mse" ? "mse" : "bce",
    bs: body.batch_size ?? 0,
    reg: body.regularization ?? next.reg,
    rr: body.reg_rate ?? next.rr,
    epochs: body.epochs ?? next.epochs,
    seed: body.seed ?? next.seed,
    init: body.init ?? next.init,
  });
  return next;
}

// --- controls ---------------------------------------------------------------------------------

function syncControls() {
  syncFields(BOUND, state);
  $("#batch_size").value = state.bs > 0 ? state.bs : "";
  $("#activation").value = state.act;
  for (const f of FEATURES) $(`#feature-${f}`).checked = state.feats.includes(f);
  const generated = !["xor", "points"].includes(state.ds);
  for (const id of ["n_samples", "noise", "train_fraction", "data_seed"]) $(`#${id}`).disabled = !generated;
  $("#loss").disabled = MULTICLASS.has(state.ds);
  buildParams();
  buildLayers();
}

function buildParams() {
  const entry = byName[state.act];
  const box = $("#activation-params");
  box.replaceChildren(...(entry ? paramControls(entry, state.extra, "", (name, value, { final }) => {
    state = { ...state, extra: { ...state.extra, [name]: value } };
    if (final) commit();
  }) : []));
}

function buildLayers() {
  $("#layer-count").textContent = `${state.layers.length} hidden layer${state.layers.length === 1 ? "" : "s"}`;
  $("#remove-layer").disabled = state.layers.length === 0;
  const layerRule = RULES.hidden_layers;
  $("#add-layer").disabled = state.layers.length >= layerRule.max_items;
  $("#layers").replaceChildren(
    ...state.layers.map((units, i) => {
      const minus = element("button", { type: "button", class: "icon-button", "aria-label": `Fewer units in layer ${i + 1}` }, ["−"]);
      const plus = element("button", { type: "button", class: "icon-button", "aria-label": `More units in layer ${i + 1}` }, ["+"]);
      minus.disabled = units <= layerRule.min;
      plus.disabled = units >= layerRule.max;
      const change = (delta) => {
        const layers = [...state.layers];
        layers[i] = Math.max(layerRule.min, Math.min(layerRule.max, layers[i] + delta));
        state = { ...state, layers };
        buildLayers();
        commit();
      };
      minus.addEventListener("click", () => change(-1));
      plus.addEventListener("click", () => change(+1));
      return element("div", { class: "row" }, [element("span", {}, [`Layer ${i + 1}: ${units} unit${units === 1 ? "" : "s"}`]), element("span", { class: "row" }, [minus, plus])]);
    }),
  );
}

// A control changed: new URL entry, new run.
function commit() {
  state = { ...state, frame: -1 };
  writeState(SCHEMA, state, { push: true });
  train({ animate: true });
}

// --- training ---------------------------------------------------------------------------------

let generation = 0;

// A newer run supersedes (and cancels) one still in flight.
async function train({ animate }) {
  stop();
  clearErrors($(".controls"));
  if (!formValid()) return; // the messages are at the controls; nothing is sent
  const body = requestBody(state);
  const mine = ++generation;
  const signal = bar.start("Starting…");
  try {
    const result = await api.trainStream(body, {
      signal,
      onProgress: (p) => bar.update(p.fraction, `epoch ${p.epoch} of ${p.epochs} · loss ${fmt(p.loss)}`),
    });
    if (mine === generation) show(result, body, { animate });
  } catch (error) {
    if (mine !== generation) return;
    if (isAbort(error)) showError("run", "Training cancelled: the charts still show the previous run.");
    else reportError(error, { ...FIELDS, ...paramFieldIds(byName[state.act] ?? { params: [] }, "") }, "run", RULES);
  } finally {
    if (mine === generation) bar.done();
  }
}

// What the controls hold, checked in their own units before anything is sent.
function formValid() {
  const boxes = checkBoxes(BOUND, RULES);
  const batch = checkBox("batch_size", RULES.batch_size) !== undefined;
  const ticked = FEATURES.filter((f) => $(`#feature-${f}`).checked).length;
  const features = checkCount("features", ticked, RULES.features);
  const params = checkParams(byName[state.act], state.extra, "");
  return boxes && batch && features && params;
}

function show(result, body, { animate }) {
  run = result;
  runRequest = body;
  setExportData("boundary-chart", exportRun());
  const last = Math.max(0, run.snapshots.length - 1);
  $("#frame").max = last;
  describeOutcome();
  if (animate && last > 0) {
    setFrame(0);
    play();
  } else {
    setFrame(state.frame >= 0 ? Math.min(state.frame, last) : last);
  }
}

function describeOutcome() {
  const note = $("#outcome");
  const s = run.setup;
  let text;
  let ok = false;
  if (run.diverged) {
    text = `The run diverged at epoch ${run.diverged_epoch}: the loss or a weight stopped being a finite number (learning rate ${runRequest.learning_rate} is likely too high for this ${run.setup.activation} network). The curves stop just before it; the boundary shows the last finite snapshot. Try a smaller learning rate.`;
  } else if (run.converged) {
    ok = true;
    text = `Solved: every training point classified right from epoch ${run.epochs_to_converge} on. Final training loss ${fmt(run.final.loss)}, accuracy ${fmt(run.final.accuracy * 100, 1)} %${run.final.test_accuracy !== null ? `, test accuracy ${fmt(run.final.test_accuracy * 100, 1)} %` : ""}.`;
  } else {
    text = `Not solved in ${s.epochs} epochs: final training accuracy ${fmt(run.final.accuracy * 100, 1)} %, loss ${fmt(run.final.loss)}.`;
  }
  if (run.affine_map) {
    text += ` This network is linear: its layers collapse to one affine map (largest difference ${fmt(run.affine_map.max_abs_difference)}), and no affine map separates XOR.`;
  }
  const dead = (run.dead_units ?? []).flat().length;
  const saturated = (run.saturated_units ?? []).flat().length;
  if (dead || saturated) text += ` ${dead} dead and ${saturated} saturated hidden unit(s) (marked D and S below).`;
  note.textContent = text;
  note.classList.toggle("ok", ok);
  note.hidden = false;
}

// --- animation --------------------------------------------------------------------------------

function setFrame(k) {
  if (!run) return;
  frame = Math.max(0, Math.min(k, run.snapshots.length - 1));
  $("#frame").value = frame;
  const snapshot = run.snapshots[frame];
  $("#frame-label").textContent = snapshot ? `epoch ${snapshot.epoch} · loss ${fmt(snapshot.loss)}` : "no snapshots";
  renderFrame();
}

async function renderFrame() {
  const t = theme();
  const snapshot = run.snapshots[frame];
  const boundary = boundaryFigure(run, snapshot, t);
  const loss = curvesFigure(run, "loss", snapshot?.epoch, t);
  const accuracy = curvesFigure(run, "accuracy", snapshot?.epoch, t);
  await drawAll([[$("#boundary-chart"), boundary], [$("#loss-chart"), loss], [$("#accuracy-chart"), accuracy]]);
  renderNetwork(snapshot, t);
}

function renderNetwork(snapshot, t) {
  const layers = run.weights ?? run.initial_weights;
  const hidden = layers.length - 1;
  const flags = Array.from({ length: hidden }, (_, l) =>
    layers[l].b.map((_, u) => ({ dead: run.dead_units?.[l]?.includes(u), saturated: run.saturated_units?.[l]?.includes(u) })));
  const thumbs = snapshot ? snapshot.hidden.map((units) => units.map((grid) => thumbnail(grid, t))) : [];
  const labels = Object.fromEntries(init.features);
  drawNetwork($("#network"), {
    layers,
    inputs: run.setup.features.map((f) => labels[f] ?? f),
    thumbs,
    flags,
    activation: byName[run.setup.activation]?.label ?? run.setup.activation,
  }, t, (text) => { $("#network-focus").textContent = text; });
}

function play() {
  if (!run || run.snapshots.length < 2) return;
  if (frame >= run.snapshots.length - 1) setFrame(0);
  $("#play").textContent = "⏸";
  $("#play").setAttribute("aria-label", "Pause");
  timer = setInterval(() => {
    if (frame >= run.snapshots.length - 1) {
      stop();
      return;
    }
    setFrame(frame + 1);
  }, 80);
}

function stop() {
  clearInterval(timer);
  timer = null;
  $("#play").textContent = "▶";
  $("#play").setAttribute("aria-label", "Play");
}

function rememberFrame() {
  state = { ...state, frame: frame === run.snapshots.length - 1 ? -1 : frame };
  writeState(SCHEMA, state);
}

$("#play").addEventListener("click", () => (timer ? (stop(), rememberFrame()) : play()));
$("#step-back").addEventListener("click", () => { stop(); setFrame(frame - 1); rememberFrame(); });
$("#step-forward").addEventListener("click", () => { stop(); setFrame(frame + 1); rememberFrame(); });
$("#reset").addEventListener("click", () => { stop(); setFrame(0); rememberFrame(); });
$("#frame").addEventListener("input", (event) => { stop(); setFrame(Number(event.target.value)); });
$("#frame").addEventListener("change", rememberFrame);

// --- your own data: clicks and CSV ------------------------------------------------------------

function currentPoints() {
  if (state.ds === "points") return state.pts.map(decodePoint);
  if (!run) return [];
  const all = [run.data.train, ...(run.data.test ? [run.data.test] : [])];
  return all.flatMap((set) => set.x.map(([x1, x2], i) => [x1, x2, set.y[i]]));
}

function usePoints(points) {
  state = { ...state, ds: "points", pts: points.map(encodePoint) };
  syncControls();
  commit();
}

$("#boundary-chart").addEventListener("click", (event) => {
  const gd = $("#boundary-chart");
  const layout = gd._fullLayout;
  if (!layout?.xaxis || !run) return;
  const box = gd.getBoundingClientRect();
  const px = event.clientX - box.left - layout._size.l;
  const py = event.clientY - box.top - layout._size.t;
  if (px < 0 || py < 0 || px > layout._size.w || py > layout._size.h) return;
  const x1 = layout.xaxis.p2d(px);
  const x2 = layout.yaxis.p2d(py);
  const label = Number(document.querySelector('input[name="click-class"]:checked').value);
  const points = currentPoints();
  if (points.length >= MAX_POINTS) {
    showError("points", `At most ${MAX_POINTS} points.`);
    return;
  }
  usePoints([...points, [x1, x2, label]]);
});

$("#clear-points").addEventListener("click", () => {
  state = { ...state, ds: "xor", pts: [] };
  syncControls();
  commit();
});

function parseCSV(text) {
  const points = [];
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  lines.forEach((line, i) => {
    const cells = line.split(/[,;\t]/).map((c) => c.trim());
    const numbers = cells.slice(0, 3).map(Number);
    if (cells.length < 3 || numbers.some((v) => !Number.isFinite(v))) {
      if (i === 0) return; // a header row
      throw new Error(`line ${i + 1}: expected x1,x2,label, got "${line.slice(0, 40)}"`);
    }
    if (!Number.isInteger(numbers[2]) || numbers[2] < 0 || numbers[2] > 9) {
      throw new Error(`line ${i + 1}: the label must be a class number 0 to 9`);
    }
    points.push(numbers);
  });
  if (points.length < 2) throw new Error("the file needs at least two points");
  if (points.length > MAX_POINTS) throw new Error(`the file has ${points.length} points; at most ${MAX_POINTS}`);
  return points;
}

$("#csv-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  clearErrors($(".controls"));
  try {
    usePoints(parseCSV(await file.text()));
  } catch (error) {
    showError("csv-file", `${file.name}: ${error.message}`);
  }
});

// --- export and load a run --------------------------------------------------------------------

function exportRun() {
  return { format: RUN_FORMAT, version: 1, request: runRequest, result: run };
}

$("#export-run").addEventListener("click", () => {
  if (!run) return;
  download(`activation-lab-run-${run.setup.activation}-seed${runRequest.seed}.json`, JSON.stringify(exportRun()), "application/json");
});

$("#load-run").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  clearErrors($(".controls"));
  try {
    const saved = JSON.parse(await file.text());
    if (saved.format !== RUN_FORMAT || !saved.request || !saved.result?.snapshots) {
      throw new Error("not a run exported from this page");
    }
    stop();
    state = stateFromBody(saved.request);
    writeState(SCHEMA, state, { push: true });
    syncControls();
    show(saved.result, saved.request, { animate: false });
  } catch (error) {
    showError("load-run", `${file.name}: ${error.message}`);
  }
});

// --- wiring -----------------------------------------------------------------------------------

bindFields(BOUND, (key, value) => {
  state = { ...state, [key]: value };
  syncControls();
  commit();
}, RULES);
$("#batch_size").addEventListener("change", () => {
  const value = checkBox("batch_size", RULES.batch_size);
  if (value === undefined) return; // the message is at the box
  state = { ...state, bs: value ?? 0 }; // empty: full batch
  commit();
});
$("#activation").addEventListener("change", (event) => {
  state = { ...state, act: event.target.value, extra: {} };
  buildParams();
  commit();
});
for (const f of FEATURES) {
  $(`#feature-${f}`).addEventListener("change", () => {
    const feats = FEATURES.filter((name) => $(`#feature-${name}`).checked);
    if (!checkCount("features", feats.length, RULES.features)) return;
    state = { ...state, feats };
    commit();
  });
}
$("#add-layer").addEventListener("click", () => {
  state = { ...state, layers: [...state.layers, state.layers.at(-1) ?? 4] };
  buildLayers();
  commit();
});
$("#remove-layer").addEventListener("click", () => {
  state = { ...state, layers: state.layers.slice(0, -1) };
  buildLayers();
  commit();
});
$("#run").addEventListener("click", () => train({ animate: true }));

onNavigate(SCHEMA, (next) => {
  state = next;
  syncControls();
  if (state.act && byName[state.act]) syncParamControls(byName[state.act], state.extra, "");
  train({ animate: false });
}, PARAM_KEYS);
onThemeChange(() => run && renderFrame());
wireExports();

$("#linear-vs-nonlinear").addEventListener("click", () => {
  state = { ...state, xor: true };
  writeState(SCHEMA, state, { push: true });
  showLinearView(state.seed);
});

syncControls();
train({ animate: false });
if (state.xor) showLinearView(state.seed);
