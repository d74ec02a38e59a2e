// The pure helpers of static/js/ui.js: a box checked against its rule, in the control's words;
// a chart's data as CSV; numbers as the pages print them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { chartRows, checkNumber, enterMessage, fmt, toCSV, tooFew, tooMany } from "../../static/js/ui.js";

const noise = { label: "Noise", unit: "%", integer: false, optional: false, min: 0, max: 50, min_exclusive: false, max_exclusive: false };
const rate = { label: "Learning rate", unit: "", integer: false, optional: false, min: 0, max: 10, min_exclusive: true, max_exclusive: false };
const batch = { label: "Batch size", unit: "", integer: true, optional: true, min: 1, max: null };

test("a value inside the rule passes as a number", () => {
  assert.deepEqual(checkNumber(" 12.5 ", noise), { value: 12.5 });
  assert.deepEqual(checkNumber("", batch), { value: null }); // optional: the API's null
  assert.deepEqual(checkNumber("10", rate), { value: 10 });
});

test("a refused value says what is wrong in the control's units", () => {
  assert.deepEqual(checkNumber("51", noise), { error: "Noise must be at most 50 %" });
  assert.deepEqual(checkNumber("0", rate), { error: "Learning rate must be greater than 0" });
  assert.deepEqual(checkNumber("1e9", rate), { error: "Learning rate must be at most 10" });
  assert.deepEqual(checkNumber("2.5", batch), { error: "Batch size must be a whole number" });
  assert.deepEqual(checkNumber("abc", noise), { error: "enter a number between 0 and 50 %" });
  assert.deepEqual(checkNumber("", rate), { error: "enter a number between 0 and 10" });
  assert.equal(enterMessage(batch), "enter a whole number of at least 1");
  assert.equal(tooFew({ label: "Input features", min_items: 1 }), "Input features: choose at least 1");
  assert.equal(tooMany({ label: "Hidden layers", max_items: 8 }), "Hidden layers: at most 8");
});

test("a chart's traces become CSV rows, quoted where needed", () => {
  const gd = {
    data: [
      { name: "f(x)", type: "scatter", x: [0, 1], y: [0, null] },
      { name: "p, class 1", type: "heatmap", x: [0, 1], y: [5], z: [[0.1, 0.9]] },
    ],
  };
  const rows = chartRows(gd);
  assert.deepEqual(rows, [
    { trace: "f(x)", x: 0, y: 0 },
    { trace: "f(x)", x: 1, y: null },
    { trace: "p, class 1", x: 0, y: 5, z: 0.1 },
    { trace: "p, class 1", x: 1, y: 5, z: 0.9 },
  ]);
  assert.equal(toCSV(rows), 'trace,x,y,z\nf(x),0,0,\nf(x),1,,\n"p, class 1",0,5,0.1\n"p, class 1",1,5,0.9\n');
});

test("a 3-D trace's rows carry its third coordinate", () => {
  const gd = { data: [{ name: "train class 1", type: "scatter3d", x: [0.5], y: [-0.5], z: [0.25] }] };
  assert.deepEqual(chartRows(gd), [{ trace: "train class 1", x: 0.5, y: -0.5, z: 0.25 }]);
});

test("numbers print short, tiny and huge ones in exponent form", () => {
  assert.equal(fmt(0.123456789), "0.1235");
  assert.equal(fmt(99.94, 1), "99.9");
  assert.equal(fmt(0.0001234), "1.23e-4");
  assert.equal(fmt(123456), "1.23e+5");
  assert.equal(fmt(0), "0");
  assert.equal(fmt(null), "—");
});
