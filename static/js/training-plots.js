// Figures for training runs and sweeps. Data in, Plotly traces and layouts out; no DOM.
import { baseLayout, colour } from "./plots.js";

// Class k's marker: shape carries the class as well as colour does. GLYPHS name the same
// shapes in text (the class picker's labels).
const CLASS_SYMBOLS = ["x", "circle", "triangle-up", "square", "diamond", "star", "cross", "hexagon", "pentagon", "bowtie"];
export const CLASS_GLYPHS = ["✕", "●", "▲", "■", "◆", "★", "✚", "⬢", "⬟", "⋈"];

export function classColour(t, k) {
  if (k === 0) return t.class0;
  if (k === 1) return t.class1;
  return colour(t, k + 1);
}

export const classGlyph = (k) => CLASS_GLYPHS[k % CLASS_GLYPHS.length];
export const classSymbol = (k) => CLASS_SYMBOLS[k % CLASS_SYMBOLS.length];

// A regression run (the API's setup.n_classes is 0 for a regression set): a real-valued output,
// drawn with a continuous colour map, and R² where a classifier has accuracy.
export const isRegression = (run) => run?.setup?.n_classes === 0;

// The regression output and targets as the Playground colours them: orange at -1 through the
// panel colour at 0 to blue at +1 (its colour scale's domain), clamped beyond.
export const REGRESSION_RANGE = [-1, 1];
export const divergingScale = (t) => [[0, t.class0], [0.5, t.panel], [1, t.class1]];

// The training (or test) points coloured by their target value on the output's own scale.
function valueTrace(points, t, { test }) {
  const [cmin, cmax] = REGRESSION_RANGE;
  return {
    type: "scatter",
    mode: "markers",
    name: test ? "test points" : "training points",
    x: points.x.map((p) => p[0]),
    y: points.x.map((p) => p[1]),
    customdata: points.y,
    marker: {
      symbol: test ? "circle-open" : "circle",
      size: test ? 7 : 8,
      color: points.y,
      colorscale: divergingScale(t),
      cmin,
      cmax,
      showscale: false,
      line: { color: test ? t.muted : t.fg, width: test ? 1.5 : 0.75 },
    },
    hovertemplate: `target %{customdata:.2f}${test ? " (test)" : ""} at (%{x:.2f}, %{y:.2f})<extra></extra>`,
  };
}

// The output over the grid on the diverging map, with its colour bar.
function valueHeatmap(grid, z, t) {
  const [zmin, zmax] = REGRESSION_RANGE;
  return {
    type: "heatmap",
    name: "output",
    x: grid.x1,
    y: grid.x2,
    z,
    zmin,
    zmax,
    zsmooth: "best",
    colorscale: divergingScale(t),
    opacity: 0.85,
    colorbar: { thickness: 10, outlinewidth: 0, title: { text: "output", side: "right" }, tickfont: { color: t.fg } },
    hovertemplate: "output = %{z:.2f}<extra></extra>",
  };
}

function pointTraces(points, t, { test }) {
  const classes = [...new Set(points.y)].sort((a, b) => a - b);
  return classes.map((k) => {
    const xs = [];
    const ys = [];
    points.y.forEach((label, i) => {
      if (label === k) {
        xs.push(points.x[i][0]);
        ys.push(points.x[i][1]);
      }
    });
    const symbol = classSymbol(k);
    return {
      type: "scatter",
      mode: "markers",
      name: `${test ? "test" : "train"} class ${k}`,
      x: xs,
      y: ys,
      marker: {
        symbol: test ? `${symbol}-open` : symbol,
        size: test ? 7 : points.y.length <= 8 ? 14 : 8,
        color: classColour(t, k),
        line: { color: test ? classColour(t, k) : t.panel, width: test ? 1.5 : 1 },
      },
      hovertemplate: `class ${k}${test ? " (test)" : ""} at (%{x:.2f}, %{y:.2f})<extra></extra>`,
    };
  });
}

// A surface that spans fewer rounding steps than this has no boundary worth drawing.
const FLAT_STEPS = 5;

// The surfaces come rounded to `step` (the server's grid step, 0.01), so where the output
// changes slowly (a young or a linear network) whole bands of cells read exactly 0.50 and a
// contour through them is a staircase.
// Averaging over a window about one rounding band wide restores the slope: a box average keeps
// a linear field linear, and the window shrinks symmetrically at the edges so it stays centred.
function dequantised(z, step) {
  const rows = z.length;
  const cols = z[0].length;
  let steps = 0;
  let count = 0;
  for (let i = 0; i < rows; i += 1) {
    for (let j = 0; j < cols; j += 1) {
      if (Math.abs(z[i][j] - 0.5) > 4 * step) continue;
      if (j + 1 < cols) { steps += Math.abs(z[i][j + 1] - z[i][j]); count += 1; }
      if (i + 1 < rows) { steps += Math.abs(z[i + 1][j] - z[i][j]); count += 1; }
    }
  }
  const slope = count ? steps / count : step; // mean change per cell near p = 0.5
  if (slope >= step) return z;
  const radius = Math.min(8, Math.ceil(step / Math.max(slope, step / 8)));
  const smooth = (line) => line.map((_, k) => {
    const r = Math.min(radius, k, line.length - 1 - k);
    let sum = 0;
    for (let d = -r; d <= r; d += 1) sum += line[k + d];
    return sum / (2 * r + 1);
  });
  const across = z.map(smooth);
  const columns = across[0].map((_, j) => smooth(across.map((row) => row[j])));
  return across.map((row, i) => row.map((_, j) => columns[j][i]));
}

// What the learner sees when the surface is flat, said on the chart itself.
function flatNote(value, { linear, dataset }) {
  const level = `p ≈ ${value.toFixed(2)} everywhere`;
  if (linear) return `${level}: a linear model<br>cannot separate ${dataset === "xor" ? "XOR" : "this data"}`;
  return `${level}: no boundary yet`;
}

// One hidden unit's output over the thumbnail grid, large (hover a unit in the diagram): on
// the diverging map scaled to the unit's own largest |output|, as its thumbnail is.
function unitHeatmap(grid, z, t, name) {
  let scale = 0;
  for (const row of z) for (const v of row) scale = Math.max(scale, Math.abs(v));
  scale = scale || 1;
  return {
    type: "heatmap",
    name: `${name} output`,
    x: grid.x1,
    y: grid.x2,
    z,
    zmin: -scale,
    zmax: scale,
    zsmooth: "best",
    colorscale: divergingScale(t),
    opacity: 0.85,
    colorbar: { thickness: 10, outlinewidth: 0, title: { text: name, side: "right" }, tickfont: { color: t.fg } },
    hovertemplate: `${name} = %{z:.3f}<extra></extra>`,
  };
}

// "Discretize output": the decision, not the probability: the class p > 0.5 decides (two
// classes), or the sign of a regression output (-1 or +1).
export const decided = (z, threshold, low, high) => z.map((row) => row.map((v) => (v > threshold ? high : low)));

// The decision surface at one snapshot with the data on top. Two classes: p(class 1) from
// orange (0) through the panel colour (0.5) to blue (1), smoothed, and the p = 0.5 contour.
// K classes: the most probable class per cell, one colour per class. `dataset` names the data
// for the note on a flat surface; `gridStep` is what the server rounds the surfaces to.
// `showTest`: draw the test points; `discrete`: the decided class (or sign) instead of the
// smooth output; `unit` ({layer, unit, name}): that hidden unit's output in place of the
// network's, over run.thumbnail_grid.
export function boundaryFigure(run, snapshot, t, { dataset = "", gridStep, showTest = true, discrete = false, unit = null }) {
  const { grid, data } = run;
  const traces = [];
  const annotations = [];
  const regression = isRegression(run);
  const enlarged = unit && snapshot ? snapshot.hidden?.[unit.layer]?.[unit.unit] : null;
  if (enlarged && run.thumbnail_grid) {
    traces.push(unitHeatmap(run.thumbnail_grid, enlarged, t, unit.name));
  } else if (snapshot && grid && regression) {
    const [low, high] = REGRESSION_RANGE;
    const heat = valueHeatmap(grid, discrete ? decided(snapshot.output[0], 0, low, high) : snapshot.output[0], t);
    if (discrete) Object.assign(heat, { zsmooth: false, name: "sign of the output", hovertemplate: "sign of the output: %{z}<extra></extra>" });
    traces.push(heat);
  } else if (snapshot && grid) {
    const units = snapshot.output;
    if (units.length === 1) {
      const z = units[0];
      traces.push({
        type: "heatmap",
        name: discrete ? "decided class" : "p(class 1)",
        x: grid.x1,
        y: grid.x2,
        z: discrete ? decided(z, 0.5, 0, 1) : z,
        zmin: 0,
        zmax: 1,
        zsmooth: discrete ? false : "best",
        colorscale: [[0, t.class0], [0.5, t.panel], [1, t.class1]],
        opacity: discrete ? 0.6 : 0.85,
        showscale: !discrete,
        colorbar: { thickness: 10, outlinewidth: 0, title: { text: "p(1)", side: "right" }, tickfont: { color: t.fg } },
        hovertemplate: discrete ? "decided: class %{z}<extra></extra>" : "p(class 1) = %{z:.2f}<extra></extra>",
      });
      const values = z.flat();
      const low = Math.min(...values);
      const high = Math.max(...values);
      if (high - low < FLAT_STEPS * gridStep) {
        annotations.push({
          text: flatNote((low + high) / 2, { linear: Boolean(run.affine_map), dataset }),
          xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false,
          font: { color: t.fg, size: 13 }, bgcolor: t.panel, bordercolor: t.line, borderpad: 6,
        });
      } else {
        traces.push({
          type: "contour",
          name: "p = 0.5",
          x: grid.x1,
          y: grid.x2,
          z: dequantised(z, gridStep),
          contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
          line: { color: t.fg, width: 2, smoothing: 1.3 },
          showscale: false,
          hoverinfo: "skip",
        });
      }
    } else {
      const argmax = units[0].map((row, i) =>
        row.map((_, j) => units.reduce((best, unit, k) => (unit[i][j] > units[best][i][j] ? k : best), 0)));
      const k = units.length;
      const scale = [];
      for (let c = 0; c < k; c += 1) {
        scale.push([c / k, classColour(t, c)], [(c + 1) / k, classColour(t, c)]);
      }
      traces.push({
        type: "heatmap",
        name: "most probable class",
        x: grid.x1,
        y: grid.x2,
        z: argmax,
        zmin: -0.5,
        zmax: k - 0.5,
        colorscale: scale,
        opacity: 0.45,
        showscale: false,
        hovertemplate: "most probable: class %{z}<extra></extra>",
      });
    }
  }
  const test = showTest ? data.test : null;
  if (regression) {
    traces.push(valueTrace(data.train, t, { test: false }));
    if (test) traces.push(valueTrace(test, t, { test: true }));
  } else {
    traces.push(...pointTraces(data.train, t, { test: false }));
    if (test) traces.push(...pointTraces(test, t, { test: true }));
  }
  const layout = baseLayout(t, { xTitle: "x1", yTitle: "x2" });
  layout.hovermode = "closest";
  layout.yaxis.scaleanchor = "x";
  layout.xaxis.constrain = "domain";
  layout.yaxis.constrain = "domain";
  layout.legend = { ...layout.legend, y: -0.14 };
  layout.annotations = annotations;
  if (grid) {
    layout.xaxis.range = [grid.x1[0], grid.x1[grid.x1.length - 1]];
    layout.yaxis.range = [grid.x2[0], grid.x2[grid.x2.length - 1]];
  }
  layout.uirevision = "boundary"; // keep zoom while the animation plays
  return { traces, layout };
}

// Tick values for a log axis over [low, high]: Plotly labels only powers of ten there, so a loss
// spanning less than a decade or two gets one label or none. Take 1-2-5 steps, then every digit,
// then evenly spaced round values, whichever first gives at least three ticks inside the range.
export function logTicks(low, high, { fewest = 3 } = {}) {
  if (!(low > 0) || !(high > low)) return null;
  const decades = Math.log10(high / low);
  if (decades >= fewest) return null; // Plotly's one tick per decade already gives enough
  const within = (v) => v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9);
  const mantissas = (digits) => {
    const ticks = [];
    for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e += 1) {
      for (const m of digits) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (within(v)) ticks.push(v);
      }
    }
    return ticks;
  };
  for (const digits of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks = mantissas(digits);
    if (ticks.length >= fewest) return ticks;
  }
  // Less than a factor of two: the coarsest round step (1, 2 or 5 x 10^k) that gives enough.
  const power = 10 ** Math.ceil(Math.log10(high - low));
  const evenly = (step) => {
    const ticks = [];
    for (let k = Math.ceil(low / step); k * step <= high * (1 + 1e-9); k += 1) ticks.push(Number((k * step).toPrecision(12)));
    return ticks;
  };
  for (const step of [1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01].map((m) => m * power)) {
    const ticks = evenly(step);
    if (ticks.length >= fewest) return ticks;
  }
  return [low, high];
}

// The curves' names as the charts write them.
export const CURVE_LABELS = { loss: "loss", accuracy: "accuracy", r2: "R²" };

// Loss, accuracy or R² over epochs, train and test, with the shown snapshot marked.
export function curvesFigure(run, which, epoch, t) {
  const train = run[which];
  const test = run[`test_${which}`];
  const label = CURVE_LABELS[which];
  const mode = run.epochs.length < 3 ? "lines+markers" : "lines"; // a point or two: show them
  const traces = [
    { type: "scatter", mode, name: `train ${label}`, x: run.epochs, y: train, line: { color: colour(t, 0), width: 2 } },
  ];
  if (test) {
    traces.push({ type: "scatter", mode, name: `test ${label}`, x: run.epochs, y: test, line: { color: colour(t, 1), width: 2, dash: "dash" } });
  }
  const shown = [...train, ...(test ?? [])].filter((v) => v > 0 && Number.isFinite(v));
  // One distinct value (a run of an epoch or two) has no scale to log: a linear axis labels it.
  const log = which === "loss" && train.every((v) => v > 0) && new Set(shown).size > 1;
  const layout = baseLayout(t, { xTitle: "epoch", yTitle: label, yType: log ? "log" : "linear" });
  if (which === "accuracy") layout.yaxis.range = [-0.03, 1.03];
  // R² is at most 1; an untrained network can sit far below 0, which would flatten the rest
  if (which === "r2") layout.yaxis.range = [Math.max(-1, Math.min(0, ...train, ...(test ?? []))) - 0.03, 1.03];
  if (run.epochs.at(-1) - run.epochs[0] < 5) layout.xaxis.dtick = 1; // whole epochs only
  if (log) {
    const ticks = logTicks(Math.min(...shown), Math.max(...shown));
    if (ticks) Object.assign(layout.yaxis, { tickmode: "array", tickvals: ticks, dtick: undefined });
  }
  layout.margin = { l: log ? 70 : 52, r: 10, t: 8, b: 36 };
  layout.legend = { ...layout.legend, y: -0.3 };
  if (epoch !== null && epoch !== undefined) {
    layout.shapes = [{ type: "line", xref: "x", yref: "paper", x0: epoch, x1: epoch, y0: 0, y1: 1, line: { color: t.muted, width: 1, dash: "dot" } }];
  }
  return { traces, layout };
}
