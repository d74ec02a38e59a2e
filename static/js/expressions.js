// Your own activation as plain data, and its forms in a link, a request and on screen. Pure (no
// DOM), so Node tests it: the editor (expression-editor.js) and the pages use these.
//
// A definition is {expression, params: [[name, value], ...]}: the rows in the order the person
// made them, each value as typed (a string), so a link gives back exactly the boxes it came from.

// In a link: "beta:1.7|x*sigmoid(beta*x)", the parameters, a bar, then the expression; without
// parameters the expression alone. The first bar splits: a parameter cannot hold one, and an
// expression that does (only a hostile one) is written after a bar even without parameters.
export function encodeDefinition({ expression, params }) {
  const pairs = params.map(([name, value]) => `${name}:${value}`).join(",");
  return pairs || expression.includes("|") ? `${pairs}|${expression}` : expression;
}

// Read back what encodeDefinition wrote; anything else still gives a definition (the server then
// says what is wrong with it, at the editor). At most `maxParams` rows: a link cannot make the
// page build thousands of them, and one over the limit is kept so the server's refusal shows.
export function decodeDefinition(text, { maxParams = Infinity } = {}) {
  const raw = String(text ?? "");
  const bar = raw.indexOf("|");
  if (bar < 0) return { expression: raw, params: [] };
  const params = [];
  for (const pair of raw.slice(0, bar).split(",")) {
    if (pair === "" || params.length > maxParams) continue;
    const colon = pair.indexOf(":");
    const name = colon < 0 ? pair : pair.slice(0, colon);
    if (!params.some(([known]) => known === name)) params.push([name, colon < 0 ? "" : pair.slice(colon + 1)]);
  }
  return { expression: raw.slice(bar + 1), params };
}

// The request's params object: {beta: 1.7}. Call it on rows whose values are numbers.
export const paramValues = (definition) =>
  Object.fromEntries(definition.params.map(([name, value]) => [name, Number(value)]));

export const sameDefinition = (a, b) => Boolean(a && b) && encodeDefinition(a) === encodeDefinition(b);

// Same expression and parameter names, values aside: its compiled functions are the same, so a
// moved slider needs no new validation before the curve is asked for.
export const sameShape = (a, b) =>
  Boolean(a && b) && a.expression === b.expression && a.params.map(([n]) => n).join() === b.params.map(([n]) => n).join();

// A refusal's place in the text: the server counts characters (code points) from 0, JavaScript
// strings count UTF-16 units, so an emoji before the place shifts it. The marked part is the
// refusal's `text` (cut to 40 characters and "..." by the server); an empty part, or one past
// the end ("x +" is missing what comes next), is a caret: start === end.
export function errorSpan(text, position, snippet = "") {
  const chars = Array.from(String(text));
  const at = Math.max(0, Math.min(Number.isInteger(position) ? position : 0, chars.length));
  const start = chars.slice(0, at).join("").length;
  const rest = String(text).slice(start);
  let part = String(snippet ?? "");
  if (!rest.startsWith(part) && part.endsWith("...")) part = part.slice(0, -3);
  return { start, end: rest.startsWith(part) ? start + part.length : start };
}

// The text cut around the span: [before, marked, after].
export const splitAt = (text, { start, end }) => [text.slice(0, start), text.slice(start, end), text.slice(end)];

// A property as the Explore card and the Compare table word it: [-0.2785, ∞), ✓ yes, C0.
export function propertyText(key, value, props) {
  if (key === "range") {
    const [lo, hi] = value;
    const open = props.range_attained[0] ? "[" : "(";
    const close = props.range_attained[1] ? "]" : ")";
    return `${open}${lo ?? "−∞"}, ${hi ?? "∞"}${close}`.replace(/(\d\.\d{4})\d+/g, "$1").replaceAll("-", "−");
  }
  if (typeof value === "boolean") return value ? "✓ yes" : "✗ no";
  return String(value);
}

// A name for a new parameter row: the first of a, b, c, ... not already declared.
export function nextParamName(definition) {
  const taken = new Set(definition.params.map(([name]) => name));
  for (const name of "abcdefghijklmnopqrstuvwyz") if (!taken.has(name)) return name;
  for (let i = 1; ; i += 1) if (!taken.has(`p${i}`)) return `p${i}`;
}

// An example from the server's initial state as a definition (values as the boxes show them).
export const exampleDefinition = (example) => ({
  expression: example.expression,
  params: example.params.map(([name, value]) => [name, String(value)]),
});
