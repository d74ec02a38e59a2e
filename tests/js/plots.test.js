// Figure builders and tick helpers (static/js/plots.js, static/js/training-plots.js): data in,
// Plotly traces and layouts out.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  VIEWS, countTicks, curveFigure, jacobianFigure, logTicks as decadeTicks, softmaxFigure, vanishingIntervals,
} from "../../static/js/plots.js";
import { boundaryFigure, classGlyph, curvesFigure, logTicks } from "../../static/js/training-plots.js";

const t = {
  dark: false, fg: "#111", muted: "#666", grid: "#ddd", line: "#999", panel: "#fff", shade: "#fee", error: "#c00",
  class0: "#e65", class1: "#36c", series: ["#36c", "#e65", "#393"], font: "sans-serif",
};

test("the vanishing zone is where |f'| is below the threshold given", () => {
  const x = [-3, -2, -1, 0, 1, 2, 3];
  const dydx = [0.001, 0.005, 0.2, 0.5, 0.2, 0.009, null];
  assert.deepEqual(vanishingIntervals(x, dydx, 0.01), [[-3, -2]]); // one point alone is no interval
  assert.deepEqual(vanishingIntervals(x, dydx, 0.3), [[-3, -1], [1, 2]]);
});

test("Explore's figure draws the views asked for and names the threshold in the legend", () => {
  const curve = { x: [-2, -1, 0, 1], y: [0, 0, 0, 1], dydx: [0, 0, 0.5, 1], d2ydx2: [0, 0, 1, 0] };
  const { traces, layout } = curveFigure(curve, ["f", "d2f"], t, "ReLU", 0.01);
  assert.deepEqual(traces.map((tr) => tr.name), ["f(x)", "f″(x)"]);
  assert.deepEqual(traces[1].y, [0, 0, 1, 0]);
  assert.equal(layout.shapes.length, 1);
  assert.deepEqual([layout.shapes[0].x0, layout.shapes[0].x1], [-2, -1]);
  assert.equal(layout.shapes[0].name, "|f′| < 0.01 (vanishing gradient)");
  assert.equal(layout.yaxis.title.text, "ReLU");
  assert.deepEqual(VIEWS, ["f", "df", "d2f"]);
});

test("log ticks: 1-2-5 within a decade or two, none needed over three", () => {
  assert.deepEqual(logTicks(0.012, 0.6), [0.02, 0.05, 0.1, 0.2, 0.5]);
  assert.equal(logTicks(1e-5, 1), null);
  assert.deepEqual(logTicks(0.5, 0.9), [0.5, 0.6, 0.7, 0.8, 0.9]);
  assert.equal(logTicks(0, 1), null);
  const close = logTicks(0.0125, 0.0131);
  assert.ok(close.length >= 3 && close.every((v) => v >= 0.0125 && v <= 0.0131), String(close));
});

test("gradient-flow ticks: every other decade label only for one to two decades", () => {
  assert.deepEqual(decadeTicks([1, 50]), { dtick: "D2" });
  assert.deepEqual(decadeTicks([1, 1e5, null, 0]), {});
  assert.deepEqual(decadeTicks([null]), {});
  assert.deepEqual(countTicks(8), { tick0: 1, dtick: 1 });
  assert.deepEqual(countTicks(64), { tick0: 0, dtick: 10 });
});

const run = {
  setup: { n_classes: 2 },
  epochs: [0, 1, 2, 3],
  loss: [0.69, 0.5, 0.2, 0.05],
  accuracy: [0.5, 0.75, 1, 1],
  test_loss: null,
  test_accuracy: null,
  data: { train: { x: [[0, 0], [1, 1]], y: [0, 1] }, test: null },
  affine_map: null,
};

test("the loss curve is on a log axis and marks the snapshot's epoch", () => {
  const { traces, layout } = curvesFigure(run, "loss", 2, t);
  assert.equal(traces.length, 1);
  assert.equal(layout.yaxis.type, "log");
  assert.deepEqual([layout.shapes[0].x0, layout.shapes[0].x1], [2, 2]);
  assert.equal(layout.xaxis.dtick, 1); // whole epochs only on a short run
  assert.equal(curvesFigure(run, "accuracy", null, t).layout.yaxis.type, "linear");
});

test("the decision boundary shows a flat surface in words and the data as markers", () => {
  const grid = { x1: [0, 1], x2: [0, 1] };
  const snapshot = { epoch: 0, output: [[[0.5, 0.5], [0.5, 0.5]]] };
  const { traces, layout } = boundaryFigure({ ...run, grid, affine_map: {} }, snapshot, t, { dataset: "xor", gridStep: 0.01 });
  assert.deepEqual(traces.map((tr) => tr.type), ["heatmap", "scatter", "scatter"]);
  assert.match(layout.annotations[0].text, /p ≈ 0.50 everywhere: a linear model<br>cannot separate XOR/);
  assert.deepEqual(layout.xaxis.range, [0, 1]);
  assert.deepEqual(traces.slice(1).map((tr) => tr.x), [[0], [1]]); // class 0, class 1
  // Spanning 0.05 is five rounding steps: a boundary to draw, smoothed where it is staircase.
  const ramp = { epoch: 9, output: [[[0.47, 0.52], [0.48, 0.53]]] };
  const drawn = boundaryFigure({ ...run, grid }, ramp, t, { dataset: "xor", gridStep: 0.01 });
  assert.equal(drawn.layout.annotations.length, 0);
  assert.deepEqual(drawn.traces.map((tr) => tr.type), ["heatmap", "contour", "scatter", "scatter"]);
  assert.equal(classGlyph(0), "✕");
  assert.equal(classGlyph(10), "✕");
});

test("softmax bars sit beside the naive shares; the Jacobian's colours are symmetric about 0", () => {
  const bars = softmaxFigure([2, -1], [0.9526, 0.0474], [2, -1], t);
  assert.deepEqual(bars.traces.map((tr) => tr.x), [["z1", "z2"], ["z1", "z2"]]);
  assert.deepEqual(bars.traces[1].y, [2, -1]);
  assert.equal(bars.layout.barmode, "group");
  const heat = jacobianFigure([[0.25, -0.25], [-0.25, 0.25]], t);
  assert.deepEqual([heat.traces[0].zmin, heat.traces[0].zmax], [-0.25, 0.25]);
  assert.deepEqual(heat.traces[0].y, ["p1", "p2"]);
  assert.equal(jacobianFigure([[0]], t).traces[0].zmax, 1e-12); // all zero: still a scale
});
