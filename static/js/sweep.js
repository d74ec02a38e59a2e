// Sweep: the same network from many seeds per activation; success, speed and loss spread.
import { api } from "./api.js";
import { bindFields, chipList, syncFields } from "./controls.js";
import { int, list, num, onNavigate, readState, str, writeState } from "./state.js";
import { bandsFigure, convergeFigure, successFigure } from "./training-plots.js";
import {
  $, clearErrors, drawAll, fmt, initialState, isAbort, onThemeChange, progress, reportError, showError,
  theme, wireExports,
} from "./ui.js";

const init = initialState();
const labels = Object.fromEntries(init.catalogue.map((e) => [e.name, e.label]));
const SCHEMA = {
  acts: list(["identity", "sigmoid", "tanh", "relu"]),
  seeds: int(20, { min: 1, max: init.limits.seeds }),
  epochs: int(300, { min: 1, max: init.limits.epochs }),
  ds: str("xor", init.datasets.map(([value]) => value).filter((v) => v !== "points")),
  layers: list([2], Number),
  opt: str("adam"),
  lr: num(0.1, { min: 0 }),
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

async function sweep() {
  const mine = ++generation;
  clearErrors($(".controls"));
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
    else reportError(error, FIELDS, "run");
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
});
$("#hidden_layers").addEventListener("change", (event) => {
  const text = event.target.value.trim();
  const layers = text === "" ? [] : text.split(/[\s,]+/).map(Number);
  if (layers.some((v) => !Number.isInteger(v))) {
    showError("hidden_layers", "whole numbers of units, separated by commas (e.g. 4,4)");
    return;
  }
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
