// All view state lives in the URL. A page declares its properties once:
//   const SCHEMA = { fn: str("gelu"), xmin: num(-6), show: list(["f", "df"]) };
// readState() parses location.search against it (bad values fall back to the default),
// writeState() writes back only what differs from the defaults, so links stay short.
// Keys the schema does not name are kept in `extra` (e.g. the parameters of the chosen function).

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

export function readState(schema, search = window.location.search) {
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
  for (const [key, value] of params) if (!(key in schema)) state.extra[key] = value;
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
export function writeState(schema, state, { push = false } = {}) {
  const search = toSearch(schema, state);
  if (search === window.location.search) return;
  const url = `${window.location.pathname}${search}${window.location.hash}`;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}

export function onNavigate(schema, callback) {
  window.addEventListener("popstate", () => callback(readState(schema)));
}

function clone(value) {
  return Array.isArray(value) ? [...value] : value;
}
