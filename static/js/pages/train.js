// Train: the playground. Controls -> URL state -> streamed training run -> animated boundary,
// curves and network. The URL is the run: the same link trains the same network again.
import { api } from "../api.js";
import {
  bindFields, checkBox, checkBoxes, checkCount, checkParams, element, fieldIds, paramControls, paramFieldIds,
  syncFields, syncParamControls,
} from "../controls.js";
import { expressionEditor } from "../expression-editor.js";
import { hiddenSpaceFigure, layerOptions, messageFigure, pickedLayer, spaceNote, spaceRange, viewAt, widened } from "../hidden-space.js";
import { exampleDefinition, sameDefinition } from "../expressions.js";
import { isHistory } from "../live-view.js";
import { drawNetwork, thumbnail } from "../network.js";
import { closeEditBox, openEditBox } from "../network-edit.js";
import { rasterised } from "../boundary-raster.js";
import { init, startPage } from "../page.js";
import { snapshotPlayer } from "../player.js";
import { parseCSV, wirePointClicks } from "../points.js";
import { controlsOf, HIDE_SUFFIX, readState, writeState } from "../state.js";
import { datasetOf, decodePoint, encodePoint, parseRunFile, runFile, runFileName, trainCodec } from "../train.js";
import { liveController } from "../train-live.js";
import { showLinearView } from "../xor-compare.js";
import { boundaryFigure, classColour, classGlyph, curvesFigure, isRegression, REGRESSION_RANGE } from "../training-plots.js";
import {
  $, $$, clearErrors, download, drawAll, fmt, freshness, isAbort, onScreen, progress, reportError,
  setExportData, showError, theme,
} from "../ui.js";

const byName = Object.fromEntries(init.catalogue.map((e) => [e.name, e]));
const FEATURES = init.features.map(([value]) => value);
const OWN = init.own_points;
// What each control accepts and starts at, in its own units: the server's rules.
const RULES = init.fields;
const MAX_POINTS = RULES.points.max_items;
const MAX_CLASSES = init.max_classes;
// What a regression set is trained with and when it counts as learned: the server's facts.
const REGRESSION = init.regression;
const DATASET_LABELS = Object.fromEntries(RULES.dataset.choices);
const LOSS_LABELS = Object.fromEntries(RULES.loss.choices);
const codec = trainCodec(init);
// The live panel's boxes and the edit box's bound: the live commands' own rules.
const LIVE_RULES = init.live;
const { schema: SCHEMA, paramKeys: PARAM_KEYS, classesOf, requestBody } = codec;
// Every box and select whose id is a rule's, bound to the property declared from that rule.
const BOUND = controlsOf(SCHEMA);
// API field -> control id, for inline errors.
const FIELDS = fieldIds(RULES, { name: "dataset", output: "loss" });
// Changes closer together than this make one run (the +/- buttons, arrowing through a list).
const SETTLE_MS = 400;

let state = readState(SCHEMA, window.location.search, PARAM_KEYS);
let run = null; // the last result, as the API returned it
let runRequest = null; // the body that produced it
const bar = progress("train-progress");
// The results on screen no longer match the controls: dimmed, with the banner above them.
const results = freshness(() => [$("#results")], { delayMs: 0, shown: () => Boolean(run) });

// --- controls ---------------------------------------------------------------------------------

function syncControls() {
  syncFields(BOUND, state);
  $("#batch_size").value = state.bs > 0 ? state.bs : "";
  for (const f of FEATURES) $(`#feature-${f}`).checked = state.feats.includes(f);
  const generated = codec.generated(state);
  for (const id of ["n_samples", "noise", "train_fraction", "data_seed"]) $(`#${id}`).disabled = !generated;
  $("#live-regenerate").disabled = !generated;
  explainFixed("live-regenerate-hint", generated ? "" : "Regenerate draws new points of a generated data set: the truth table and your own points stay as they are.");
  $("#show-test").checked = state.test;
  $("#discretize").checked = state.disc;
  explainFixed("generated-hint", generated ? "" : state.ds !== OWN
    ? `Points, noise, train % and data seed are fixed for the 4-point truth table; pick “${DATASET_LABELS.quadrants}” for noisy XOR.`
    : "Points, noise, train % and data seed are fixed by your own points; pick a generated dataset to set them.");
  const classes = classesOf(state);
  const regression = classes === 0;
  $("#loss").disabled = classes !== 2;
  // The loss the data fixes is the one shown; the link keeps its own for when it applies again.
  if (regression) $("#loss").value = REGRESSION.loss;
  explainFixed("loss-hint", regression
    ? `A regression set: each point's target is a number, not a class, so the output is one ${REGRESSION.output} unit trained with ${LOSS_LABELS[REGRESSION.loss] ?? REGRESSION.loss}.`
    : classes > 2 ? `${classes} classes: a softmax output, trained with cross-entropy.` : "");
  $("#click-classes-row").hidden = regression;
  explainFixed("click-hint", regression ? `Clicking adds class points; pick a classification dataset to draw your own.` : "");
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
  const offered = state.ds === OWN ? Math.min(classes + 1, MAX_CLASSES) : classes;
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

// Your own activation (act=custom): the "Add your own" editor in place of the parameters. Its
// check comes first: a formula the server accepts starts a run, one it refuses dims the last.
const CUSTOM = init.expressions.name;
let editor = null;
let waitingForEditor = false; // the first run (or back/forward) waits for the editor's answer

function buildEditor() {
  const definition = state.expr ?? editor?.definition() ?? exampleDefinition(init.expressions.examples[0]);
  state = { ...state, expr: definition };
  // Any other control rebuilds the controls: the editor in place with this formula stays as is.
  if (editor && $("#activation-params").contains(editor.root) && sameDefinition(editor.definition(), definition)) {
    if (waitingForEditor && editor.valid()) {
      waitingForEditor = false;
      trainNow({ animate: false });
    }
    return;
  }
  if (!editor) {
    editor = expressionEditor($("#activation-params"), {
      prefix: "act-",
      facts: init.expressions,
      definition,
      resultOpen: false,
      onChange: (expr) => {
        state = { ...state, expr };
      },
      onValid: () => {
        if (!waitingForEditor) return commit();
        waitingForEditor = false;
        return trainNow({ animate: false });
      },
      onInvalid: () => {
        waitingForEditor = false;
        markStale(REFUSED);
      },
    });
  } else {
    $("#activation-params").replaceChildren(editor.root);
    editor.set(definition);
    return;
  }
  editor.validate();
}

function buildParams() {
  if (state.act === CUSTOM) {
    buildEditor();
    return;
  }
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
    if (live.active) applyLive();
    else train({ animate: true });
  }, SETTLE_MS);
}

// Live: the controls' change goes to the running session (a `set`, or a new session).
function applyLive() {
  busy(false);
  clearErrors($(".controls"));
  if (!formValid()) return;
  live.apply(requestBody(state));
}

// The results are being replaced (a change is settling or a run is in flight).
const busy = (on) => $("#results").setAttribute("aria-busy", String(on));

// Train at once (the Train button, back/forward): a pending coalesced run is this one. A live
// session gives way to the recorded run.
function trainNow(options) {
  clearTimeout(settling);
  settling = null;
  live.leave({ quiet: true });
  train(options);
}

// --- training ---------------------------------------------------------------------------------

let generation = 0;

// A newer run supersedes (and cancels) one still in flight.
async function train({ animate }) {
  player.stop();
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
    const { result, refused } = await trainWithViews(body, {
      signal,
      onProgress: (p) => bar.update(p.fraction, `epoch ${p.epoch} of ${p.epochs} · loss ${fmt(p.loss)}`),
    });
    spaceRefused = refused;
    if (mine === generation) show(result, body, { animate });
  } catch (error) {
    if (mine !== generation) return;
    if (isAbort(error)) {
      showError("run", "Training cancelled: the charts still show the previous run.");
      if (JSON.stringify(body) !== JSON.stringify(runRequest)) markStale("training these settings was cancelled");
    } else {
      // Your own formula's refusal goes to the editor (its place in the text, its row).
      const rest = state.act === CUSTOM && editor && error.errors ? editor.report(error, body.expression) : null;
      const shown = rest ? { ...error, errors: rest } : error;
      if (!rest || rest.length) reportError(shown, { ...FIELDS, ...paramFieldIds(byName[state.act] ?? { params: [] }, "") }, "run", RULES);
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

// The server's reason when it trained these settings but would not add the hidden-space views
// (too many numbers for its cap), said in the hidden-space chart; null: the views came.
let spaceRefused = null;

// The run, with every hidden layer's views if the server takes them: a refusal that names
// hidden_space trains the same body without them (the field only adds views), so a network too
// big for the views still trains as it did before they existed.
async function trainWithViews(body, options) {
  try {
    return { result: await api.trainStream(body, options), refused: null };
  } catch (error) {
    const aboutViews = error?.status === 422 && "hidden_space" in body
      && (error.errors ?? []).some((e) => `${e.field ?? ""} ${e.msg ?? ""}`.includes("hidden_space"));
    if (!aboutViews) throw error;
    const { hidden_space: _, ...plain } = body;
    return { result: await api.trainStream(plain, options), refused: error.message };
  }
}

// The results on screen no longer match the controls: dim them, say so, drop the verdict.
function markStale(reason) {
  if (!run) return;
  results.failed(`Out of date: ${reason}. The charts below still show the previous run, not these settings. `);
  $("#outcome").hidden = true;
}

// What the controls hold, checked in their own units before anything is sent.
function formValid() {
  const boxes = checkBoxes(BOUND, RULES);
  const batch = checkBox("batch_size", RULES.batch_size) !== undefined;
  const ticked = FEATURES.filter((f) => $(`#feature-${f}`).checked).length;
  const features = checkCount("features", ticked, RULES.features);
  const params = state.act === CUSTOM ? Boolean(editor?.valid()) : checkParams(byName[state.act], state.extra, "");
  return boxes && batch && features && params;
}

function show(result, body, { animate }) {
  run = result;
  runRequest = body;
  live.leave({ quiet: true });
  results.current();
  describeData(run);
  setExportData("boundary-chart", runFile(runRequest, run));
  describeOutcome();
  player.load(state.frame, { animate });
}

// The chart's note, the titles and the toggles' hint follow the data of the run shown.
function describeData(shown) {
  const regression = isRegression(shown);
  const classes = shown.setup.n_classes;
  $("#discretize-hint").textContent = regression
    ? "Discretized, a regression output shows its sign (−1 or +1)."
    : classes > 2 ? `With ${classes} classes the background already shows the most probable class.` : "";
  // R² where a classifier has accuracy
  $("#accuracy-chart-title").textContent = regression ? "R²" : "Accuracy";
  $("#boundary-chart-title").textContent = regression ? "Network output" : "Decision boundary";
  $("#accuracy-chart").setAttribute("aria-label", regression ? "R²" : "Accuracy");
  if (regression) {
    const [low, high] = REGRESSION_RANGE;
    noteOf("boundary-chart").textContent =
      `Background: the network's output value, orange at ${low} through neutral at 0 to blue at ${high} (the colour bar); markers: each point coloured by its target value on the same scale; hollow markers are test points.`;
    return;
  }
  const markers = Array.from({ length: classes }, (_, k) => `${classGlyph(k)} class ${k}`).join(", ");
  const background = classes === 2
    ? "Background: the network's output, p(class 1), smoothed; the black line is p = 0.5."
    : `Background: the most probable of the ${classes} classes (softmax output).`;
  noteOf("boundary-chart").textContent =
    `${background} Markers: ${markers}; hollow markers are test points. Click inside the plot to add a point of the class picked under Data.`;
}

const noteOf = (id) => $(`#${id}`).closest(".chart-card").querySelector(".chart-note");

function describeOutcome() {
  const note = $("#outcome");
  const s = run.setup;
  let text;
  let ok = false;
  if (!run.diverged && isRegression(run)) {
    const f = run.final;
    const fit = `training loss (MSE) ${fmt(f.loss)}, R² ${fmt(f.r2, 3)}${f.test_r2 !== null ? `, test R² ${fmt(f.test_r2, 3)}` : ""}`;
    ok = run.converged;
    text = run.converged
      ? `Learned: the training R² reached ${REGRESSION.r2_target} at epoch ${run.epochs_to_converge}. Final ${fit}.`
      : `Not learned in ${s.epochs} epoch${s.epochs === 1 ? "" : "s"} (learned: a training R² of ${REGRESSION.r2_target}): final ${fit}.`;
  } else if (run.diverged) {
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
  if (dead || saturated) text += ` Hidden units: ${[dead ? `${dead} dead (output 0 on every training input)` : "", saturated ? `${saturated} saturated (alive, but |f′| < ${init.saturated} on every input)` : ""].filter(Boolean).join(" and ")}; each unit is counted once and marked D or S below.`;
  note.textContent = text;
  note.classList.toggle("ok", ok);
  note.hidden = false;
}

// --- the view: a recorded snapshot or a live frame ---------------------------------------------

const player = snapshotPlayer({
  ready: () => Boolean(run),
  count: () => run.snapshots.length,
  show: (k) => {
    const snapshot = run.snapshots[k];
    $("#frame-label").textContent = snapshot ? `epoch ${snapshot.epoch} · loss ${fmt(snapshot.loss)}` : "no snapshots";
    renderFrame();
  },
  remember: (k, last) => {
    state = { ...state, frame: k === last ? -1 : k };
    writeState(SCHEMA, state);
  },
});

// The view on screen: the live session's last frame while live, else the recorded run at the
// player's snapshot. {run, snapshot, request, live}: run has the fields of a TrainResult the
// figures read (setup, data, grid, thumbnail_grid, curves, weights).
function currentView() {
  if (live.active) return live.view;
  if (!run) return null;
  return { run, snapshot: run.snapshots[player.frame], request: runRequest, live: false };
}

// A hidden unit hovered or focused in the diagram ({layer, unit, name}): the boundary chart
// shows its output large until the pointer or focus leaves it.
let enlarged = null;

function renderFrame() {
  const view = currentView();
  return view ? drawView(view) : null;
}

// Draw one view: the boundary (or the enlarged unit), the curves and the network. The one
// place both a recorded snapshot and a live frame go through.
async function drawView(view) {
  const t = theme();
  const { run: shown, snapshot, request } = view;
  const unit = enlarged && snapshot?.hidden?.[enlarged.layer]?.[enlarged.unit] ? enlarged : null;
  let boundary = boundaryFigure(shown, snapshot, t, {
    dataset: datasetOf(request, OWN), gridStep: init.grid_step, showTest: state.test, discrete: state.disc, unit,
  });
  if (view.live) boundary = rasterised(boundary, t, paint, unchanged);
  const charts = [[$("#boundary-chart"), boundary]];
  // Playing, the curves (a log axis re-ticked each time: ~20 ms) and the hidden space (moved
  // points are a new scatter for Plotly) are redrawn a few times a second; the boundary and the
  // network every frame. The hidden space and the network are skipped while off screen (their
  // next frame on screen draws them): at 1280 x 800 both are below the fold, and they cost a
  // spiral page about 15 ms of its 33 ms a frame. A paused frame draws everything.
  const now = performance.now();
  const playing = view.live && live.playing;
  const spaceShown = isOnScreen($("#hidden-space-chart"));
  const space = !playing || (spaceShown && now - spaceDrawn >= spaceInterval(view.request))
    ? [$("#hidden-space-chart"), hiddenSpace(view, t)] : null;
  if (!view.live || !live.playing || now - curvesDrawn >= CURVES_MS) {
    curvesDrawn = now;
    const marker = view.live ? null : snapshot?.epoch; // live: the curves end where the network is
    const curves = [[$("#loss-chart"), curvesFigure(shown, "loss", marker, t)]];
    if (!view.live || !isRegression(shown)) {
      curves.push([$("#accuracy-chart"), curvesFigure(shown, isRegression(shown) ? "r2" : "accuracy", marker, t)]);
    }
    // Plotly.react keeps an axis' autorange from the last draw when the layout reads the same:
    // a growing curve says its epochs outright
    if (view.live) {
      for (const [, { layout }] of curves) layout.xaxis.range = [shown.epochs[0], Math.max(shown.epochs.at(-1), shown.epochs[0] + 1)];
      curves[0][1].layout.yaxis.range = lossRange(shown, curves[0][1].layout.yaxis.type === "log");
    }
    charts.push(...curves);
  }
  const caption = $("#boundary-unit");
  caption.hidden = !unit;
  if (unit) caption.textContent = `Showing ${unit.name}'s output (the hidden unit under the pointer or focus); leave it for the network's.`;
  await drawAll(charts);
  if (space) {
    spaceDrawn = performance.now();
    await drawAll([space]);
    spaceCost = performance.now() - spaceDrawn;
  }
  if (!playing || isOnScreen($("#network"))) renderNetwork(view, t);
}

const isOnScreen = onScreen([$("#hidden-space-chart"), $("#network")]);

const CURVES_MS = 200;
let spaceDrawn = 0;
let spaceCost = 0; // the last hidden-space draw, ms

// How often a playing live session redraws the hidden space: at most a fifth of the time goes
// to it (500 points took Plotly ~70 ms a draw). A 3-D view renders in WebGL after Plotly returns,
// and without a GPU (headless Chromium) redrawing it every 100 ms held the live boundary at 5 to
// 11 frames a second (24 at every 400 ms), so it follows more slowly still.
function spaceInterval(request) {
  const layers = request.hidden_layers;
  const width = layers[pickedLayer(state.hl, layers.length)];
  return Math.max(width === 3 ? 400 : 100, 5 * spaceCost);
}

// The live loss axis' range, padded by 5 % (of decades on a log axis).
function lossRange(shown, log) {
  const values = [...shown.loss, ...(shown.test_loss ?? [])].filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (!values.length) return undefined;
  const scaled = log ? values.map(Math.log10) : values;
  const low = Math.min(...scaled);
  const high = Math.max(...scaled);
  const pad = Math.max((high - low) * 0.05, log ? 0.01 : 1e-3);
  return [low - pad, high + pad];
}
let curvesDrawn = 0;

// The live boundary's traces of the last frame, reused while they stay the same.
const unchanged = new Map();

// RGBA bytes with lines on top as an image source, for the live boundary's background.
const canvas = document.createElement("canvas");
function paint(width, height, pixels, lines) {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  ctx.putImageData(new ImageData(pixels, width, height), 0, 0);
  for (const { x, y, colour, width: lineWidth } of lines) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = lineWidth * 1.5; // the picture is stretched to about twice its pixels
    ctx.beginPath();
    for (let k = 0; k + 1 < x.length; k += 3) { // segments: start, end, gap
      ctx.moveTo(x[k], y[k]);
      ctx.lineTo(x[k + 1], y[k + 1]);
    }
    ctx.stroke();
  }
  return canvas.toDataURL();
}

function renderNetwork({ run: shown, snapshot, request }, t) {
  const layers = shown.weights ?? shown.initial_weights;
  const hidden = layers.length - 1;
  const flags = Array.from({ length: hidden }, (_, l) =>
    layers[l].b.map((_, u) => ({ dead: shown.dead_units?.[l]?.includes(u), saturated: shown.saturated_units?.[l]?.includes(u) })));
  const thumbs = snapshot ? snapshot.hidden.map((units) => units.map((grid) => thumbnail(grid, t))) : [];
  const labels = Object.fromEntries(init.features);
  drawNetwork($("#network"), {
    layers,
    inputs: shown.setup.features.map((f) => labels[f] ?? f),
    thumbs,
    flags,
    activation: shown.setup.activation === CUSTOM ? request.expression : byName[shown.setup.activation]?.label ?? shown.setup.activation,
    saturatedBelow: init.saturated,
  }, t, (text) => { $("#network-focus").textContent = text; }, { onUnit: enlarge, onEdit: editValue });
}

function enlarge(unit) {
  if (unit?.name === enlarged?.name && unit?.layer === enlarged?.layer) return;
  enlarged = unit;
  // live and playing, the next frame draws it; otherwise draw now
  if (!live.active || !live.playing) renderFrame();
}

// A link or bias clicked: the box with its value; Enter edits the live network (a recorded run
// is first continued as a live session from the weights the diagram shows).
function editValue({ label, value, anchor, ...command }) {
  openEditBox($("#network"), anchor, {
    label,
    value,
    rule: LIVE_RULES.value,
    onCommit: (typed) => {
      clearErrors($("#results"));
      const edit = { ...command, value: typed };
      if (live.active) {
        live.edit(edit);
        return null;
      }
      if (!run) return "Train first: an edit needs a network to change.";
      // the recorded run's settings and the weights its diagram shows; a fresh optimiser, epoch 0
      const weights = (run.weights ?? run.initial_weights).map(({ W, b }) => ({ W, b }));
      live.edit(edit, { ...runRequest, initial_weights: weights });
      $("#live-status").textContent = "A live session started from the weights the diagram showed (the recorded run's final weights), with your edit; its epoch counter starts at 0.";
      return null;
    },
  });
}

// --- the hidden space --------------------------------------------------------------------------

// The range of a bounded activation's outputs without parameters of its own (one with them may
// have another range), which a unit's axis spans whole; null otherwise.
function activationBounds(name) {
  const entry = byName[name];
  const range = entry?.properties?.range;
  if (!entry || entry.params.length || !entry.properties.bounded) return null;
  return range.every(Number.isFinite) ? range : null;
}

// Each recorded run's axes per layer, from all its snapshots; a live session's grow frame by frame.
const recordedRanges = new WeakMap();
let liveRange = { key: null, range: null };

function rangeOf(view, layer, shown) {
  const { run: result, request, snapshot } = view;
  const bounds = activationBounds(request.activation);
  const nHidden = request.hidden_layers.length;
  if (!view.live) {
    if (!recordedRanges.has(result)) recordedRanges.set(result, new Map());
    const ranges = recordedRanges.get(result);
    if (!ranges.has(layer)) {
      ranges.set(layer, spaceRange(result.snapshots.map((s) => viewAt(s, request, nHidden, layer)), { bounds }));
    }
    return ranges.get(layer);
  }
  const key = JSON.stringify([request.dataset, request.features, request.hidden_layers, request.activation, layer, shown.projection]);
  if (liveRange.key !== key) liveRange = { key, range: null };
  liveRange.range = widened(liveRange.range, spaceRange([viewAt(snapshot, request, nHidden, layer)], { bounds }));
  return liveRange.range;
}

// The picker lists the shown network's hidden layers (the run's or the live session's).
function syncLayerPicker(layers) {
  const select = $("#hidden-layer");
  const options = layerOptions(layers);
  const key = JSON.stringify(options);
  if (select.dataset.options !== key) {
    select.replaceChildren(...options.map(([value, label]) => element("option", { value: String(value) }, [label])));
    select.dataset.options = key;
  }
  const picked = pickedLayer(state.hl, layers.length);
  select.value = String(picked === layers.length - 1 ? 0 : picked + 1);
  $("#hidden-layer-field").hidden = !layers.length;
  $("#hidden-layer-hint").hidden = !layers.length;
}

// The hidden-space chart of a view, its note and its JSON export.
function hiddenSpace(view, t) {
  const { run: shown, snapshot, request } = view;
  const layers = request.hidden_layers;
  syncLayerPicker(layers);
  const note = noteOf("hidden-space-chart");
  if (!layers.length) {
    note.textContent = "Add a hidden layer under Network to see one.";
    setExportData("hidden-space-chart", null);
    return messageFigure("This network has no hidden layer: the output sees its input features directly,<br>so its boundary is straight in those features.", t);
  }
  const layer = pickedLayer(state.hl, layers.length);
  const space = viewAt(snapshot, request, layers.length, layer);
  if (space === undefined) {
    note.textContent = "";
    setExportData("hidden-space-chart", null);
    const why = spaceRefused && !view.live
      ? `The server trained this run without hidden-space views:<br>${spaceRefused.replace(/; /g, ";<br>")}`
      : "This run holds no hidden-space views (a run saved before them): press Train to record it again.";
    return messageFigure(why, t);
  }
  const regression = isRegression(shown);
  note.textContent = spaceNote(space, { regression, layers: layers.length });
  setExportData("hidden-space-chart", view.live
    ? { chart: "hidden-space-chart", live: true, epoch: snapshot.epoch, view: space }
    : { chart: "hidden-space-chart", layer, snapshots: shown.snapshots.map((s) => ({ epoch: s.epoch, view: viewAt(s, request, layers.length, layer) })) });
  const range = space ? rangeOf(view, layer, space) : null;
  return hiddenSpaceFigure(space, shown.data, t, { range, showTest: state.test, regression });
}

// --- live training -----------------------------------------------------------------------------

// The points of a live session's data: the recorded run's when it has the same data, else a
// one-epoch run of the same body (the same generator and seed give the same points).
function pointsFor(body) {
  if (run && JSON.stringify(runRequest?.dataset) === JSON.stringify(body.dataset)) {
    return Promise.resolve({ data: run.data, n_classes: run.setup.n_classes });
  }
  const { initial_weights: _, hidden_space: __, ...rest } = body; // the points only
  return api.train({ ...rest, epochs: 1, snapshots: 0 }).then((r) => ({ data: r.data, n_classes: r.setup.n_classes }));
}

// Errors of the socket, at the control they name; the edit's fields and the rest at the panel.
const LIVE_FIELDS = { ...FIELDS, value: "live", layer: "live", to_unit: "live", from_unit: "live", type: "live", n: "live-step-n", epochs_per_frame: "live-speed" };

const live = liveController({
  body: () => {
    clearErrors($(".controls"));
    return formValid() ? requestBody(state) : null;
  },
  dataFor: pointsFor,
  draw: drawView,
  entered: (on, { quiet = false } = {}) => {
    $("#results").classList.toggle("is-live", on);
    $("#live-mode").hidden = !on;
    $("#live-back").hidden = !on;
    closeEditBox($("#network"));
    if (on) {
      player.stop();
      results.current();
      $("#outcome").hidden = true;
      return;
    }
    $("#live-epoch").textContent = "—";
    $("#live-metrics").textContent = "not started";
    if (quiet || !run) return;
    // back to the recorded run as it was; it says so if the controls have moved on since
    $("#outcome").hidden = false;
    describeData(run);
    renderFrame();
    if (JSON.stringify(requestBody(state)) !== JSON.stringify(runRequest)) markStale("the controls changed during the live session; press Train to record these settings");
  },
  report: (error) => reportError(error, LIVE_FIELDS, "live", { ...RULES, "live-step-n": LIVE_RULES.step, "live-speed": LIVE_RULES.speed }),
  regenerated: () => {
    if (!codec.generated(state)) return null;
    const rule = RULES.data_seed;
    state = { ...state, dseed: state.dseed + 1 > rule.max ? rule.min : state.dseed + 1 };
    writeState(SCHEMA, state, { push: true });
    syncFields(BOUND, state);
    return requestBody(state);
  },
}, LIVE_RULES);

// --- your own data: clicks and CSV ------------------------------------------------------------

function currentPoints() {
  if (state.ds === OWN) return state.pts.map(decodePoint);
  if (!run) return [];
  const all = [run.data.train, ...(run.data.test ? [run.data.test] : [])];
  return all.flatMap((set) => set.x.map(([x1, x2], i) => [x1, x2, set.y[i]]));
}

function usePoints(points) {
  state = { ...state, ds: OWN, pts: points.map(encodePoint) };
  syncControls();
  commit();
}

wirePointClicks($("#boundary-chart"), {
  ready: () => Boolean(run) && classesOf(state) > 0, // a regression set's points are not classes
  onPoint: ([x1, x2]) => {
    const label = Number(document.querySelector('input[name="click-class"]:checked').value);
    const points = currentPoints();
    if (points.length >= MAX_POINTS) {
      showError("points", `At most ${MAX_POINTS} points.`);
      return;
    }
    usePoints([...points, [x1, x2, label]]);
  },
});

$("#clear-points").addEventListener("click", () => {
  state = { ...state, ds: SCHEMA.ds.fallback, pts: [] };
  syncControls();
  commit();
});

$("#csv-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  clearErrors($(".controls"));
  try {
    usePoints(parseCSV(await file.text(), { maxPoints: MAX_POINTS, maxClasses: MAX_CLASSES }));
  } catch (error) {
    showError("csv-file", `${file.name}: ${error.message}`);
  }
});

// --- export and load a run --------------------------------------------------------------------

$("#export-run").addEventListener("click", () => {
  if (!run) return;
  download(runFileName(runRequest, run), JSON.stringify(runFile(runRequest, run)), "application/json");
});

$("#load-run").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  clearErrors($(".controls"));
  try {
    const text = await file.text();
    if (isHistory(JSON.parse(text))) {
      await loadHistory(JSON.parse(text));
      return;
    }
    const saved = parseRunFile(text);
    player.stop();
    clearTimeout(settling);
    settling = null;
    // a run file holds no lesson: the controls this link hides stay hidden
    const lesson = Object.fromEntries(Object.entries(state).filter(([key]) => key.endsWith(HIDE_SUFFIX)));
    state = { ...codec.stateFromBody(saved.request), ...lesson };
    writeState(SCHEMA, state, { push: true });
    syncControls();
    show(saved.result, saved.request, { animate: false });
  } catch (error) {
    showError("load-run", `${file.name}: ${error.message}`);
  }
});

// A saved live session: the server trains its history again (start, each change at its epoch)
// and answers with a recorded run, shown with its snapshots as any run is.
async function loadHistory(history) {
  const lesson = Object.fromEntries(Object.entries(state).filter(([key]) => key.endsWith(HIDE_SUFFIX)));
  const request = { ...history.start, epochs: history.epoch };
  busy(true);
  try {
    const result = await api.replayRun(history);
    clearTimeout(settling);
    settling = null;
    state = { ...codec.stateFromBody(request), ...lesson };
    writeState(SCHEMA, state, { push: true });
    syncControls();
    show(result, request, { animate: false });
    const changes = history.commands.filter((entry) => ["set", "edit", "reset", "regenerate"].includes(entry.command.type));
    if (changes.length) {
      $("#outcome").textContent += ` A saved live session, replayed: ${changes.length} change${changes.length === 1 ? "" : "s"} during the run (${changes.map((e) => `${e.command.type} at epoch ${e.epoch}`).join(", ")}); the controls show its start, so Train runs them without the changes.`;
    }
  } finally {
    busy(false);
  }
}

// --- wiring -----------------------------------------------------------------------------------

// The hidden-space layer is a view too: the run holds every layer's views.
$("#hidden-layer").addEventListener("change", (event) => {
  state = { ...state, hl: Number(event.target.value) };
  writeState(SCHEMA, state, { push: true });
  renderFrame();
});

// The boundary chart's toggles change the view only: the link keeps them, nothing is trained.
for (const [id, key] of [["show-test", "test"], ["discretize", "disc"]]) {
  $(`#${id}`).addEventListener("change", (event) => {
    state = { ...state, [key]: event.target.checked };
    writeState(SCHEMA, state, { push: true });
    renderFrame();
  });
}

bindFields(BOUND, (key, value) => {
  // Another activation starts from its own defaults; a built-in's link carries no formula.
  state = { ...state, [key]: value, ...(key === "act" ? { extra: {}, expr: null } : {}) };
  syncControls();
  // Your own: the editor's answer starts the run (commit() from onValid).
  if (!(key === "act" && value === CUSTOM)) commit();
}, RULES, () => markStale(REFUSED));
$("#batch_size").addEventListener("change", () => {
  const value = checkBox("batch_size", RULES.batch_size);
  if (value === undefined) return markStale(REFUSED); // the message is at the box
  state = { ...state, bs: value ?? 0 }; // empty: full batch
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
  // A new layer copies the last one, or starts as the API's default layer.
  state = { ...state, layers: [...state.layers, state.layers.at(-1) ?? RULES.hidden_layers.default.at(-1)] };
  buildLayers();
  commit();
});
$("#remove-layer").addEventListener("click", () => {
  state = { ...state, layers: state.layers.slice(0, -1) };
  buildLayers();
  commit();
});
$("#run").addEventListener("click", () => trainNow({ animate: true }));
$("#linear-vs-nonlinear").addEventListener("click", () => {
  state = { ...state, xor: true };
  writeState(SCHEMA, state, { push: true });
  showLinearView(state.seed, { gridStep: init.grid_step });
});

startPage({
  schema: SCHEMA,
  extraKeys: PARAM_KEYS,
  navigated: (next) => {
    state = next;
    waitingForEditor = state.act === CUSTOM;
    syncControls();
    if (state.act && byName[state.act]) syncParamControls(byName[state.act], state.extra, "");
    if (!waitingForEditor) trainNow({ animate: false });
  },
  themed: () => {
    buildClassPicker(classesOf(state));
    renderFrame();
  },
  start: () => {
    waitingForEditor = state.act === CUSTOM;
    syncControls();
    if (state.act === CUSTOM) writeState(SCHEMA, state); // the formula it starts from, in the link
    else train({ animate: false });
    if (state.xor) showLinearView(state.seed, { gridStep: init.grid_step });
  },
});
