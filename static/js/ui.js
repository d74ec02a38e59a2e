// DOM helpers every page shares: drawing with Plotly, theme, inline errors, export, progress.
// Nothing runs at import but declarations, so Node can import the pure helpers (rule messages,
// CSV, number formatting) for its unit tests.
import { chartConfig } from "./plots.js";
import { withIds } from "./state.js";

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// The page's data from the server (app/web/routes/pages.py), each control rule told its id.
export function initialState() {
  const state = JSON.parse(document.getElementById("initial-state").textContent);
  return { ...state, fields: withIds(state.fields) };
}

// Plotly (preloaded by the page head) is inserted as a script only after the page script's
// first API requests are on their way (page.js asks for it once the first render has started).
// The browser then runs the 4.8 MB bundle while the server computes, instead of before the
// page script even starts.
let plotly = null;

export function plotlyReady() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  plotly ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.id = "plotly-js";
    script.src = document.getElementById("plotly-js-preload").href;
    script.addEventListener("load", () => resolve(window.Plotly), { once: true });
    script.addEventListener("error", () => reject(new Error("plotly.js failed to load")), { once: true });
    document.head.append(script);
  });
  return plotly;
}
// Read when first asked for, not at import.
const dark = () => window.matchMedia("(prefers-color-scheme: dark)");

export function theme() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    dark: dark().matches,
    fg: v("--fg"),
    muted: v("--muted"),
    grid: v("--grid"),
    line: v("--line"),
    panel: v("--panel"),
    shade: v("--shade"),
    error: v("--error"),
    class0: v("--class0"),
    class1: v("--class1"),
    series: v("--series").split(",").map((s) => s.trim()),
    font: v("--font"),
  };
}

export function onThemeChange(callback) {
  dark().addEventListener("change", () => callback(theme()));
}

const svgButton = (filename) => ({
  name: "Download as SVG",
  icon: window.Plotly.Icons.disk,
  click: (gd) => window.Plotly.downloadImage(gd, { format: "svg", filename }),
});

// One config object per chart: Plotly.react compares configs, and a new one (a new SVG button
// function each call) would make every redraw a full new plot instead of an in-place update.
const configs = new WeakMap();

function configOf(el) {
  if (!configs.has(el)) configs.set(el, chartConfig(el.id, svgButton(el.id)));
  return configs.get(el);
}

// Draw (or redraw in place) and mark the chart ready for tests and the benchmark. The toolbar's
// buttons leave the Tab order (Plotly rebuilds them on redraws): a page's Tab stops are its
// controls, and the CSV/JSON/PNG/SVG buttons above each chart export it by keyboard.
const untab = (el) => {
  for (const button of $$(".modebar-btn", el)) button.tabIndex = -1;
};

export async function draw(el, traces, layout) {
  const Plotly = await plotlyReady();
  const first = !configs.has(el);
  await Plotly.react(el, traces, layout, configOf(el));
  if (first) for (const event of ["plotly_afterplot", "plotly_relayout"]) el.on(event, () => untab(el));
  untab(el);
  el.dataset.state = "ready";
}

// Several charts one after the other, so the first is on screen before the next is built.
export async function drawAll(charts) {
  for (const [el, { traces, layout }] of charts) await draw(el, traces, layout);
}

// --- results that no longer match the controls ----------------------------------------------

// A result whose request failed, or is still running for other settings, is not the answer to
// what the controls now say: it is dimmed and says so in words, until the next result. `els`
// are charts (only marked once drawn), other result boxes, or a whole results region (Train's
// #results) whose banner is its child `[data-stale-note]`; outOfDate(els, null) clears.
export function outOfDate(els, message) {
  for (const el of els) {
    if (message && el.classList.contains("chart") && !el.data) continue;
    const card = el.closest(".chart-card") ?? el;
    card.classList.toggle("stale", Boolean(message));
    let note = $(":scope > .stale-note, :scope > [data-stale-note]", card);
    if (!note && message) {
      note = Object.assign(document.createElement("p"), { className: "stale-note" });
      note.setAttribute("role", "status");
      card.insertBefore(note, el.parentElement === card ? el : card.firstChild);
    }
    if (note) {
      note.textContent = message ?? "";
      if (message && "staleNote" in note.dataset) goToMessage(note);
      note.hidden = !message;
    }
  }
}

// A region's banner is far from the controls on a narrow screen: one press takes you to the
// control whose message explains it.
function goToMessage(note) {
  const message = $$(".controls .error").find((box) => !box.hidden);
  const control = message && document.getElementById(message.id.replace(/-error$/, ""));
  if (!control) return;
  const go = Object.assign(document.createElement("button"), { type: "button", className: "link-button" });
  go.textContent = "Go to the message";
  go.addEventListener("click", () => {
    control.scrollIntoView({ block: "center" });
    control.focus();
  });
  note.append(go);
}

// Whether an element is on screen, for the drawing a page may skip while no one can see it
// (a live session's frames below the fold). An element counts as on screen until the browser
// has said otherwise, and everywhere without an IntersectionObserver.
export function onScreen(elements) {
  const shown = new Map(elements.map((el) => [el, true]));
  if (typeof IntersectionObserver !== "undefined") {
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) shown.set(entry.target, entry.isIntersecting);
    });
    for (const el of elements) observer.observe(el);
  }
  return (el) => shown.get(el) ?? true;
}

// The same for a page's results as a whole: pending() marks them after `delayMs` (a fast
// answer never flickers), failed() at once, current() clears either. `shown()` says whether
// there is a result to mark at all (Train: a run has been shown).
export function freshness(els, { delayMs = 300, shown = () => true } = {}) {
  let timer = null;
  const mark = (message) => {
    clearTimeout(timer);
    if (message && !shown()) return;
    outOfDate(els(), message);
  };
  return {
    pending(message) {
      clearTimeout(timer);
      timer = setTimeout(() => mark(message), delayMs);
    },
    failed: mark,
    current: () => mark(null),
  };
}

export const OUT_OF_DATE = {
  pending: "Out of date: computing the new settings; this still shows the previous ones.",
  failed: "Out of date: this shows the previous settings; the new ones failed (see the message at the control).",
};

// --- inline errors --------------------------------------------------------------------------

export function showError(id, message) {
  const box = document.getElementById(`${id}-error`);
  const control = document.getElementById(id);
  if (control && control.matches("input, select, textarea")) control.setAttribute("aria-invalid", "true");
  if (box) {
    box.textContent = message;
    box.hidden = false;
  }
}

export function clearError(id) {
  const box = document.getElementById(`${id}-error`);
  if (box) {
    box.hidden = true;
    box.textContent = "";
  }
  document.getElementById(id)?.removeAttribute("aria-invalid");
}

export function clearErrors(root = document) {
  for (const box of $$(".error", root)) {
    box.hidden = true;
    box.textContent = "";
  }
  for (const control of $$("[aria-invalid]", root)) control.removeAttribute("aria-invalid");
}

// What a control accepts comes from the server as a rule, in the control's own units:
// {label, unit, min, max, min_exclusive, max_exclusive, integer, optional, min_items, max_items}
// (app/web/routes/pages.py derives it from the request model). These say what is wrong with a
// value in those words: "Noise must be at most 50 %", "enter a number between 0 and 50 %".
const shown = (value) => String(Number(Number(value).toPrecision(12)));
const has = (bound) => bound !== null && bound !== undefined;
const withUnit = (value, rule) => (rule.unit ? `${shown(value)} ${rule.unit}` : shown(value));

export function enterMessage(rule) {
  const kind = rule.integer ? "whole number" : "number";
  if (has(rule.min) && has(rule.max)) return `enter a ${kind} between ${shown(rule.min)} and ${withUnit(rule.max, rule)}`;
  if (has(rule.min)) return `enter a ${kind} ${rule.min_exclusive ? "greater than" : "of at least"} ${withUnit(rule.min, rule)}`;
  if (has(rule.max)) return `enter a ${kind} ${rule.max_exclusive ? "less than" : "of at most"} ${withUnit(rule.max, rule)}`;
  return `enter a ${kind}`;
}
export const tooLow = (rule) =>
  `${rule.label} must be ${rule.min_exclusive ? "greater than" : "at least"} ${withUnit(rule.min, rule)}`;
export const tooHigh = (rule) =>
  `${rule.label} must be ${rule.max_exclusive ? "less than" : "at most"} ${withUnit(rule.max, rule)}`;
export const tooFew = (rule) => `${rule.label}: choose at least ${rule.min_items}`;
export const tooMany = (rule) => `${rule.label}: at most ${rule.max_items}`;

// The text of a box checked against its rule: {value} (null for an optional empty box) or
// {error} to show at the box. Nothing invalid is ever sent or written into the URL.
export function checkNumber(text, rule) {
  const raw = String(text ?? "").trim();
  if (raw === "" && rule.optional) return { value: null };
  const value = Number(raw);
  if (raw === "" || !Number.isFinite(value)) return { error: enterMessage(rule) };
  if (has(rule.min) && (value < rule.min || (rule.min_exclusive && value === rule.min))) return { error: tooLow(rule) };
  if (has(rule.max) && (value > rule.max || (rule.max_exclusive && value === rule.max))) return { error: tooHigh(rule) };
  if (rule.integer && !Number.isInteger(value)) return { error: `${rule.label} must be a whole number` };
  return { value };
}

const BELOW = new Set(["greater_than", "greater_than_equal"]);
const ABOVE = new Set(["less_than", "less_than_equal"]);
const NOT_A_NUMBER = new Set(["missing", "int_parsing", "int_type", "int_from_float", "float_parsing", "float_type", "finite_number"]);

// An API error in the words of the control it belongs to: a bound in the control's units, a
// list's length as a count, and no "Value error, " or repeated field name.
function explain({ field, msg, type }, rule) {
  if (rule) {
    if (BELOW.has(type) && has(rule.min)) return tooLow(rule);
    if (ABOVE.has(type) && has(rule.max)) return tooHigh(rule);
    if (type === "too_short" && has(rule.min_items)) return tooFew(rule);
    if (type === "too_long" && has(rule.max_items)) return tooMany(rule);
    if (NOT_A_NUMBER.has(type)) return enterMessage(rule);
  }
  const text = String(msg).replace(/^Value error, /, "");
  return field && text.startsWith(`${field}: `) ? text.slice(field.length + 2) : text;
}

// Put each API error next to the control it names; `fields` maps API field names to control
// ids, `rules` control ids to their rules, and anything unmapped goes to `fallbackId`. An error
// about a whole parameter object ("alpha: must be in (0, 5]") goes to that parameter's control.
export function reportError(error, fields, fallbackId, rules = {}) {
  const errors = error.errors ?? [{ field: "", msg: String(error.message ?? error) }];
  for (const item of errors) {
    let { field } = item;
    let msg = String(item.msg ?? "").replace(/^Value error, /, "");
    const named = /^([A-Za-z_][A-Za-z0-9_]*): (.*)$/s.exec(msg);
    if (!(field in fields) && named && named[1] in fields) [, field, msg] = named;
    const id = fields[field] ?? fallbackId;
    const text = explain({ ...item, field, msg }, field in fields ? rules[id] : undefined);
    showError(id, field && !(field in fields) ? `${field}: ${text}` : text);
  }
}

// --- scheduling -----------------------------------------------------------------------------

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// Run `task` with at most one call in flight; calls made meanwhile collapse into one more run
// with the newest arguments. No request is ever aborted, so none shows up as failed.
export function latest(task) {
  let running = false;
  let queued = null;
  const run = async (...args) => {
    if (running) {
      queued = args;
      return;
    }
    running = true;
    try {
      await task(...args);
    } finally {
      running = false;
      if (queued) {
        const next = queued;
        queued = null;
        run(...next);
      }
    }
  };
  return run;
}

// --- export ---------------------------------------------------------------------------------

export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const csvCell = (value) => {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

// A chart's data as rows: one per point (trace, x, y) or per heatmap cell (trace, x, y, z).
export function chartRows(gd) {
  const rows = [];
  for (const trace of gd.data ?? []) {
    const name = trace.name ?? trace.type;
    if (trace.type === "heatmap" || trace.type === "contour") {
      trace.z.forEach((row, i) =>
        row.forEach((z, j) => rows.push({ trace: name, x: trace.x?.[j] ?? j, y: trace.y?.[i] ?? i, z })),
      );
    } else if (trace.type === "box") {
      const stats = ["lowerfence", "q1", "median", "q3", "upperfence"];
      (trace.x ?? []).forEach((x, i) =>
        rows.push({ trace: name, x, ...Object.fromEntries(stats.map((s) => [s, trace[s]?.[i]])) }),
      );
    } else {
      // a 3-D trace (scatter3d, mesh3d) has its third coordinate too
      (trace.x ?? []).forEach((x, i) => rows.push({ trace: name, x, y: trace.y?.[i], ...(Array.isArray(trace.z) ? { z: trace.z[i] } : {}) }));
    }
  }
  return rows;
}

export function toCSV(rows) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [columns.join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
  return `${lines.join("\n")}\n`;
}

// Export buttons carry data-export="csv|json|png|svg" and data-chart="<chart id>". A page may register
// richer JSON for a chart (e.g. the whole training run) with setExportData.
const exportData = new Map();
export function setExportData(chartId, data) {
  exportData.set(chartId, data);
}

export function wireExports() {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-export]");
    if (!button) return;
    const id = button.dataset.chart;
    const gd = document.getElementById(id);
    if (!gd || gd.dataset.state !== "ready") return;
    const format = button.dataset.export;
    if (format === "png" || format === "svg") {
      window.Plotly.downloadImage(gd, { ...configOf(gd).toImageButtonOptions, format });
    } else if (format === "csv") {
      download(`${id}.csv`, toCSV(chartRows(gd)), "text/csv");
    } else {
      const data = exportData.get(id) ?? {
        chart: id,
        traces: gd.data.map(({ name, type, x, y, z }) => ({ name, type, x, y, z })),
      };
      download(`${id}.json`, JSON.stringify(data, null, 1), "application/json");
    }
  });
}

// --- progress -------------------------------------------------------------------------------

export function progress(id) {
  const box = document.getElementById(id);
  const bar = document.getElementById(`${id}-bar`);
  const text = document.getElementById(`${id}-text`);
  const cancel = document.getElementById(`${id}-cancel`);
  let controller = null;
  cancel.addEventListener("click", () => controller?.abort());
  return {
    // Returns an AbortSignal the caller hands to the streaming request.
    start(message) {
      controller?.abort();
      controller = new AbortController();
      bar.value = 0;
      text.textContent = message;
      box.hidden = false;
      return controller.signal;
    },
    update(fraction, message) {
      bar.value = Math.max(0, Math.min(1, fraction));
      if (message) text.textContent = message;
    },
    done() {
      controller = null;
      box.hidden = true;
    },
  };
}

export const isAbort = (error) => error?.name === "AbortError";

export function fmt(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e4 || Math.abs(value) < 1e-3)) return value.toExponential(2);
  return String(Number(value.toFixed(digits)));
}
