// CSV parsing of your own points (static/js/points.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCSV } from "../../static/js/points.js";

const limits = { maxPoints: 4, maxClasses: 10 };

test("rows of x1,x2,label with a header, any of , ; tab, CRLF and blank lines", () => {
  const text = "x1,x2,label\r\n0,0,0\n\n1;1;1\n0.5\t-2.25\t9\n";
  assert.deepEqual(parseCSV(text, limits), [[0, 0, 0], [1, 1, 1], [0.5, -2.25, 9]]);
});

test("a bad row is named by its line", () => {
  assert.throws(() => parseCSV("0,0,0\n1,x,1\n", limits), /^Error: line 2: expected x1,x2,label, got "1,x,1"$/);
  assert.throws(() => parseCSV("0,0,0\n1,1\n", limits), /line 2: expected/);
});

test("labels are class numbers below the server's class cap", () => {
  assert.throws(() => parseCSV("0,0,0\n1,1,10\n", limits), /line 2: the label must be a class number 0 to 9/);
  assert.throws(() => parseCSV("0,0,0\n1,1,0.5\n", limits), /line 2/);
  assert.throws(() => parseCSV("0,0,-1\n1,1,1\n", limits), /line 1/);
});

test("at least two points, at most the server's cap", () => {
  assert.throws(() => parseCSV("x1,x2,label\n0,0,0\n", limits), /at least two points/);
  assert.throws(() => parseCSV("0,0,0\n0,1,1\n1,0,1\n1,1,0\n2,2,0\n", limits), /the file has 5 points; at most 4/);
  assert.equal(parseCSV("0,0,0\n0,1,1\n1,0,1\n1,1,0\n", limits).length, 4);
});
