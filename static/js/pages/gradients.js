// Gradient flow: per-layer gradient norms and activation statistics at initialisation.
import { api } from "../api.js";
import { bindFields, checkBoxes, chipList, fieldIds, syncFields } from "../controls.js";
import { init, startPage } from "../page.js";
import { layerFigure } from "../plots.js";
import { controlsOf, list, lessonControls, lessonSchema, readState, ruled, str, writeState } from "../state.js";
import { $, OUT_OF_DATE, clearErrors, drawAll, freshness, latest, reportError, theme } from "../ui.js";

const labels = Object.fromEntries(init.catalogue.map((e) => [e.name, e.label]));
const INITS = init.inits.map(([value]) => value);
// What each box accepts and starts at: the server's rules, from the request model.
const RULES = init.fields;
const SCHEMA = {
  acts: list(init.defaults.activations),
  inits: list(init.defaults.inits),
  depth: ruled(RULES.depth),
  width: ruled(RULES.width),
  batch: ruled(RULES.batch_size),
  seed: ruled(RULES.seed),
  stat: str(init.stats[0][0], init.stats.map(([value]) => value)),
  ...lessonSchema(lessonControls(init)), // <field>_hide=1: a lesson link hides that control
};
const BOUND = controlsOf(SCHEMA);
// API field -> control id, for inline errors (the activation chips and init boxes have no rule).
const FIELDS = fieldIds(RULES, { activations: "activations", activation: "activations", init: "init" });
let state = readState(SCHEMA);
let series = [];
const charts = freshness(() => [$("#gradflow-chart"), $("#stats-chart")]);

const renderChips = chipList($("#activations"), init.catalogue, state.acts, (names) => {
  state = { ...state, acts: names };
  renderChips(names);
  commit();
});

function syncControls() {
  renderChips(state.acts);
  for (const value of INITS) $(`#init-${value}`).checked = state.inits.includes(value);
  syncFields(BOUND, state);
  for (const [value] of init.stats) $(`#stat-${value}`).checked = state.stat === value;
}

function commit() {
  writeState(SCHEMA, state, { push: true });
  refresh();
}

const refresh = latest(async () => {
  const inits = state.inits.length ? state.inits : [INITS[0]];
  clearErrors();
  if (!checkBoxes(BOUND, RULES)) {
    charts.failed(OUT_OF_DATE.failed);
    return; // the messages are at the boxes; nothing is sent
  }
  charts.pending(OUT_OF_DATE.pending);
  try {
    const results = await Promise.all(
      inits.map((name) =>
        api.gradientFlow({
          activations: state.acts,
          init: name,
          depth: state.depth,
          width: state.width,
          batch_size: state.batch,
          seed: state.seed,
        }),
      ),
    );
    clearErrors();
    series = results.flatMap((result, initIndex) =>
      result.results.map((flow) => ({
        label: labels[flow.activation] ?? flow.activation,
        colour: state.acts.indexOf(flow.activation),
        init: result.init,
        initIndex,
        flow,
      })),
    );
    await render();
    charts.current();
  } catch (error) {
    clearErrors();
    reportError(error, FIELDS, "gradflow-chart", RULES);
    charts.failed(OUT_OF_DATE.failed);
  }
});

async function render() {
  if (!series.length) return;
  const t = theme();
  const grads = layerFigure(series, "weight_grad_norm", t, { log: true, yTitle: "‖∂L/∂Wₗ‖" });
  const statLabel = init.stats.find(([value]) => value === state.stat)[1];
  const stats = layerFigure(series, state.stat, t, { log: false, yTitle: statLabel });
  // A legend row (about 200 px per entry) past the second one makes the charts taller instead
  // of the plots shorter.
  const el = $("#gradflow-chart");
  const rows = Math.ceil(series.length / Math.max(1, Math.floor(el.clientWidth / 200)));
  for (const chart of [el, $("#stats-chart")]) {
    chart.style.height = "";
    if (rows > 2) chart.style.height = `${chart.clientHeight + (rows - 2) * 19}px`;
  }
  await drawAll([[el, grads], [$("#stats-chart"), stats]]);
}

for (const value of INITS) {
  $(`#init-${value}`).addEventListener("change", () => {
    state = { ...state, inits: INITS.filter((v) => $(`#init-${v}`).checked) };
    commit();
  });
}
bindFields(BOUND, (key, value) => {
  state = { ...state, [key]: value };
  commit();
}, RULES);
for (const [value] of init.stats) {
  $(`#stat-${value}`).addEventListener("change", () => {
    state = { ...state, stat: value };
    writeState(SCHEMA, state, { push: true });
    render();
  });
}
startPage({
  schema: SCHEMA,
  navigated: (next) => {
    state = next;
    syncControls();
    refresh();
  },
  themed: render,
  start: () => {
    syncControls();
    refresh();
  },
});
