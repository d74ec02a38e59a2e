// Compare: any number of functions, each with its own parameters, overlaid and as small multiples.
import { api } from "../api.js";
import {
  bindRange, checkBoxes, checkOrder, checkParams, element, ownParams, paramControls, paramFieldIds, syncFields,
} from "../controls.js";
import { init, startPage } from "../page.js";
import { VIEWS, colour, multiplesFigure, overlayFigure } from "../plots.js";
import { controlsOf, many, lessonControls, lessonSchema, readState, ruled, str, writeState } from "../state.js";
import { $, OUT_OF_DATE, clearErrors, debounce, drawAll, freshness, latest, reportError, theme } from "../ui.js";

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

// A function in the URL: "elu" or "elu(alpha:2,beta:1)". Only the parameters the entry
// declares are read: anything else in a link is not this function's.
function parseSpec(text) {
  const match = /^([a-z0-9_]+)(?:\((.*)\))?$/.exec(text);
  if (!match) return { name: text, params: {} };
  const params = {};
  for (const pair of (match[2] ?? "").split(",").filter(Boolean)) {
    const [key, value] = pair.split(":");
    if (!(key in params)) params[key] = value;
  }
  return { name: match[1], params: ownParams(byName[match[1]], params) };
}
function formatSpec({ name, params }) {
  const pairs = Object.entries(params).map(([k, v]) => `${k}:${v}`);
  return pairs.length ? `${name}(${pairs.join(",")})` : name;
}

let state = readState(SCHEMA);
let items = state.f.map(parseSpec);
state = { ...state, f: items.map(formatSpec) }; // what is written back is what was read
const curves = new Map(); // spec text -> curve, so one moved slider refetches one curve
const properties = new Map(); // spec text -> properties at those parameters
const charts = freshness(() => [$("#compare-chart"), $("#multiples-chart")]);

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
        init.catalogue.map((entry) => {
          const option = element("option", { value: entry.name }, [entry.label]);
          option.selected = entry.name === item.name;
          return option;
        }));
      select.addEventListener("change", () => {
        items[i] = { name: select.value, params: {} };
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
      const controls = entry
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
}

const refresh = latest(async () => {
  const specs = items.map(formatSpec);
  const range = { xMin: state.xmin, xMax: state.xmax, points: POINTS };
  const key = (spec) => `${spec}|${state.xmin}|${state.xmax}`;
  const failures = [];
  // What the boxes hold is checked first, in their own words; nothing invalid is sent.
  clearErrors($("#functions").parentElement);
  clearErrors($("#compare-chart").parentElement);
  if (!checkBoxes(RANGE, RULES) || !checkOrder("xmin", "xmax", state.xmin, state.xmax, RULES)) {
    charts.failed(OUT_OF_DATE.failed);
    return;
  }
  const valid = items.map((item, i) => checkParams(byName[item.name], item.params, `fn${i}-`));
  validItems = valid;
  if (specs.some((spec) => !curves.has(key(spec)))) charts.pending(OUT_OF_DATE.pending);
  await Promise.all(
    items.map(async (item, i) => {
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
    ...items.map((item, i) => element("th", { scope: "col" }, [labelOf(item, i)]))]);
  const body = PROPERTY_ROWS.map(([key, label]) =>
    element("tr", {}, [
      element("th", { scope: "row" }, [label]),
      ...rows.map((props) => element("td", {}, [props ? describe(key, props[key], props) : "—"])),
    ]));
  table.replaceChildren(element("thead", {}, [head]), element("tbody", {}, body));
}, 60);

function describe(key, value, props) {
  if (key === "range") return `${props.range_attained[0] ? "[" : "("}${value[0] ?? "−∞"}, ${value[1] ?? "∞"}${props.range_attained[1] ? "]" : ")"}`.replace(/(\d\.\d{4})\d+/g, "$1").replaceAll("-", "−");
  if (typeof value === "boolean") return value ? "✓ yes" : "✗ no";
  return String(value);
}

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
  items.push({ name: $("#add-fn").value, params: {} });
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
