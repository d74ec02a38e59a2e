// A live frame in the recorded run's shapes (static/js/live-view.js) and the fast live boundary
// (static/js/boundary-raster.js), on the frame the Python encoder wrote (tests/data).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { colourAt, heatmapPixels, levelLine, rasterised, rgbOf } from "../../static/js/boundary-raster.js";
import { decodeFrame } from "../../static/js/live.js";
import { frameView, isHistory, LiveCurves, linspace, liveChange } from "../../static/js/live-view.js";

const bin = readFileSync(new URL("../data/live_frame.bin", import.meta.url));
const expected = JSON.parse(readFileSync(new URL("../data/live_frame.json", import.meta.url), "utf8"));

test("linspace is numpy's: both ends exact, even steps", () => {
  assert.deepEqual(linspace(-0.2, 1.2, 6).map((v) => Number(v.toFixed(12))), [-0.2, 0.08, 0.36, 0.64, 0.92, 1.2]);
  assert.equal(linspace(-0.2, 1.2, 6).at(-1), 1.2);
  assert.deepEqual(linspace(3, 3, 1), [3]);
});

test("a frame becomes a snapshot, its grids' axes and the weights as the API writes them", () => {
  const view = frameView(decodeFrame(bin));
  const { arrays } = expected;
  assert.equal(view.snapshot.epoch, 10);
  assert.equal(view.snapshot.output.length, 1);
  assert.equal(view.snapshot.output[0].length, 6);
  assert.deepEqual(view.snapshot.output[0][1], arrays.output.slice(6, 12)); // row i = x2[i]
  assert.equal(view.snapshot.hidden[0].length, 4);
  assert.deepEqual(view.snapshot.hidden[0][3], [arrays["hidden.0"].slice(12, 14), arrays["hidden.0"].slice(14, 16)]);
  assert.equal(view.grid.x1.length, 6);
  assert.equal(view.thumbnailGrid.x2.length, 2);
  assert.deepEqual(view.layers.map(({ W, b }) => [W.length, W[0].length, b.length]), [[2, 4, 4], [4, 1, 1]]);
  assert.deepEqual(view.layers[0].W[1], arrays["W.0"].slice(4, 8)); // W[from][to], float64 kept
  assert.deepEqual(view.layers[1].b, arrays["b.1"]);
});

test("the live curves grow by frame, restart at an earlier epoch and thin past their cap", () => {
  const curves = new LiveCurves(4);
  const frame = (epoch, loss) => ({ epoch, loss, accuracy: 0.5, test_loss: null, test_accuracy: null });
  for (const [e, l] of [[0, 0.7], [1, 0.6], [2, 0.5]]) curves.add(frame(e, l));
  curves.add(frame(2, 0.45)); // the same epoch again (paused, then edited): replaced
  assert.deepEqual(curves.asRun(), { epochs: [0, 1, 2], loss: [0.7, 0.6, 0.45], accuracy: [0.5, 0.5, 0.5], test_loss: null, test_accuracy: null });
  // new arrays each time: Plotly.react redraws a trace only for new arrays
  const [a, b] = [curves.asRun(), curves.asRun()];
  for (const key of ["epochs", "loss", "accuracy"]) assert.notEqual(a[key], b[key], key);
  curves.add(frame(3, 0.4));
  curves.add(frame(4, 0.3)); // 5 > 4 points: every other, the newest kept
  assert.deepEqual(curves.epochs, [0, 2, 4]);
  curves.add(frame(0, 0.9)); // reset: epoch 0 again
  assert.deepEqual(curves.epochs, [0]);
});

test("learning rate, regularisation, its rate and batch size are a set; anything else a new session", () => {
  const body = { dataset: "xor", hidden_layers: [4], learning_rate: 0.1, batch_size: null, epochs: 200, seed: 0 };
  assert.deepEqual(liveChange(body, { ...body, learning_rate: 0.3, batch_size: 2 }), { restart: false, set: { learning_rate: 0.3, batch_size: 2 } });
  assert.deepEqual(liveChange(body, { ...body, epochs: 500 }), { restart: false, set: {} }); // not used live
  assert.equal(liveChange(body, { ...body, hidden_layers: [4, 2] }).restart, true);
  assert.equal(liveChange(body, { ...body, seed: 1 }).restart, true);
  assert.equal(liveChange(body, { ...body, dataset: { name: "circle", seed: 1 } }).restart, true);
});

test("a saved live session is told apart from an exported run", () => {
  assert.ok(isHistory({ version: 1, start: { dataset: "xor" }, commands: [], epoch: 12 }));
  assert.ok(!isHistory({ format: "activation-lab/train-run", version: 1, request: {}, result: {} }));
  assert.ok(!isHistory(null));
});

test("colours come off the scale as Plotly interpolates it", () => {
  const scale = [[0, "#ff0000"], [0.5, "rgb(255, 255, 255)"], [1, "#0000ff"]];
  assert.deepEqual(rgbOf("#1a2b3c"), [26, 43, 60]);
  assert.deepEqual(colourAt(scale, 0, 0, 1), [255, 0, 0]);
  assert.deepEqual(colourAt(scale, 0.25, 0, 1), [255, 128, 128]);
  assert.deepEqual(colourAt(scale, 2, -1, 1), [0, 0, 255]); // clamped
  const { width, height, pixels } = heatmapPixels({ z: [[0, 1]], zmin: 0, zmax: 1, colorscale: scale }, "#ffffff", 2);
  assert.deepEqual([width, height], [4, 2]);
  assert.deepEqual([...pixels.slice(0, 4)], [255, 0, 0, 255]);
  assert.deepEqual([...pixels.slice(8, 12)], [0, 0, 255, 255]);
});

test("the level line crosses each cell edge where the values interpolate to the level", () => {
  // z = x on a 3 x 3 grid: the 0.5 line is the vertical x = 0.5, in two segments
  const x = [0, 1, 2];
  const y = [0, 1, 2];
  const z = y.map(() => x.map((v) => v / 2)); // 0, 0.5, 1 across
  const line = levelLine(x, y, z.map((row) => row.map((v) => v + 0.125)), 0.5);
  assert.deepEqual(line.x, [0.75, 0.75, null, 0.75, 0.75, null]);
  assert.deepEqual(line.y, [0, 1, null, 1, 2, null]);
});

test("the rasterised figure keeps the same trace objects while they do not change", () => {
  const figure = () => ({
    traces: [
      { type: "heatmap", name: "p(class 1)", x: [0, 1], y: [0, 1], z: [[0, 1], [0, 1]], zmin: 0, zmax: 1, zsmooth: "best", colorscale: [[0, "#ff0000"], [1, "#0000ff"]], colorbar: {} },
      { type: "contour", name: "p = 0.5", x: [0, 1], y: [0, 1], z: [[0, 1], [0, 1]], contours: { start: 0.5 }, line: { color: "#000000", width: 2 } },
      { type: "scatter", name: "train class 0", x: [0], y: [0] },
    ],
    layout: { xaxis: {}, yaxis: {} },
  });
  const painted = [];
  const paint = (w, h, pixels, lines) => {
    painted.push({ w, h, lines });
    return "data:image/png;base64,";
  };
  const cache = new Map();
  const first = rasterised(figure(), { panel: "#ffffff" }, paint, cache);
  const second = rasterised(figure(), { panel: "#ffffff" }, paint, cache);
  assert.deepEqual(first.traces.map((t) => t.name), ["p(class 1)", "p = 0.5", "train class 0"]);
  assert.ok(first.traces.every((trace, k) => trace === second.traces[k]));
  assert.equal(second.layout.images.length, 1);
  assert.deepEqual([painted[0].w, painted[0].h], [8, 8]);
  // the 0.5 line of z = x is x = 0.5: the middle of the picture, top to bottom
  assert.deepEqual(painted[0].lines[0].x, [4, 4, null]);
  assert.deepEqual(painted[0].lines[0].y, [6, 2, null]);
});
