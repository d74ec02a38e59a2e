// All view state lives in the URL. A page declares its properties once:
//   const SCHEMA = { fn: str("gelu"), xmin: num(-6), show: list(["f", "df"]) };
// readState() parses location.search against it (bad values fall back to the default),
// writeState() writes back only what differs from the defaults, so links stay short.
// A page reads only the keys it declares: the schema's, plus in `extra` the keys its
// `extraKeys(state)` names (the parameters of the chosen function, from its catalogue entry).
// Anything else in a link (utm_source, fbclid, ...) is ignored: it never reaches the API, and
// the next writeState leaves it out, so a shared view does not carry someone's tracking tag on.

import { decodeDefinition, encodeDefinition, sameDefinition } from "./expressions.js";

const READABLE = { "%2C": ",", "%3A": ":", "%28": "(", "%29": ")", "%3B": ";", "%7C": "|" };

function encode(value) {
  return encodeURIComponent(value).replace(/%2C|%3A|%28|%29|%3B|%7C/g, (m) => READABLE[m]);
}

export const str = (fallback, choices = null) => ({
  fallback,
  parse: (raw) => (choices && !choices.includes(raw) ? fallback : raw),
  format: String,
});
export const num = (fallback, { min = -Infinity, max = Infinity } = {}) => ({
  fallback,
  parse: (raw) => {
    const value = Number(raw);
    return raw !== "" && Number.isFinite(value) && value >= min && value <= max ? value : fallback;
  },
  format: String,
});
export const int = (fallback, bounds = {}) => {
  const base = num(fallback, bounds);
  return { ...base, parse: (raw) => Math.round(base.parse(raw)) };
};
// A number a server rule declares ({id, default, min, max, min_exclusive, max_exclusive,
// integer}); a URL value it does not accept falls back to the default. The rule's id is its
// control's (a number box), so the property is bound to that box by name (controlsOf).
export const ruled = (rule) => ({
  fallback: rule.default,
  parse: (raw) => {
    const value = Number(raw);
    return raw !== "" && Number.isFinite(value) && accepts(rule, value) ? value : rule.default;
  },
  format: String,
  control: rule.id,
  kind: "number",
});
// A select a server rule declares ({id, default, choices: [[value, label], ...]}). strict: a URL
// value not among the choices falls back to the default; otherwise it is kept, so the API's
// answer names what is wrong with it at the control.
export const choice = (rule, { strict = true } = {}) => ({
  ...str(rule.default, strict ? rule.choices.map(([value]) => value) : null),
  control: rule.id,
  kind: "select",
});

// The server's rules by control id ({id: rule}), each told its own id.
export const withIds = (fields = {}) =>
  Object.fromEntries(Object.entries(fields).map(([id, rule]) => [id, { ...rule, id }]));

// Which control holds which property: every schema property declared from a rule is bound to
// the control whose id is the rule's ({numbers: {id: key}, selects: {id: key}}).
export function controlsOf(schema) {
  const bound = { numbers: {}, selects: {} };
  for (const [key, spec] of Object.entries(schema)) {
    if (spec.control) bound[spec.kind === "select" ? "selects" : "numbers"][spec.control] = key;
  }
  return bound;
}
export function accepts(rule, value) {
  if (rule.integer && !Number.isInteger(value)) return false;
  if (rule.min !== null && rule.min !== undefined && (value < rule.min || (rule.min_exclusive && value === rule.min))) return false;
  if (rule.max !== null && rule.max !== undefined && (value > rule.max || (rule.max_exclusive && value === rule.max))) return false;
  return true;
}
export const bool = (fallback) => ({
  fallback,
  parse: (raw) => raw === "1" || raw === "true",
  format: (value) => (value ? "1" : "0"),
});
// A comma-separated list; `item` parses each element (strings by default).
export const list = (fallback, item = (s) => s) => ({
  fallback,
  parse: (raw) => (raw === "" ? [] : raw.split(",").map(item)),
  format: (value) => value.join(","),
  equal: (a, b) => a.length === b.length && a.every((v, i) => v === b[i]),
});
// A repeated key (?f=a&f=b): for values that contain commas themselves.
export const many = (fallback) => ({
  fallback,
  repeated: true,
  format: String,
  equal: (a, b) => a.length === b.length && a.every((v, i) => v === b[i]),
});

// Your own activation ({expression, params}, expressions.js) in one key: "beta:1.7|x*sigmoid(beta*x)".
// Whatever a link holds is read as a definition, however broken: the editor shows the server's
// refusal at its place, the page never breaks. Absent: null (the page picks a start).
export const definition = ({ maxParams = Infinity } = {}) => ({
  fallback: null,
  parse: (raw) => decodeDefinition(raw, { maxParams }),
  format: encodeDefinition,
  equal: (a, b) => a === b || sameDefinition(a, b),
});

const NONE = () => [];

// `search` is read from the page's URL only when none is given, so this runs outside a browser.
export function readState(schema, search = globalThis.location?.search ?? "", extraKeys = NONE) {
  const params = new URLSearchParams(search);
  const state = {};
  for (const [key, spec] of Object.entries(schema)) {
    if (spec.repeated) {
      const values = params.getAll(key);
      state[key] = values.length ? values : clone(spec.fallback);
    } else {
      state[key] = params.has(key) ? spec.parse(params.get(key)) : clone(spec.fallback);
    }
  }
  state.extra = {};
  for (const key of extraKeys(state)) if (!(key in schema) && params.has(key)) state.extra[key] = params.get(key);
  return state;
}

export function toSearch(schema, state) {
  const parts = [];
  for (const [key, spec] of Object.entries(schema)) {
    const value = state[key];
    const same = spec.equal ? spec.equal(value, spec.fallback) : value === spec.fallback;
    if (same) continue;
    if (spec.repeated) for (const item of value) parts.push(`${key}=${encode(item)}`);
    else parts.push(`${key}=${encode(spec.format(value))}`);
  }
  for (const [key, value] of Object.entries(state.extra ?? {})) {
    if (value !== undefined && value !== null && value !== "") parts.push(`${encode(key)}=${encode(value)}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

// push: a new history entry (discrete changes, so back/forward step through them);
// otherwise replace (continuous changes such as a slider being dragged).
export function writeState(schema, state, { push = false } = {}, { location, history } = window) {
  const search = toSearch(schema, state);
  if (search === location.search) return;
  const url = `${location.pathname}${search}${location.hash}`;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

export function onNavigate(schema, callback, extraKeys = NONE) {
  window.addEventListener("popstate", () => callback(readState(schema, window.location.search, extraKeys)));
}

// The parameter names a catalogue entry declares: the `extraKeys` of a page showing that entry.
export const paramNames = (entry) => (entry ? entry.params.map((p) => p.name) : []);

function clone(value) {
  return Array.isArray(value) ? [...value] : value;
}

// --- classroom links (a lesson) ---------------------------------------------------------------
// The TensorFlow Playground's `*_hide` keys: `<id>_hide=1` in a link hides the control whose id is
// <id>, the id of the field rule the server declares for it (init.fields: `learning_rate`,
// `epochs`, `dataset`, ...). A page's hideable controls are exactly its declared fields, so the
// keys come from there, never from a list in a script. A hidden control keeps the value the link
// gives it: only the control goes, the state stays, and the run is the link's.
export const HIDE_SUFFIX = "_hide";
export const hideKey = (id) => `${id}${HIDE_SUFFIX}`;

// What a lesson can hide on a page: its declared fields, and the controls that change only its
// view (init.views: hiding one pins the view the link shows, say the snapshot).
export const lessonControls = (init) => ({ ...(init.fields ?? {}), ...(init.views ?? {}) });

// The schema properties of a page's lesson: one boolean per declared field, false by default
// (so an ordinary link carries none of them).
export const lessonSchema = (fields) =>
  Object.fromEntries(Object.keys(fields).map((id) => [hideKey(id), bool(false)]));

// The ids of the controls this state hides, in the fields' order.
export const hiddenIds = (fields, state) => Object.keys(fields).filter((id) => state[hideKey(id)] === true);

// The state a lesson link shares: the same view, with exactly the controls in `hide` hidden.
export function lessonState(fields, state, hide) {
  const wanted = new Set(hide);
  const next = { ...state };
  for (const id of Object.keys(fields)) next[hideKey(id)] = wanted.has(id);
  return next;
}

// The lesson link for this state (`where`: {origin, pathname} of the page).
export function lessonLink(schema, fields, state, hide, { origin, pathname }) {
  return `${origin}${pathname}${toSearch(schema, lessonState(fields, state, hide))}`;
}
