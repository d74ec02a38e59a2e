// Sweep: the same network from many seeds per activation; success, speed and loss spread. Any
// number of your own formulas (the "Add your own" editor) can be swept beside the built-ins.
import { api } from "../api.js";
import { bindFields, checkBoxes, checkCount, chipList, element, fieldIds, syncFields } from "../controls.js";
import { expressionEditor } from "../expression-editor.js";
import { decodeDefinition, encodeDefinition, exampleDefinition, paramValues } from "../expressions.js";
import { init, startPage } from "../page.js";
import { bandsFigure, convergeFigure, successFigure } from "../plots.js";
import { choice, controlsOf, list, many, lessonControls, lessonSchema, readState, ruled, str, writeState } from "../state.js";
import {
  $, $$, OUT_OF_DATE, checkNumber, clearError, debounce, drawAll, fmt, freshness, isAbort, progress,
  reportError, showError, theme,
} from "../ui.js";

// The loss chart: one panel per activation (bands apart), or all in one chart (medians together).
const BAND_VIEWS = { panels: "one panel per activation", overlay: "all in one chart" };
const labels = Object.fromEntries(init.catalogue.map((e) => [e.name, e.label]));
// What each control accepts and starts at: the server's rules, from the request model.
const RULES = init.fields;
const SCHEMA = {
  acts: list(init.default_activations),
  seeds: ruled(RULES.seeds),
  epochs: ruled(RULES.epochs),
  ds: choice(RULES.dataset),
  layers: list(RULES.hidden_layers.default, Number),
  // A name outside the choices is kept, so the API's answer is shown at the control.
  opt: choice(RULES.optimizer, { strict: false }),
  lr: ruled(RULES.learning_rate),
  init: choice(RULES.init, { strict: false }),
  bands: str(Object.keys(BAND_VIEWS)[0], Object.keys(BAND_VIEWS)),
  own: many([]), // your own, one definition each (expressions.js): own=beta:1.7|x*sigmoid(beta*x)
  ...lessonSchema(lessonControls(init)), // <field>_hide=1: a lesson link hides that control
};
const FACTS = init.expressions;
// Every box and select whose id is a rule's, bound to the property declared from that rule.
const BOUND = controlsOf(SCHEMA);
// API field -> control id, for inline errors.
const FIELDS = fieldIds(RULES, { activations: "activations" });
let state = readState(SCHEMA);
let result = null;
let shown = null; // the request body the charts were drawn for, as JSON
let generation = 0;
const bar = progress("sweep-progress");
const CHARTS = ["#success-chart", "#converge-chart", "#loss-bands-chart"];
const charts = freshness(() => CHARTS.map((id) => $(id)), { delayMs: 0 });

// --- your own activations ----------------------------------------------------------------------

// At most as many as a sweep takes activations (the catalogue's size): a link cannot make the
// page build thousands of editors; the server's rule on the whole list still applies.
const definitionsOf = (s) =>
  s.own.slice(0, init.catalogue.length).map((text) => decodeDefinition(text, { maxParams: FACTS.max_params }));
let owns = definitionsOf(state);
let editors = [];
// The editors' answers settle before a sweep starts: typing a formula is one sweep, not one a key.
const sweepSoon = debounce(() => sweep(), 400);

function saveOwn(push) {
  state = { ...state, own: owns.map(encodeDefinition) };
  writeState(SCHEMA, state, { push });
}

function buildOwn() {
  editors = [];
  const items = owns.map((definition, i) => {
    const holder = element("div", { class: "fn-own" });
    editors[i] = expressionEditor(holder, {
      prefix: `own${i}-`,
      facts: FACTS,
      definition,
      resultOpen: false,
      onChange: (next, { final }) => {
        owns[i] = next;
        saveOwn(final);
      },
      onValid: sweepSoon,
      onInvalid: () => charts.failed(OUT_OF_DATE.failed),
    });
    const remove = element("button", { type: "button", class: "icon-button", "aria-label": `Remove your own ${i + 1}` }, ["✕"]);
    remove.addEventListener("click", () => {
      owns.splice(i, 1);
      saveOwn(true);
      buildOwn();
      if (owns.length === 0) sweep();
    });
    return element("div", { class: "fn-item" }, [
      element("div", { class: "row" }, [element("span", { class: "field-label" }, [`Your own ${i + 1}`]), remove]),
      holder,
    ]);
  });
  $("#own-activations").replaceChildren(...items);
  for (const editor of editors) editor.validate(); // each accepted one asks for the sweep
}

$("#own-add").addEventListener("click", () => {
  const used = new Set(owns.map(encodeDefinition));
  const example = FACTS.examples.find((e) => !used.has(encodeDefinition(exampleDefinition(e)))) ?? FACTS.examples[0];
  owns.push(exampleDefinition(example));
  saveOwn(true);
  buildOwn();
});

// A result's name: a built-in's label, or your own formula (results keep the request's order).
let shownBody = null;
function nameAt(i) {
  const item = shownBody?.activations[i];
  if (typeof item === "string") return labels[item] ?? item;
  if (!item) return "?";
  const params = Object.entries(item.params).map(([k, v]) => `${k}=${v}`).join(", ");
  return params ? `${item.expression} (${params})` : item.expression;
}

const renderChips = chipList($("#activations"), init.catalogue, state.acts, (names) => {
  state = { ...state, acts: names };
  renderChips(names);
  commit();
});

function syncControls() {
  renderChips(state.acts);
  syncFields(BOUND, state);
  $("#hidden_layers").value = state.layers.join(",");
  for (const view of Object.keys(BAND_VIEWS)) $(`#bands-${view}`).checked = state.bands === view;
}

function commit() {
  writeState(SCHEMA, state, { push: true });
  sweep();
}

function body() {
  return {
    activations: [
      ...state.acts,
      ...owns.map((d) => ({ name: FACTS.name, expression: d.expression, params: paramValues(d) })),
    ],
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
  for (const box of $$(".controls .error")) if (!box.closest(".expr-editor")) clearError(box.id.replace(/-error$/, ""));
  // What the boxes hold, checked in their own words before anything is sent.
  // Your own are checked by their editors first; their messages stay where they are.
  if (!checkBoxes(BOUND, RULES) || readLayers() === undefined || !editors.every((e) => e.valid())) {
    charts.failed(OUT_OF_DATE.failed);
    return;
  }
  const mine = ++generation;
  const request = body();
  const asked = JSON.stringify(request);
  if (asked === shown) charts.current();
  else charts.pending(OUT_OF_DATE.pending);
  const signal = bar.start("Starting…");
  try {
    const next = await api.sweepStream(request, {
      signal,
      onProgress: (p) =>
        bar.update(p.fraction, `${p.activation ? `${labels[p.activation] ?? p.activation}: ` : ""}epoch ${p.epoch} of ${p.epochs} · median loss ${fmt(p.loss)}`),
    });
    if (mine !== generation) return;
    result = next;
    shown = asked;
    shownBody = request;
    await render();
    charts.current();
  } catch (error) {
    if (mine !== generation) return;
    if (isAbort(error)) showError("run", "Sweep cancelled: the charts still show the previous sweep.");
    else {
      // A refusal of your own formula goes to its editor (activations.<i>: after the built-ins).
      const rest = (error.errors ?? [{ field: "", msg: String(error.message) }]).filter((item) => {
        const k = item.loc?.[1] === "activations" ? item.loc[2] - state.acts.length : -1;
        return !(editors[k] && editors[k].report({ errors: [item] }).length === 0);
      });
      if (rest.length) reportError({ ...error, errors: rest }, FIELDS, "run", RULES);
    }
    if (asked !== shown) charts.failed(OUT_OF_DATE.failed);
  } finally {
    if (mine === generation) bar.done();
  }
}

const nameOf = (r) => nameAt(result.results.indexOf(r));

async function render() {
  if (!result) return;
  const t = theme();
  // Names side by side while each has about 90 px, else one row each (22 px) in a taller chart.
  const count = result.results.length;
  const horizontal = $("#success-chart").clientWidth / count < 90;
  for (const id of ["#success-chart", "#converge-chart"]) {
    $(id).style.height = horizontal ? `${Math.max(240, count * 22 + 110)}px` : "";
  }
  const success = successFigure(result.results, nameOf, t, { horizontal });
  const converge = convergeFigure(result.results, nameOf, t, { horizontal });
  const el = $("#loss-bands-chart");
  const panels = state.bands === "panels" && result.results.length > 1;
  const columns = panels ? Math.max(1, Math.min(4, Math.floor(el.clientWidth / 300), result.results.length)) : 1;
  const rows = Math.ceil(result.results.length / columns);
  el.style.height = panels && rows > 1 ? `${rows * 170 + 100}px` : "";
  const bands = bandsFigure(result.epochs, result.results, nameOf, t, { panels, columns });
  const drawn = [
    [$("#success-chart"), success],
    [$("#converge-chart"), converge],
    [el, bands],
  ];
  // A regression set (n_classes 0): success is a training R² at the server's target, and the
  // R² bands come beside the loss bands.
  const regression = result.setup.n_classes === 0;
  const target = init.regression.r2_target;
  $("#success-chart-title").textContent = regression
    ? `Success rate (training R² reached ${target})`
    : "Success rate (every training point right)";
  $("#converge-chart-title").textContent = regression
    ? `Epochs to reach R² ${target} (runs that did)`
    : "Epochs to converge (runs that converged)";
  $("#r2-bands").hidden = !regression;
  if (regression) {
    const r2 = $("#r2-bands-chart");
    r2.style.height = el.style.height;
    drawn.push([r2, bandsFigure(result.epochs, result.results, nameOf, t, { panels, columns, curve: "r2_curve" })]);
  }
  await drawAll(drawn);
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
$("#bands").replaceChildren(
  ...Object.entries(BAND_VIEWS).map(([view, text]) => {
    const radio = element("input", { type: "radio", name: "bands", id: `bands-${view}`, value: view });
    radio.addEventListener("change", () => {
      state = { ...state, bands: view };
      writeState(SCHEMA, state, { push: true });
      render();
    });
    return element("label", { class: "check" }, [radio, ` ${text}`]);
  }),
);
window.addEventListener("resize", debounce(() => render(), 200));
$("#run").addEventListener("click", sweep);
startPage({
  schema: SCHEMA,
  navigated: (next) => {
    state = next;
    owns = definitionsOf(state);
    syncControls();
    buildOwn();
    if (owns.length === 0) sweep();
  },
  themed: render,
  start: () => {
    syncControls();
    buildOwn();
    if (owns.length === 0) sweep(); // else the editors' answers start it
  },
});
