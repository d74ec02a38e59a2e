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
import { boundaryFigure, classColour, classGlyph, curvesFigure } from "./training-plots.js";
import {
  $, $$, clearErrors, download, drawAll, fmt, initialState, isAbort, onThemeChange, progress, reportError,
  setExportData, showError, theme, wireExports,
} from "./ui.js";

const init = initialState();
const byName = Object.fromEntries(init.catalogue.map((e) => [e.name, e]));
const DATASETS = init.datasets.map(([value]) => value);
const FEATURES = init.features.map(([value]) => value);
const MAX_POINTS = init.limits.n_samples;
const MAX_CLASSES = init.max_classes;
const DATASET_LABELS = Object.fromEntries(init.datasets);
const RUN_FORMAT = "activation-lab/train-run";
// Changes closer together than this make one run (the +/- buttons, arrowing through a list).
const SETTLE_MS = 400;
// A pointer that moved further than this between press and release was a zoom or pan drag.
const DRAG_PX = 4;

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

// Classes in the data: the server's count for a generated set, the labels for your own points.
function classesOf(s) {
  if (s.ds === "points") return Math.max(2, ...s.pts.map((p) => decodePoint(p)[2] + 1));
  return init.n_classes[s.ds] ?? 2;
}

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
  if (classesOf(s) === 2) body.loss = s.loss;
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
  explainFixed("generated-hint", generated ? "" : state.ds === "xor"
    ? `Points, noise, train % and data seed are fixed for the 4-point truth table; pick “${DATASET_LABELS.quadrants}” for noisy XOR.`
    : "Points, noise, train % and data seed are fixed by your own points; pick a generated dataset to set them.");
  const classes = classesOf(state);
  $("#loss").disabled = classes > 2;
  explainFixed("loss-hint", classes > 2 ? `${classes} classes: a softmax output, trained with cross-entropy.` : "");
  buildClassPicker(classes);
  buildParams();
  buildLayers();
}

// A hint that says why the fields before it are disabled; empty text hides it.
function explainFixed(id, text) {
  const hint = $(`#${id}`);
  hint.textContent = text;
  hint.hidden = !text;
}

// One radio per class of the data; your own points may also start the next class.
function buildClassPicker(classes) {
  const picked = Number(document.querySelector('input[name="click-class"]:checked')?.value ?? 1);
  const offered = state.ds === "points" ? Math.min(classes + 1, MAX_CLASSES) : classes;
  const t = theme();
  $("#click-classes").replaceChildren(
    ...Array.from({ length: offered }, (_, k) => {
      const radio = element("input", { type: "radio", name: "click-class", id: `click-class-${k}`, value: String(k) });
      radio.checked = k === (picked < offered ? picked : 1);
      const glyph = element("span", { class: "class-glyph" }, [classGlyph(k)]);
      glyph.style.color = classColour(t, k);
      return element("label", { class: "check" }, [radio, element("span", {}, [`class ${k} (`, glyph, `${k >= classes ? ", new" : ""})`])]);
    }),
  );
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
  // Rebuilding replaces the buttons: keep keyboard focus on the one that was pressed.
  const focused = $("#layers").contains(document.activeElement) ? document.activeElement.getAttribute("aria-label") : null;
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
  if (focused) $$("#layers button").find((b) => b.getAttribute("aria-label") === focused && !b.disabled)?.focus();
}

// A control changed: a new URL entry and, once the changes settle, a new run. A burst of
// changes (eight clicks on +, arrowing through the activations) is one entry and one run.
let settling = null;

function commit() {
  state = { ...state, frame: -1 };
  writeState(SCHEMA, state, { push: settling === null });
  busy(true);
  clearTimeout(settling);
  settling = setTimeout(() => {
    settling = null;
    train({ animate: true });
  }, SETTLE_MS);
}

// The results are being replaced (a change is settling or a run is in flight).
const busy = (on) => $("#results").setAttribute("aria-busy", String(on));

// Train at once (the Train button, back/forward): a pending coalesced run is this one.
function trainNow(options) {
  clearTimeout(settling);
  settling = null;
  train(options);
}

// --- training ---------------------------------------------------------------------------------

let generation = 0;

// A newer run supersedes (and cancels) one still in flight.
async function train({ animate }) {
  stop();
  clearErrors($(".controls"));
  if (!formValid()) {
    // The messages are at the controls; nothing is sent, and what is shown is not these settings.
    markStale(REFUSED);
    if (settling === null) busy(false);
    return;
  }
  const body = requestBody(state);
  const mine = ++generation;
  busy(true);
  const signal = bar.start("Starting…");
  try {
    const result = await api.trainStream(body, {
      signal,
      onProgress: (p) => bar.update(p.fraction, `epoch ${p.epoch} of ${p.epochs} · loss ${fmt(p.loss)}`),
    });
    if (mine === generation) show(result, body, { animate });
  } catch (error) {
    if (mine !== generation) return;
    if (isAbort(error)) {
      showError("run", "Training cancelled: the charts still show the previous run.");
      if (JSON.stringify(body) !== JSON.stringify(runRequest)) markStale("training these settings was cancelled");
    } else {
      reportError(error, { ...FIELDS, ...paramFieldIds(byName[state.act] ?? { params: [] }, "") }, "run", RULES);
      markStale("the last request failed (see the message at the control)");
    }
  } finally {
    if (mine === generation) {
      bar.done();
      if (settling === null) busy(false);
    }
  }
}

const REFUSED = "these settings were refused (see the message at the control)";

// The results on screen no longer match the controls: dim them, say so, drop the verdict.
function markStale(reason) {
  if (!run) return;
  $("#results").classList.add("stale");
  const banner = $("#stale");
  banner.textContent = `Out of date: ${reason}. The charts below still show the previous run, not these settings. `;
  // On a narrow screen the message is a long way up: one press takes you to the control.
  const message = $$(".controls .error").find((box) => !box.hidden);
  const control = message && document.getElementById(message.id.replace(/-error$/, ""));
  if (control) {
    const go = element("button", { type: "button", class: "link-button" }, ["Go to the message"]);
    go.addEventListener("click", () => {
      control.scrollIntoView({ block: "center" });
      control.focus();
    });
    banner.append(go);
  }
  banner.hidden = false;
  $("#outcome").hidden = true;
}

function markCurrent() {
  $("#results").classList.remove("stale");
  $("#stale").hidden = true;
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
  markCurrent();
  describeData();
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

// The chart's note and the class picker follow the data of the run shown.
function describeData() {
  const classes = run.setup.n_classes;
  const markers = Array.from({ length: classes }, (_, k) => `${classGlyph(k)} class ${k}`).join(", ");
  const background = classes === 2
    ? "Background: the network's output, p(class 1), smoothed; the black line is p = 0.5."
    : `Background: the most probable of the ${classes} classes (softmax output).`;
  noteOf("boundary-chart").textContent =
    `${background} Markers: ${markers}; hollow markers are test points. Click inside the plot to add a point of the class picked under Data.`;
}

const noteOf = (id) => $(`#${id}`).closest(".chart-card").querySelector(".chart-note");

// The run's dataset by name, for the chart's words ("cannot separate XOR").
function datasetOf(body) {
  const d = body?.dataset;
  if (typeof d === "string") return d;
  return d?.name ?? "points";
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
    text = `Not solved in ${s.epochs} epoch${s.epochs === 1 ? "" : "s"}: final training accuracy ${fmt(run.final.accuracy * 100, 1)} %, loss ${fmt(run.final.loss)}.`;
  }
  if (run.affine_map) {
    text += ` This network is linear: its layers collapse to one affine map (largest difference ${fmt(run.affine_map.max_abs_difference)}), and no affine map separates XOR.`;
  }
  const dead = (run.dead_units ?? []).flat().length;
  const saturated = (run.saturated_units ?? []).flat().length;
  if (dead || saturated) text += ` Hidden units: ${[dead ? `${dead} dead (output 0 on every training input)` : "", saturated ? `${saturated} saturated (alive, but |f′| < 0.01 on every input)` : ""].filter(Boolean).join(" and ")}; each unit is counted once and marked D or S below.`;
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
  const boundary = boundaryFigure(run, snapshot, t, { dataset: datasetOf(runRequest) });
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

// Only a click inside the plot area (Plotly's drag layer, .nsewdrag) adds a point: not the
// toolbar, the legend or the colour bar, not the end of a zoom or pan drag, not the second
// click of a double click (which resets the zoom). The pixel is converted with the plot area's
// own axis mapping, measured from that area, so the point lands where the pointer is.
const boundaryChart = $("#boundary-chart");
let pressedAt = null;
boundaryChart.addEventListener("pointerdown", (event) => {
  pressedAt = event.target.closest?.(".nsewdrag") ? [event.clientX, event.clientY] : null;
});
boundaryChart.addEventListener("click", (event) => {
  const area = event.target.closest?.(".nsewdrag");
  const start = pressedAt;
  pressedAt = null;
  const layout = boundaryChart._fullLayout;
  if (!area || !start || !layout?.xaxis || !run || event.detail > 1) return;
  if (Math.hypot(event.clientX - start[0], event.clientY - start[1]) > DRAG_PX) return;
  const box = area.getBoundingClientRect();
  const x1 = layout.xaxis.p2d(event.clientX - box.left);
  const x2 = layout.yaxis.p2d(event.clientY - box.top);
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
    if (!Number.isInteger(numbers[2]) || numbers[2] < 0 || numbers[2] >= MAX_CLASSES) {
      throw new Error(`line ${i + 1}: the label must be a class number 0 to ${MAX_CLASSES - 1}`);
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
    clearTimeout(settling);
    settling = null;
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
}, RULES, () => markStale(REFUSED));
$("#batch_size").addEventListener("change", () => {
  const value = checkBox("batch_size", RULES.batch_size);
  if (value === undefined) return markStale(REFUSED); // the message is at the box
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
$("#run").addEventListener("click", () => trainNow({ animate: true }));

onNavigate(SCHEMA, (next) => {
  state = next;
  syncControls();
  if (state.act && byName[state.act]) syncParamControls(byName[state.act], state.extra, "");
  trainNow({ animate: false });
}, PARAM_KEYS);
onThemeChange(() => {
  buildClassPicker(classesOf(state));
  if (run) renderFrame();
});
wireExports();

$("#linear-vs-nonlinear").addEventListener("click", () => {
  state = { ...state, xor: true };
  writeState(SCHEMA, state, { push: true });
  showLinearView(state.seed);
});

syncControls();
train({ animate: false });
if (state.xor) showLinearView(state.seed);
