// Gradient flow: per-layer gradient norms and activation statistics at initialisation; one of
// the activations may be your own formula (the API measures one "custom" per request).
import { api } from "../api.js";
import { bindFields, checkBoxes, chipList, element, fieldIds, syncFields } from "../controls.js";
import { expressionEditor } from "../expression-editor.js";
import { exampleDefinition, paramValues } from "../expressions.js";
import { init, startPage } from "../page.js";
import { layerFigure } from "../plots.js";
import { controlsOf, definition, list, lessonControls, lessonSchema, readState, ruled, str, writeState } from "../state.js";
import { $, $$, OUT_OF_DATE, clearError, clearErrors, debounce, drawAll, freshness, latest, reportError, theme } from "../ui.js";

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
  expr: definition({ maxParams: init.expressions.max_params }), // your own, or null
  ...lessonSchema(lessonControls(init)), // <field>_hide=1: a lesson link hides that control
};
const CUSTOM = init.expressions.name;
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

// --- your own activation ---------------------------------------------------------------------

let editor = null;
const refreshSoon = debounce(() => refresh(), 300);

function buildOwn() {
  const box = $("#own-activation");
  editor = null;
  if (!state.expr) {
    const add = element("button", { type: "button", id: "own-add" }, ["Add your own (a formula)"]);
    add.addEventListener("click", () => {
      state = { ...state, expr: exampleDefinition(init.expressions.examples[0]) };
      writeState(SCHEMA, state, { push: true });
      buildOwn();
      $("#own-expr").focus();
    });
    box.replaceChildren(add);
    return;
  }
  const holder = element("div", { class: "fn-own" });
  const remove = element("button", { type: "button", class: "icon-button", "aria-label": "Remove your own" }, ["✕"]);
  remove.addEventListener("click", () => {
    state = { ...state, expr: null };
    commit();
    buildOwn();
    $("#own-add").focus();
  });
  box.replaceChildren(element("div", { class: "fn-item" }, [
    element("div", { class: "row" }, [element("span", { class: "field-label" }, ["Your own"]), remove]),
    holder,
  ]));
  editor = expressionEditor(holder, {
    prefix: "own-",
    facts: init.expressions,
    definition: state.expr,
    resultOpen: false,
    onChange: (expr, { final }) => {
      state = { ...state, expr };
      writeState(SCHEMA, state, { push: final });
    },
    onValid: refreshSoon,
    onInvalid: () => charts.failed(OUT_OF_DATE.failed),
  });
  editor.validate(); // its answer asks for the measurement
}

// The request's activations: the chips, then your own.
const activationsOf = (s) => (s.expr ? [...s.acts, CUSTOM] : s.acts);

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

// Every message but your own editor's, which stays until its next answer.
const clearMessages = () => {
  for (const box of $$(".error")) if (!box.closest(".expr-editor")) clearError(box.id.replace(/-error$/, ""));
};

const refresh = latest(async () => {
  const inits = state.inits.length ? state.inits : [INITS[0]];
  clearMessages();
  if (!checkBoxes(BOUND, RULES) || (state.expr && !editor?.valid())) {
    charts.failed(OUT_OF_DATE.failed);
    return; // the messages are at the boxes; nothing is sent
  }
  charts.pending(OUT_OF_DATE.pending);
  try {
    const results = await Promise.all(
      inits.map((name) =>
        api.gradientFlow({
          activations: activationsOf(state),
          ...(state.expr
            ? { expression: state.expr.expression, activation_params: { [CUSTOM]: paramValues(state.expr) } }
            : {}),
          init: name,
          depth: state.depth,
          width: state.width,
          batch_size: state.batch,
          seed: state.seed,
        }),
      ),
    );
    clearMessages();
    series = results.flatMap((result, initIndex) =>
      result.results.map((flow) => ({
        label: flow.activation === CUSTOM ? state.expr.expression : labels[flow.activation] ?? flow.activation,
        colour: activationsOf(state).indexOf(flow.activation),
        init: result.init,
        initIndex,
        flow,
      })),
    );
    await render();
    charts.current();
  } catch (error) {
    clearMessages();
    // Your own formula's refusal (expression, activation_params.custom.<name>) goes to its editor.
    const rest = editor && error.errors ? editor.report(error) : error.errors;
    if (!rest || rest.length) reportError(rest ? { ...error, errors: rest } : error, FIELDS, "gradflow-chart", RULES);
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
    buildOwn();
    if (!state.expr) refresh();
  },
  themed: render,
  start: () => {
    syncControls();
    buildOwn();
    if (!state.expr) refresh(); // else the editor's answer asks for it
  },
});
