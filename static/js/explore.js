// Explore: one function, f / f' / f'' with live parameter sliders and the formula card.
import { api } from "./api.js";
import { bindFields, paramControls, paramFieldIds, syncFields, syncParamControls } from "./controls.js";
import { curveFigure } from "./plots.js";
import { list, num, onNavigate, readState, str, writeState } from "./state.js";
import {
  $, OUT_OF_DATE, clearErrors, debounce, draw, freshness, initialState, latest, onThemeChange, reportError,
  theme, wireExports,
} from "./ui.js";

const init = initialState();
const byName = Object.fromEntries(init.catalogue.map((entry) => [entry.name, entry]));
const SCHEMA = {
  fn: str(init.default_function),
  xmin: num(-6, { min: -1000, max: 1000 }),
  xmax: num(6, { min: -1000, max: 1000 }),
  show: list(["f", "df", "d2f"]),
};
const POINTS = 601;
const chart = $("#curve-chart");
let state = readState(SCHEMA);
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
  syncFields({ numbers: { xmin: "xmin", xmax: "xmax" } }, state);
  for (const view of ["f", "df", "d2f"]) $(`#show-${view}`).checked = state.show.includes(view);
}

const refreshCurve = latest(async () => {
  if (!entry()) {
    clearErrors();
    reportError({ errors: [{ field: "name", msg: `unknown activation "${state.fn}"` }] }, fields(), "curve-chart");
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
    reportError(error, fields(), "curve-chart");
    charts.failed(OUT_OF_DATE.failed);
  }
});

async function render() {
  if (!curve) return;
  const { traces, layout } = curveFigure(curve, state.show, theme(), entry().label);
  await draw(chart, traces, layout);
}

const refreshCard = debounce(async () => {
  if (!entry()) return;
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
bindFields({ numbers: { xmin: "xmin", xmax: "xmax" } }, (key, value) => {
  if (value === null) return;
  state = { ...state, [key]: value };
  writeState(SCHEMA, state, { push: true });
  refreshCurve();
});
for (const view of ["f", "df", "d2f"]) {
  $(`#show-${view}`).addEventListener("change", () => {
    state = { ...state, show: ["f", "df", "d2f"].filter((v) => $(`#show-${v}`).checked) };
    writeState(SCHEMA, state, { push: true });
    render();
  });
}
onNavigate(SCHEMA, (next) => {
  const fnChanged = next.fn !== state.fn;
  state = next;
  syncControls();
  if (fnChanged) buildParams();
  else if (entry()) syncParamControls(entry(), state.extra, "");
  refreshCurve();
  refreshCard();
});
onThemeChange(render);
wireExports();

syncControls();
buildParams();
refreshCurve();
