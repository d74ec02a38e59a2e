// Sweep: the same network from many seeds per activation; success, speed and loss spread.
import { api } from "./api.js";
import { bindFields, checkBoxes, checkCount, chipList, syncFields } from "./controls.js";
import { list, onNavigate, readState, ruled, str, writeState } from "./state.js";
import { bandsFigure, convergeFigure, successFigure } from "./training-plots.js";
import {
  $, checkNumber, clearError, clearErrors, drawAll, fmt, initialState, isAbort, onThemeChange, progress,
  reportError, showError, theme, wireExports,
} from "./ui.js";

const init = initialState();
const labels = Object.fromEntries(init.catalogue.map((e) => [e.name, e.label]));
// What each control accepts and starts at: the server's rules, from the request model.
const RULES = init.fields;
const SCHEMA = {
  acts: list(["identity", "sigmoid", "tanh", "relu"]),
  seeds: ruled(RULES.seeds),
  epochs: ruled(RULES.epochs),
  ds: str("xor", init.datasets.map(([value]) => value).filter((v) => v !== "points")),
  layers: list(RULES.hidden_layers.default, Number),
  opt: str("adam"),
  lr: ruled(RULES.learning_rate),
  init: str("xavier"),
};
const BOUND = {
  numbers: { seeds: "seeds", epochs: "epochs", learning_rate: "lr" },
  selects: { dataset: "ds", optimizer: "opt", init: "init" },
};
const FIELDS = {
  activations: "activations", seeds: "seeds", epochs: "epochs", dataset: "dataset", hidden_layers: "hidden_layers",
  optimizer: "optimizer", learning_rate: "learning_rate", init: "init",
};
let state = readState(SCHEMA);
let result = null;
let generation = 0;
const bar = progress("sweep-progress");

const renderChips = chipList($("#activations"), init.catalogue, state.acts, (names) => {
  state = { ...state, acts: names };
  renderChips(names);
  commit();
});

function syncControls() {
  renderChips(state.acts);
  syncFields(BOUND, state);
  $("#hidden_layers").value = state.layers.join(",");
}

function commit() {
  writeState(SCHEMA, state, { push: true });
  sweep();
}

function body() {
  return {
    activations: state.acts,
    seeds: state.seeds,
    epochs: state.epochs,
    dataset: state.ds,
    hidden_layers: state.layers,
    optimizer: state.opt,
    learning_rate: state.lr,
    init: state.init,
  };
}

// "4, 4" -> [4, 4], or undefined with the message at the box (units per layer, how many layers).
function readLayers() {
  const text = $("#hidden_layers").value.trim();
  const parts = text === "" ? [] : text.split(/[\s,]+/);
  const rule = RULES.hidden_layers;
  for (const part of parts) {
    const { error } = checkNumber(part, { ...rule, label: "Units per layer" });
    if (error) {
      showError("hidden_layers", error.startsWith("enter") ? `${error} per layer, separated by commas (e.g. 4,4)` : error);
      return undefined;
    }
  }
  if (!checkCount("hidden_layers", parts.length, rule)) return undefined;
  clearError("hidden_layers");
  return parts.map(Number);
}

async function sweep() {
  clearErrors($(".controls"));
  // What the boxes hold, checked in their own words before anything is sent.
  if (!checkBoxes(BOUND, RULES) || readLayers() === undefined) return;
  const mine = ++generation;
  const signal = bar.start("Starting…");
  try {
    const next = await api.sweepStream(body(), {
      signal,
      onProgress: (p) =>
        bar.update(p.fraction, `${p.activation ? `${labels[p.activation] ?? p.activation}: ` : ""}epoch ${p.epoch} of ${p.epochs} · median loss ${fmt(p.loss)}`),
    });
    if (mine !== generation) return;
    result = next;
    await render();
  } catch (error) {
    if (mine !== generation) return;
    if (isAbort(error)) showError("run", "Sweep cancelled: the charts still show the previous sweep.");
    else reportError(error, FIELDS, "run", RULES);
  } finally {
    if (mine === generation) bar.done();
  }
}

const nameOf = (r) => labels[r.activation] ?? r.activation;

async function render() {
  if (!result) return;
  const t = theme();
  const success = successFigure(result.results, nameOf, t);
  const converge = convergeFigure(result.results, nameOf, t);
  const bands = bandsFigure(result.epochs, result.results, nameOf, t);
  await drawAll([
    [$("#success-chart"), success],
    [$("#converge-chart"), converge],
    [$("#loss-bands-chart"), bands],
  ]);
}

bindFields(BOUND, (key, value) => {
  state = { ...state, [key]: value };
  commit();
}, RULES);
$("#hidden_layers").addEventListener("change", () => {
  const layers = readLayers();
  if (layers === undefined) return;
  state = { ...state, layers };
  commit();
});
$("#run").addEventListener("click", sweep);
onNavigate(SCHEMA, (next) => {
  state = next;
  syncControls();
  sweep();
});
onThemeChange(render);
wireExports();

syncControls();
sweep();
