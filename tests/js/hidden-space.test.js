// The hidden-space figures (static/js/hidden-space.js): views as the API writes them in, Plotly
// traces out; the boundary drawn is the server's coefficients, clipped to the axes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  askedLayers, axisTitles, CAMERA, clipLine, clipPlane, hiddenSpaceFigure, layerOptions, messageFigure, pickedLayer,
  spaceNote, spaceRange, viewAt, widened,
} from "../../static/js/hidden-space.js";
import { decodeFrame } from "../../static/js/live.js";
import { frameSpaces, frameView } from "../../static/js/live-view.js";

const t = {
  fg: "#111", muted: "#666", grid: "#eee", line: "#ccc", panel: "#fff", font: "sans-serif",
  class0: "#f80", class1: "#08f", series: ["#1", "#2", "#3", "#4", "#5"],
};

// XOR's four points in a 2-unit tanh layer, and a line that parts them (h1 - h2 = 0 ... shifted).
const XOR = { train: { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] }, test: null };
const view2 = {
  layer: 0, width: 2, projection: "identity", axes: ["unit 1", "unit 2"], explained_variance: null,
  train: [[-0.5, -0.5], [0.8, -0.2], [-0.2, 0.8], [0.5, 0.5]], test: null,
  boundary: [{ classes: [1, 0], coefficients: [1, 1], offset: -0.4 }], values: null, test_values: null,
};

test("the layers a body asked for are the API's: all, last, one index, none", () => {
  assert.deepEqual(askedLayers("all", 3), [0, 1, 2]);
  assert.deepEqual(askedLayers("last", 3), [2]);
  assert.deepEqual(askedLayers(1, 3), [1]);
  assert.deepEqual(askedLayers(undefined, 3), []);
});

test("the picked layer: 0 and foreign values are the last layer, k is layer k", () => {
  assert.equal(pickedLayer(0, 3), 2);
  assert.equal(pickedLayer(1, 3), 0);
  assert.equal(pickedLayer(3, 3), 2);
  assert.equal(pickedLayer(7, 3), 2); // a link's layer the network lacks
  assert.deepEqual(layerOptions([2, 4]).map(([v]) => v), [1, 0]);
  assert.equal(layerOptions([2, 4])[0][1], "Layer 1 (2 units)");
  assert.equal(layerOptions([1])[0][1], "Layer 1 (1 unit)");
});

test("a snapshot's view of a layer: undefined without views, null when diverged", () => {
  const snapshot = { hidden_space: [view2, null] };
  assert.equal(viewAt(snapshot, { hidden_space: "all" }, 2, 0), view2);
  assert.equal(viewAt(snapshot, { hidden_space: "all" }, 2, 1), null);
  assert.equal(viewAt({}, { hidden_space: "all" }, 2, 0), undefined);
  assert.equal(viewAt({ hidden_space: [view2] }, { hidden_space: 1 }, 2, 0), undefined);
});

test("the axes cover every snapshot and a bounded activation's range", () => {
  const later = { ...view2, train: [[-2, 0], [0, 3]] };
  const [x, y] = spaceRange([view2, later, null]);
  assert.ok(x[0] < -2 && x[1] > 0.8 && y[0] < -0.5 && y[1] > 3);
  const [bx] = spaceRange([view2], { bounds: [-1, 1] });
  assert.ok(bx[0] < -1 && bx[1] > 1);
  // a projection's coordinates are not the units' outputs: no bounds there
  const [px] = spaceRange([{ ...view2, projection: "pca" }], { bounds: [-10, 10] });
  assert.ok(px[0] > -1);
  assert.equal(spaceRange([null]), null);
  assert.deepEqual(widened([[0, 1]], [[-1, 0.5]]), [[-1, 1]]);
});

test("a line is clipped to the box at its two crossings", () => {
  const near = (a, b) => a.every((p, i) => p.every((c, d) => Math.abs(c - b[i][d]) < 1e-12));
  assert.ok(near(clipLine([1, 1], -0.4, [[-1, 1], [-1, 1]]), [[1, -0.6], [-0.6, 1]]));
  assert.deepEqual(clipLine([1, 0], -0.5, [[-1, 1], [-1, 1]]), [[0.5, -1], [0.5, 1]]);
  assert.equal(clipLine([1, 1], -5, [[-1, 1], [-1, 1]]), null);
});

test("a plane is cut by the box into a polygon whose corners lie on it", () => {
  const box = [[-1, 1], [-1, 1], [-1, 1]];
  const square = clipPlane([0, 0, 1], -0.25, box);
  assert.equal(square.length, 4);
  for (const p of square) assert.equal(p[2], 0.25);
  const hexagon = clipPlane([1, 1, 1], 0, box);
  assert.equal(hexagon.length, 6);
  for (const p of hexagon) assert.ok(Math.abs(p[0] + p[1] + p[2]) < 1e-12);
  assert.equal(clipPlane([1, 1, 1], -10, box), null);
});

test("2-D: the points by class as the boundary chart marks them, and the server's line", () => {
  const range = spaceRange([view2], { bounds: [-1, 1] });
  const { traces, layout } = hiddenSpaceFigure(view2, XOR, t, { range });
  const points = traces.filter((tr) => tr.mode === "markers");
  assert.deepEqual(points.map((tr) => tr.name), ["train class 0", "train class 1"]);
  assert.deepEqual(points[0].marker.symbol, "x");
  assert.deepEqual(points[0].x, [-0.5, 0.5]);
  const [line] = traces.filter((tr) => tr.mode === "lines");
  assert.equal(line.name, "decision boundary");
  for (let k = 0; k < 2; k += 1) assert.ok(Math.abs(line.x[k] + line.y[k] - 0.4) < 1e-12);
  assert.equal(layout.xaxis.title.text, "unit 1");
  assert.deepEqual(layout.xaxis.range, range[0]);
  assert.equal(layout.yaxis.scaleanchor, "x");
});

test("test points are hollow, and left out when hidden", () => {
  const withTest = { ...view2, test: [[0.1, 0.1]] };
  const data = { ...XOR, test: { x: [[0, 0]], y: [1] } };
  const shown = hiddenSpaceFigure(withTest, data, t, { range: null, showTest: true }).traces;
  assert.equal(shown.find((tr) => tr.name === "test class 1").marker.symbol, "circle-open");
  const hidden = hiddenSpaceFigure(withTest, data, t, { range: null, showTest: false }).traces;
  assert.ok(!hidden.some((tr) => tr.name.startsWith("test")));
});

test("1-D: the points on a line and the boundary a mark at the threshold", () => {
  const view = { ...view2, width: 1, axes: ["unit 1"], train: [[-0.9], [0.2], [0.3], [0.9]], boundary: [{ classes: [1, 0], coefficients: [2], offset: -0.5 }] };
  const { traces, layout } = hiddenSpaceFigure(view, XOR, t, { range: [[-1, 1]] });
  assert.ok(traces.filter((tr) => tr.mode === "markers").every((tr) => tr.y.every((y) => y === 0)));
  const [mark] = traces.filter((tr) => tr.mode === "lines");
  assert.deepEqual(mark.x, [0.25, 0.25]);
  assert.equal(layout.yaxis.visible, false);
});

test("3-D: a scatter3d, the plane as a mesh inside the box, the camera fixed", () => {
  const view = { ...view2, width: 3, axes: ["unit 1", "unit 2", "unit 3"], train: [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], boundary: [{ classes: [1, 0], coefficients: [0, 0, 1], offset: -0.5 }] };
  const range = spaceRange([view]);
  const { traces, layout } = hiddenSpaceFigure(view, XOR, t, { range });
  assert.ok(traces.filter((tr) => tr.mode === "markers").every((tr) => tr.type === "scatter3d"));
  const mesh = traces.find((tr) => tr.type === "mesh3d");
  assert.ok(mesh.z.every((z) => Math.abs(z - 0.5) < 1e-12));
  assert.equal(mesh.i.length, mesh.x.length - 2);
  assert.equal(layout.scene.camera, CAMERA);
  assert.deepEqual(layout.scene.zaxis.range, range[2]);
  assert.equal(layout.xaxis, undefined);
});

test("PCA: the axes say the share of variance and the chart that it is a projection", () => {
  const view = { ...view2, width: 8, projection: "pca", axes: ["PC1", "PC2"], explained_variance: [0.634, 0.2] };
  assert.deepEqual(axisTitles(view), ["PCA 1 (63% of variance)", "PCA 2 (20% of variance)"]);
  const { layout } = hiddenSpaceFigure(view, XOR, t, { range: spaceRange([view]) });
  assert.equal(layout.xaxis.title.text, "PCA 1 (63% of variance)");
  assert.match(layout.annotations[0].text, /PCA projection of 8 units/);
  assert.match(spaceNote(view, { regression: false, layers: 1 }), /projection onto its two principal components/);
});

test("softmax: one line per class pair, named by the pair", () => {
  const view = {
    ...view2,
    boundary: [
      { classes: [0, 1], coefficients: [1, 0], offset: 0 },
      { classes: [0, 2], coefficients: [0, 1], offset: 0 },
      { classes: [1, 2], coefficients: [1, -1], offset: 0 },
    ],
  };
  const data = { train: { x: [[0, 0], [0, 0], [0, 0], [0, 0]], y: [0, 1, 2, 0] }, test: null };
  const lines = hiddenSpaceFigure(view, data, t, { range: [[-1, 1], [-1, 1]] }).traces.filter((tr) => tr.mode === "lines");
  assert.deepEqual(lines.map((tr) => tr.name), ["boundary class 0 | class 1", "boundary class 0 | class 2", "boundary class 1 | class 2"]);
  assert.notEqual(lines[0].line.dash, lines[1].line.dash);
});

test("regression: points coloured by the network's value on the output's scale, no boundary", () => {
  const view = { ...view2, boundary: null, values: [-0.5, 0.1, 0.2, 0.9] };
  const data = { train: { x: XOR.train.x, y: [0, 0, 0, 0] }, test: null };
  const { traces } = hiddenSpaceFigure(view, data, t, { range: null, regression: true });
  assert.equal(traces.length, 1);
  assert.deepEqual(traces[0].marker.color, [-0.5, 0.1, 0.2, 0.9]);
  assert.deepEqual([traces[0].marker.cmin, traces[0].marker.cmax], [-1, 1]);
  assert.match(spaceNote(view, { regression: true, layers: 1 }), /no boundary/);
});

test("a diverged view and a network without hidden layers say so in the chart", () => {
  const { traces, layout } = hiddenSpaceFigure(null, XOR, t, { range: null });
  assert.deepEqual(traces, []);
  assert.match(layout.annotations[0].text, /diverged/);
  assert.match(messageFigure("no hidden layer", t).layout.annotations[0].text, /no hidden layer/);
});

test("an earlier layer has no straight boundary, and the note says why", () => {
  const view = { ...view2, boundary: null };
  assert.ok(!hiddenSpaceFigure(view, XOR, t, { range: null }).traces.some((tr) => tr.mode === "lines"));
  assert.match(spaceNote(view, { regression: false, layers: 2 }), /still non-linear/);
});

test("a frame without hidden-space views has none; the encoder's frame decodes as before", () => {
  const frame = decodeFrame(readFileSync(new URL("../data/live_frame.bin", import.meta.url)));
  assert.equal(frameSpaces(frame), undefined);
  assert.equal("hidden_space" in frameView(frame).snapshot, false);
});

test("a frame's hidden-space arrays become the API's view", () => {
  const header = {
    hidden_space: [{ layer: 0, width: 2, projection: "identity", axes: ["unit 1", "unit 2"], explained_variance: null, boundary: null }, null],
    arrays: [{ name: "hidden_space.0.train", shape: [2, 2] }, { name: "hidden_space.0.values", shape: [2] }],
  };
  const arrays = { "hidden_space.0.train": new Float32Array([0.5, -0.5, 0.25, 1]), "hidden_space.0.values": new Float32Array([1, 2]) };
  const [space, diverged] = frameSpaces({ header, arrays });
  assert.deepEqual(space.train, [[0.5, -0.5], [0.25, 1]]);
  assert.deepEqual(space.values, [1, 2]);
  assert.equal(space.test, null);
  assert.equal(diverged, null);
});
