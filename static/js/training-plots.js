// Figures for training runs and sweeps. Data in, Plotly traces and layouts out; no DOM.
import { baseLayout, colour } from "./plots.js";

// Class k's marker: shape carries the class as well as colour does.
const CLASS_SYMBOLS = ["x", "circle", "triangle-up", "square", "diamond", "star", "cross", "hexagon", "pentagon", "bowtie"];

export function classColour(t, k) {
  if (k === 0) return t.class0;
  if (k === 1) return t.class1;
  return colour(t, k + 1);
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
    const symbol = CLASS_SYMBOLS[k % CLASS_SYMBOLS.length];
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

// The decision surface at one snapshot with the data on top. Two classes: p(class 1) from
// orange (0) through the panel colour (0.5) to blue (1), and the p = 0.5 contour. K classes:
// the most probable class per cell.
export function boundaryFigure(run, snapshot, t) {
  const { grid, data } = run;
  const traces = [];
  if (snapshot && grid) {
    const units = snapshot.output;
    if (units.length === 1) {
      traces.push({
        type: "heatmap",
        name: "p(class 1)",
        x: grid.x1,
        y: grid.x2,
        z: units[0],
        zmin: 0,
        zmax: 1,
        colorscale: [[0, t.class0], [0.5, t.panel], [1, t.class1]],
        opacity: 0.85,
        colorbar: { thickness: 10, outlinewidth: 0, title: { text: "p(1)", side: "right" }, tickfont: { color: t.fg } },
        hovertemplate: "p(class 1) = %{z:.2f}<extra></extra>",
      });
      traces.push({
        type: "contour",
        name: "p = 0.5",
        x: grid.x1,
        y: grid.x2,
        z: units[0],
        contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
        line: { color: t.fg, width: 2 },
        showscale: false,
        hoverinfo: "skip",
      });
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
        hovertemplate: "class %{z}<extra></extra>",
      });
    }
  }
  traces.push(...pointTraces(data.train, t, { test: false }));
  if (data.test) traces.push(...pointTraces(data.test, t, { test: true }));
  const layout = baseLayout(t, { xTitle: "x1", yTitle: "x2" });
  layout.hovermode = "closest";
  layout.yaxis.scaleanchor = "x";
  layout.xaxis.constrain = "domain";
  layout.yaxis.constrain = "domain";
  layout.legend = { ...layout.legend, y: -0.14 };
  if (grid) {
    layout.xaxis.range = [grid.x1[0], grid.x1[grid.x1.length - 1]];
    layout.yaxis.range = [grid.x2[0], grid.x2[grid.x2.length - 1]];
  }
  layout.uirevision = "boundary"; // keep zoom while the animation plays
  return { traces, layout };
}

// Loss or accuracy over epochs, train and test, with the shown snapshot marked.
export function curvesFigure(run, which, epoch, t) {
  const train = run[which];
  const test = run[`test_${which}`];
  const traces = [
    { type: "scatter", mode: "lines", name: `train ${which}`, x: run.epochs, y: train, line: { color: colour(t, 0), width: 2 } },
  ];
  if (test) {
    traces.push({ type: "scatter", mode: "lines", name: `test ${which}`, x: run.epochs, y: test, line: { color: colour(t, 1), width: 2, dash: "dash" } });
  }
  const log = which === "loss" && train.every((v) => v > 0);
  const layout = baseLayout(t, { xTitle: "epoch", yTitle: which, yType: log ? "log" : "linear" });
  if (which === "accuracy") layout.yaxis.range = [-0.03, 1.03];
  layout.margin = { l: log ? 70 : 52, r: 10, t: 8, b: 36 };
  layout.legend = { ...layout.legend, y: -0.3 };
  if (epoch !== null && epoch !== undefined) {
    layout.shapes = [{ type: "line", xref: "x", yref: "paper", x0: epoch, x1: epoch, y0: 0, y1: 1, line: { color: t.muted, width: 1, dash: "dot" } }];
  }
  return { traces, layout };
}
