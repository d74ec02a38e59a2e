// Explore: one function, f / f' / f'' with live parameter sliders and the formula card; or your
// own, typed in the "Add your own" editor (fn=custom, its definition in `expr`).
import { api } from "../api.js";
import {
  bindRange, checkBoxes, checkOrder, checkParams, paramControls, paramFieldIds, syncFields, syncParamControls,
} from "../controls.js";
import { expressionEditor } from "../expression-editor.js";
import { exampleDefinition, paramValues } from "../expressions.js";
import { init, startPage } from "../page.js";
import { VIEWS, curveFigure } from "../plots.js";
import { controlsOf, definition, list, paramNames, lessonControls, lessonSchema, readState, ruled, str, writeState } from "../state.js";
import { $, OUT_OF_DATE, clearErrors, debounce, draw, freshness, latest, reportError, theme } from "../ui.js";

const byName = Object.fromEntries(init.catalogue.map((entry) => [entry.name, entry]));
const RULES = init.fields;
const CUSTOM = init.expressions.name;
const SCHEMA = {
  fn: str(init.default_function),
  expr: definition({ maxParams: init.expressions.max_params }),
  xmin: ruled(RULES.xmin),
  xmax: ruled(RULES.xmax),
  show: list(VIEWS),
  ...lessonSchema(lessonControls(init)), // <field>_hide=1: a lesson link hides that control
};
const RANGE = controlsOf(SCHEMA);
// The link's keys this page reads besides SCHEMA's: the chosen function's own parameters.
const PARAM_KEYS = (s) => paramNames(byName[s.fn]);
// The curve query's own default: Compare asks the same, so both hit the same cache entries.
const POINTS = init.curve_points;
const chart = $("#curve-chart");
let state = readState(SCHEMA, window.location.search, PARAM_KEYS);
let curve = null;
const charts = freshness(() => [chart]);
const card = freshness(() => [$("#card")]);

const entry = () => byName[state.fn];
const isCustom = () => state.fn === CUSTOM;
let editor = null; // made the first time your own is chosen
// A link's, else what the editor held before a built-in was picked, else the first example.
const definitionOf = (s) => s.expr ?? editor?.definition() ?? exampleDefinition(init.expressions.examples[0]);

// Your own: the editor in place of the parameters, its formulas and estimates in place of the card.
function showEditor() {
  const custom = isCustom();
  $("#params").hidden = custom;
  $("#custom-editor").hidden = !custom;
  if (!custom) return;
  if (!editor) {
    editor = expressionEditor($("#custom-editor"), {
      prefix: "",
      facts: init.expressions,
      definition: definitionOf(state),
      onChange: (expr, { final }) => {
        state = { ...state, expr };
        writeState(SCHEMA, state, { push: final });
      },
      onValid: () => refreshCurve(),
      onInvalid: () => charts.failed(OUT_OF_DATE.failed),
    });
    editor.validate();
  } else {
    editor.set(definitionOf(state));
  }
  $("#card").replaceChildren(editor.result);
}
const fields = () => ({ ...paramFieldIds(entry() ?? { params: [] }, ""), x_min: "xmin", x_max: "xmax", name: "fn" });

function buildParams() {
  const box = $("#params");
  box.replaceChildren(box.querySelector("legend"));
  const current = entry();
  if (!current || current.params.length === 0) {
    const none = document.createElement("p");
    none.className = "hint";
    none.textContent = "This function has no parameters.";
    box.append(none);
    return;
  }
  box.append(...paramControls(current, state.extra, "", onParam));
}

function onParam(name, value, { final }) {
  state.extra = { ...state.extra, [name]: value };
  writeState(SCHEMA, state, { push: final });
  refreshCurve();
  refreshCard();
}

function syncControls() {
  $("#fn").value = state.fn;
  syncFields(RANGE, state);
  for (const view of VIEWS) $(`#show-${view}`).checked = state.show.includes(view);
}

const refreshCurve = latest(async () => {
  if (isCustom()) {
    await refreshCustomCurve();
    return;
  }
  if (!entry()) {
    clearErrors();
    reportError({ errors: [{ field: "name", msg: `unknown activation "${state.fn}"` }] }, fields(), "curve-chart");
    charts.failed(OUT_OF_DATE.failed);
    return;
  }
  // What the boxes hold is checked here, in their own words; nothing invalid is sent.
  clearErrors();
  const valid = checkBoxes(RANGE, RULES) && checkParams(entry(), state.extra, "");
  if (!valid || !checkOrder("xmin", "xmax", state.xmin, state.xmax, RULES)) {
    charts.failed(OUT_OF_DATE.failed);
    return;
  }
  charts.pending(OUT_OF_DATE.pending);
  try {
    const next = await api.curve(state.fn, state.extra, { xMin: state.xmin, xMax: state.xmax, points: POINTS });
    clearErrors();
    curve = next;
    await render();
    charts.current();
  } catch (error) {
    clearErrors();
    reportError(error, fields(), "curve-chart", RULES);
    charts.failed(OUT_OF_DATE.failed);
  }
});

// Your own: asked for once the editor's check has passed (it reports what is wrong itself).
async function refreshCustomCurve() {
  clearErrors($("#curve-chart").parentElement);
  const valid = checkBoxes(RANGE, RULES) && checkOrder("xmin", "xmax", state.xmin, state.xmax, RULES);
  if (!valid || !editor?.valid()) {
    charts.failed(OUT_OF_DATE.failed);
    return;
  }
  const own = editor.definition();
  charts.pending(OUT_OF_DATE.pending);
  try {
    const range = { xMin: state.xmin, xMax: state.xmax, points: POINTS };
    const next = await api.customCurve(own.expression, paramValues(own), range);
    if (!isCustom()) return;
    curve = { ...next, label: own.expression };
    await render();
    charts.current();
  } catch (error) {
    const rest = editor.report(error, own.expression);
    if (rest.length) reportError({ errors: rest }, { x_min: "xmin", x_max: "xmax" }, "curve-chart", RULES);
    charts.failed(OUT_OF_DATE.failed);
  }
}

async function render() {
  if (!curve) return;
  const label = curve.name === CUSTOM ? curve.label : entry().label;
  const { traces, layout } = curveFigure(curve, state.show, theme(), label, init.vanishing);
  await draw(chart, traces, layout);
}

const refreshCard = debounce(async () => {
  // The curve request reports a bad parameter; this one only stays quiet about it.
  if (isCustom() || !entry() || !checkParams(entry(), state.extra, "", { report: false })) return;
  card.pending(OUT_OF_DATE.pending);
  try {
    $("#card").innerHTML = await api.card(state.fn, state.extra);
    card.current();
  } catch {
    // The curve request reports the same bad parameter next to its control.
    card.failed(OUT_OF_DATE.failed);
  }
}, 120);

$("#fn").addEventListener("change", (event) => {
  const leaving = isCustom();
  state = { ...state, fn: event.target.value, extra: {}, expr: null }; // a built-in's link has no formula
  if (isCustom()) state.expr = definitionOf(state);
  writeState(SCHEMA, state, { push: true });
  buildParams();
  showEditor();
  if (!isCustom()) {
    if (leaving) $("#card").replaceChildren();
    refreshCurve();
    refreshCard();
  }
});
bindRange(RANGE, RULES, (xmin, xmax) => {
  state = { ...state, xmin, xmax };
  writeState(SCHEMA, state, { push: true });
  refreshCurve();
});
for (const view of VIEWS) {
  $(`#show-${view}`).addEventListener("change", () => {
    state = { ...state, show: VIEWS.filter((v) => $(`#show-${v}`).checked) };
    writeState(SCHEMA, state, { push: true });
    render();
  });
}
startPage({
  schema: SCHEMA,
  extraKeys: PARAM_KEYS,
  navigated: (next) => {
    const fnChanged = next.fn !== state.fn;
    const exprChanged = !SCHEMA.expr.equal(next.expr, state.expr);
    const leaving = isCustom() && next.fn !== CUSTOM;
    state = next;
    syncControls();
    if (fnChanged) buildParams();
    else if (entry()) syncParamControls(entry(), state.extra, "");
    if (isCustom()) {
      if (fnChanged || exprChanged) showEditor(); // its check, once passed, asks for the curve
      else refreshCurve();
      return;
    }
    showEditor();
    if (leaving) $("#card").replaceChildren();
    refreshCurve();
    refreshCard();
  },
  themed: render,
  start: () => {
    if (isCustom() && !state.expr) {
      state = { ...state, expr: definitionOf(state) };
      writeState(SCHEMA, state);
    }
    syncControls();
    buildParams();
    if (isCustom()) showEditor();
    else refreshCurve();
  },
});
