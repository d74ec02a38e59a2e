// Your own activation's codec and error places (static/js/expressions.js, state.js's definition).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeDefinition, encodeDefinition, errorSpan, exampleDefinition, nextParamName, paramValues, propertyText,
  sameShape, splitAt,
} from "../../static/js/expressions.js";
import { definition, readState, str, toSearch } from "../../static/js/state.js";

const swish = { expression: "x * sigmoid(beta * x)", params: [["beta", "1.7"]] };

test("a definition goes into a link and comes back the same", () => {
  assert.equal(encodeDefinition(swish), "beta:1.7|x * sigmoid(beta * x)");
  assert.deepEqual(decodeDefinition(encodeDefinition(swish)), swish);
  const two = { expression: "where(x > 0, a * x, b * x)", params: [["a", "2"], ["b", "-0.5"]] };
  assert.deepEqual(decodeDefinition(encodeDefinition(two)), two);
});

test("without parameters the link holds the expression alone", () => {
  assert.equal(encodeDefinition({ expression: "min(max(0, x), 6)", params: [] }), "min(max(0, x), 6)");
  assert.deepEqual(decodeDefinition("min(max(0, x), 6)"), { expression: "min(max(0, x), 6)", params: [] });
});

test("an expression holding a bar keeps it, parameters or not", () => {
  const hostile = { expression: "x | 1", params: [] };
  assert.equal(encodeDefinition(hostile), "|x | 1");
  assert.deepEqual(decodeDefinition(encodeDefinition(hostile)), hostile);
  const both = { expression: "a|b:c", params: [["a", "1"]] };
  assert.deepEqual(decodeDefinition(encodeDefinition(both)), both);
});

test("a broken link still gives a definition, with a bounded number of rows", () => {
  assert.deepEqual(decodeDefinition("a:1,a:2,b,:3,|x"), { expression: "x", params: [["a", "1"], ["b", ""], ["", "3"]] });
  const many = Array.from({ length: 5000 }, (_, i) => `p${i}:1`).join(",");
  assert.equal(decodeDefinition(`${many}|x`, { maxParams: 16 }).params.length, 17); // one over: the server says so
  assert.deepEqual(decodeDefinition(undefined), { expression: "", params: [] });
});

test("state.js carries a definition in one key, readable, and ignores foreign keys", () => {
  const schema = { fn: str("gelu"), expr: definition({ maxParams: 16 }) };
  const state = readState(schema, "?fn=custom&expr=beta:1.7|x*sigmoid(beta*x)&utm_source=mail");
  assert.deepEqual(state, { fn: "custom", expr: { expression: "x*sigmoid(beta*x)", params: [["beta", "1.7"]] }, extra: {} });
  assert.equal(toSearch(schema, state), "?fn=custom&expr=beta:1.7|x*sigmoid(beta*x)");
  assert.equal(toSearch(schema, { ...state, expr: null }), "?fn=custom");
  const spaced = { ...state, expr: { expression: "x & y", params: [] } };
  assert.deepEqual(readState(schema, toSearch(schema, spaced)).expr, { expression: "x & y", params: [] });
});

test("a refusal's position counts characters as the server does, not UTF-16 units", () => {
  assert.deepEqual(errorSpan("x.__class__", 2, "__class__"), { start: 2, end: 11 });
  // the emoji is one character to Python and two units to JavaScript
  const text = "😀 + beta";
  assert.deepEqual(errorSpan(text, 4, "beta"), { start: 5, end: 9 });
  assert.deepEqual(splitAt(text, errorSpan(text, 4, "beta")), ["😀 + ", "beta", ""]);
});

test("a cut snippet, an empty one or a place past the end", () => {
  const long = `x + ${"y".repeat(60)}`;
  assert.deepEqual(errorSpan(long, 4, `${"y".repeat(40)}...`), { start: 4, end: 44 });
  assert.deepEqual(errorSpan("", 0, ""), { start: 0, end: 0 }); // the empty expression: a caret
  assert.deepEqual(errorSpan("x +", 7, ""), { start: 3, end: 3 });
  assert.deepEqual(errorSpan("x + 1", 2, "nope"), { start: 2, end: 2 }); // not there: a caret
});

test("request values, shapes, names and examples", () => {
  assert.deepEqual(paramValues(swish), { beta: 1.7 });
  assert.equal(sameShape(swish, { ...swish, params: [["beta", "3"]] }), true);
  assert.equal(sameShape(swish, { ...swish, params: [["gamma", "1.7"]] }), false);
  assert.equal(nextParamName({ params: [["a", "1"], ["b", "2"]] }), "c");
  assert.equal(nextParamName({ params: [..."abcdefghijklmnopqrstuvwy"].map((n) => [n, "1"]) }), "z"); // never x
  assert.deepEqual(exampleDefinition({ expression: "x * sigmoid(beta * x)", params: [["beta", 1.7]] }), swish);
});

test("properties are worded as on the card", () => {
  const props = { range: [-0.16380267221239636, null], range_attained: [true, false] };
  assert.equal(propertyText("range", props.range, props), "[−0.1638, ∞)");
  assert.equal(propertyText("bounded", false, props), "✗ no");
  assert.equal(propertyText("continuity", "C0", props), "C0");
});
