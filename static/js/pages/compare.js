// Compare: any number of functions, each with its own parameters, overlaid and as small multiples;
// any of them may be your own, typed in its card's "Add your own" editor.
import { api } from "../api.js";
import {
  bindRange, checkBoxes, checkOrder, checkParams, element, ownParams, paramControls, paramFieldIds, syncFields,
} from "../controls.js";
import { expressionEditor } from "../expression-editor.js";
import { decodeDefinition, encodeDefinition, exampleDefinition, paramValues, propertyText } from "../expressions.js";
import { init, startPage } from "../page.js";
import { VIEWS, colour, multiplesFigure, overlayFigure } from "../plots.js";
import { controlsOf, many, lessonControls, lessonSchema, readState, ruled, str, writeState } from "../state.js";
import { $, $$, OUT_OF_DATE, clearError, clearErrors, debounce, drawAll, freshness, latest, reportError, theme } from "../ui.js";

const byName = Object.fromEntries(init.catalogue.map((entry) => [entry.name, entry]));
const RULES = init.fields;
const SCHEMA = {
  f: many(init.default_functions),
  view: str(VIEWS[0], VIEWS),
  xmin: ruled(RULES.xmin),
  xmax: ruled(RULES.xmax),
  ...lessonSchema(lessonControls(init)), // <field>_hide=1: a lesson link hides that control
};
const RANGE = controlsOf(SCHEMA);
const POINTS = init.curve_points; // as on Explore: same requests, same server-side cache entries
const PROPERTY_ROWS = init.properties; // [key, label], as on Explore's card
const FACTS = init.expressions;
const CUSTOM = FACTS.name;
const OWN = `${CUSTOM}:`;

// A function in the URL: "elu" or "elu(alpha:2,beta:1)". Only the parameters the entry
// declares are read: anything else in a link is not this function's. Your own is "custom:"
// then its definition (expressions.js): "custom:beta:1.7|x*sigmoid(beta*x)".
function parseSpec(text) {
  if (text.startsWith(OWN)) {
    return { name: CUSTOM, params: {}, definition: decodeDefinition(text.slice(OWN.length), { maxParams: FACTS.max_params }) };
  }
  const match = /^([a-z0-9_]+)(?:\((.*)\))?$/.exec(text);
  if (!match) return { name: text, params: {} };
  const params = {};
  for (const pair of (match[2] ?? "").split(",").filter(Boolean)) {
    const [key, value] = pair.split(":");
    if (!(key in params)) params[key] = value;
  }
  return { name: match[1], params: ownParams(byName[match[1]], params) };
}
function formatSpec({ name, params, definition }) {
  if (name === CUSTOM) return `${OWN}${encodeDefinition(definition)}`;
  const pairs = Object.entries(params).map(([k, v]) => `${k}:${v}`);
  return pairs.length ? `${name}(${pairs.join(",")})` : name;
}

let state = readState(SCHEMA);
let items = state.f.map(parseSpec);
state = { ...state, f: items.map(formatSpec) }; // what is written back is what was read
const curves = new Map(); // spec text -> curve, so one moved slider refetches one curve
const properties = new Map(); // spec text -> properties at those parameters
const charts = freshness(() => [$("#compare-chart"), $("#multiples-chart")]);
let editors = []; // by item: the editor of your own, else undefined

// A new card of your own starts at the first example not already on the chart.
function freshDefinition() {
  const shown = new Set(items.filter((item) => item.name === CUSTOM).map(formatSpec));
  const example = FACTS.examples.find((e) => !shown.has(`${OWN}${encodeDefinition(exampleDefinition(e))}`)) ?? FACTS.examples[0];
  return exampleDefinition(example);
}
const newItem = (name) => (name === CUSTOM ? { name, params: {}, definition: freshDefinition() } : { name, params: {} });

function save(push) {
  state = { ...state, f: items.map(formatSpec) };
  writeState(SCHEMA, state, { push });
}

function buildList() {
  const list = $("#functions");
  list.replaceChildren(
    ...items.map((item, i) => {
      const prefix = `fn${i}-`;
      const select = element("select", { id: `fn${i}` },
        [...init.catalogue, { name: CUSTOM, label: FACTS.label }].map((entry) => {
          const option = element("option", { value: entry.name }, [entry.label]);
          option.selected = entry.name === item.name;
          return option;
        }));
      select.addEventListener("change", () => {
        items[i] = newItem(select.value);
        save(true);
        buildList();
        refresh();
      });
      const remove = element("button", { type: "button", class: "icon-button", "aria-label": `Remove function ${i + 1}` }, ["✕"]);
      remove.disabled = items.length === 1;
      remove.addEventListener("click", () => {
        items.splice(i, 1);
        save(true);
        buildList();
        refresh();
      });
      const entry = byName[item.name];
      const own = item.name === CUSTOM ? element("div", { class: "fn-own" }) : null;
      editors[i] = own
        ? expressionEditor(own, {
            prefix: `fn${i}-`,
            facts: FACTS,
            definition: item.definition,
            resultOpen: false,
            onChange: (definition, { final }) => {
              items[i] = { ...items[i], definition };
              save(final);
            },
            onValid: () => refresh(),
            onInvalid: () => refresh(),
          })
        : undefined;
      const controls = own ? [own] : entry
        ? paramControls(entry, item.params, prefix, (name, value, { final }) => {
            items[i] = { ...items[i], params: { ...items[i].params, [name]: value } };
            save(final);
            refresh();
          })
        : [];
      // The name and ✕ on one line, the select below at the full width: its longest option fits.
      const box = element("div", { class: "fn-item", style: `--swatch: ${colour(theme(), i)}` }, [
        element("div", { class: "row" }, [element("label", { for: `fn${i}` }, [`Function ${i + 1}`]), remove]),
        select,
        element("p", { class: "error", id: `fn${i}-error`, role: "alert", hidden: "" }),
        ...controls,
      ]);
      return box;
    }),
  );
  // In the page now, so each can put its messages at its controls: check every formula.
  for (const editor of editors) editor?.validate();
}

const refresh = latest(async () => {
  const specs = items.map(formatSpec);
  const range = { xMin: state.xmin, xMax: state.xmax, points: POINTS };
  const key = (spec) => `${spec}|${state.xmin}|${state.xmax}`;
  const failures = [];
  // What the boxes hold is checked first, in their own words; nothing invalid is sent.
  // Not the editors' messages: each editor keeps its own until its next answer.
  for (const box of $$(".fn-item")) if (!$(".expr-editor", box)) clearErrors(box);
  items.forEach((_, i) => clearError(`fn${i}`));
  clearErrors($("#xmin").closest("fieldset"));
  clearErrors($("#compare-chart").parentElement);
  if (!checkBoxes(RANGE, RULES) || !checkOrder("xmin", "xmax", state.xmin, state.xmax, RULES)) {
    charts.failed(OUT_OF_DATE.failed);
    return;
  }
  const valid = items.map((item, i) =>
    item.name === CUSTOM ? Boolean(editors[i]?.valid()) : checkParams(byName[item.name], item.params, `fn${i}-`));
  validItems = valid;
  if (specs.some((spec) => !curves.has(key(spec)))) charts.pending(OUT_OF_DATE.pending);
  await Promise.all(
    items.map(async (item, i) => {
      if (item.name === CUSTOM) {
        const k = key(specs[i]);
        if (curves.has(k) || !valid[i]) return;
        const { expression } = item.definition;
        try {
          curves.set(k, await api.customCurve(expression, paramValues(item.definition), range));
        } catch (error) {
          const rest = editors[i]?.report(error, expression) ?? error.errors;
          if (rest.length) failures.push([i, { errors: rest }]);
        }
        return;
      }
      if (!byName[item.name]) {
        failures.push([i, { errors: [{ field: "name", msg: `unknown activation "${item.name}"` }] }]);
        return;
      }
      const k = key(specs[i]);
      if (curves.has(k) || !valid[i]) return;
      try {
        curves.set(k, await api.curve(item.name, item.params, range));
      } catch (error) {
        failures.push([i, error]);
      }
    }),
  );
  for (const [i, error] of failures) {
    const entry = byName[items[i].name] ?? { params: [] };
    reportError(error, { ...paramFieldIds(entry, `fn${i}-`), name: `fn${i}`, x_min: "xmin", x_max: "xmax" }, `fn${i}`, RULES);
  }
  const shown = items
    .map((item, i) => ({ label: labelOf(item, i), curve: valid[i] ? curves.get(key(specs[i])) : undefined }))
    .filter((c) => c.curve);
  if (curves.size > 200) curves.clear();
  if (shown.length === 0) {
    charts.failed(OUT_OF_DATE.failed);
    return;
  }
  await render(shown);
  charts.current();
  refreshTable();
});

function labelOf(item, i) {
  if (item.name === CUSTOM) {
    const params = item.definition.params.map(([k, v]) => `${k}=${v}`).join(", ");
    return params ? `${item.definition.expression} (${params})` : item.definition.expression;
  }
  const entry = byName[item.name];
  const params = Object.entries(item.params).map(([k, v]) => `${k}=${v}`).join(", ");
  const base = entry ? entry.label : item.name;
  // Two copies of one function need telling apart in the legend.
  const twin = items.some((other, j) => j !== i && other.name === item.name);
  return params || twin ? `${base} (${params || "defaults"})` : base;
}

let lastShown = [];
async function render(shown = lastShown) {
  lastShown = shown;
  const t = theme();
  const overlay = overlayFigure(shown, state.view, t);
  const el = $("#multiples-chart");
  const columns = Math.max(1, Math.min(4, Math.floor(el.clientWidth / 220)));
  const multiples = multiplesFigure(shown, t, columns);
  el.style.height = `${Math.ceil(shown.length / columns) * 190 + 30}px`;
  await drawAll([[$("#compare-chart"), overlay], [el, multiples]]);
}

let validItems = [];
const refreshTable = debounce(async () => {
  const rows = await Promise.all(
    items.map(async (item, i) => {
      if (item.name === CUSTOM) return editors[i]?.answer()?.properties ?? null;
      const entry = byName[item.name];
      if (!entry || !validItems[i]) return null;
      if (Object.keys(item.params).length === 0) return entry.properties;
      const spec = formatSpec(item);
      if (!properties.has(spec)) {
        try {
          properties.set(spec, (await api.activation(item.name, item.params)).properties);
        } catch {
          return null; // the curve request already reported this parameter inline
        }
      }
      return properties.get(spec);
    }),
  );
  const table = $("#props-table");
  const head = element("tr", {}, [element("th", { scope: "col" }, ["Property"]),
    ...items.map((item, i) => element("th", { scope: "col" }, [item.name === CUSTOM ? `${labelOf(item, i)} (estimated)` : labelOf(item, i)]))]);
  const body = PROPERTY_ROWS.map(([key, label]) =>
    element("tr", {}, [
      element("th", { scope: "row" }, [label]),
      ...rows.map((props) => element("td", {}, [props ? propertyText(key, props[key], props) : "—"])),
    ]));
  table.replaceChildren(element("thead", {}, [head]), element("tbody", {}, body));
}, 60);

function syncControls() {
  for (const view of VIEWS) $(`#view-${view}`).checked = state.view === view;
  syncFields(RANGE, state);
}

for (const view of VIEWS) {
  $(`#view-${view}`).addEventListener("change", () => {
    state = { ...state, view };
    writeState(SCHEMA, state, { push: true });
    render();
  });
}
bindRange(RANGE, RULES, (xmin, xmax) => {
  state = { ...state, xmin, xmax };
  writeState(SCHEMA, state, { push: true });
  refresh();
});
$("#add").addEventListener("click", () => {
  items.push(newItem($("#add-fn").value));
  save(true);
  buildList();
  refresh();
});
window.addEventListener("resize", debounce(() => render(), 200));
startPage({
  schema: SCHEMA,
  navigated: (next) => {
    items = next.f.map(parseSpec);
    state = { ...next, f: items.map(formatSpec) };
    syncControls();
    buildList();
    refresh();
  },
  themed: () => {
    buildList();
    render();
  },
  start: () => {
    syncControls();
    buildList();
    refresh();
  },
});
