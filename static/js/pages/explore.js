// Explore: one function, f / f' / f'' with live parameter sliders and the formula card.
import { api } from "../api.js";
import {
  bindRange, checkBoxes, checkOrder, checkParams, paramControls, paramFieldIds, syncFields, syncParamControls,
} from "../controls.js";
import { init, startPage } from "../page.js";
import { VIEWS, curveFigure } from "../plots.js";
import { controlsOf, list, paramNames, lessonControls, lessonSchema, readState, ruled, str, writeState } from "../state.js";
import { $, OUT_OF_DATE, clearErrors, debounce, draw, freshness, latest, reportError, theme } from "../ui.js";

const byName = Object.fromEntries(init.catalogue.map((entry) => [entry.name, entry]));
const RULES = init.fields;
const SCHEMA = {
  fn: str(init.default_function),
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

async function render() {
  if (!curve) return;
  const { traces, layout } = curveFigure(curve, state.show, theme(), entry().label, init.vanishing);
  await draw(chart, traces, layout);
}

const refreshCard = debounce(async () => {
  // The curve request reports a bad parameter; this one only stays quiet about it.
  if (!entry() || !checkParams(entry(), state.extra, "", { report: false })) return;
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
  state = { ...state, fn: event.target.value, extra: {} };
  writeState(SCHEMA, state, { push: true });
  buildParams();
  refreshCurve();
  refreshCard();
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
    state = next;
    syncControls();
    if (fnChanged) buildParams();
    else if (entry()) syncParamControls(entry(), state.extra, "");
    refreshCurve();
    refreshCard();
  },
  themed: render,
  start: () => {
    syncControls();
    buildParams();
    refreshCurve();
  },
});
