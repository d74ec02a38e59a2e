// The hidden-space view: the data in the coordinates of one hidden layer, with the output's
// decision boundary there (README "Hidden space", app/lab/nn/hidden_space.py). Data in, Plotly
// traces and layouts out; no DOM, so node tests it (tests/js/hidden-space.test.js). Every
// coordinate and boundary coefficient comes from the server: nothing here trains or projects.
import { baseLayout, colour as seriesColour } from "./plots.js";
import { classColour, classSymbol, divergingScale, REGRESSION_RANGE } from "./training-plots.js";

// The hidden layers (0-based) whose views a body's `hidden_space` asked for, in the order the
// snapshots list them: the API's rule (hidden_space.resolve_layers) for a shown run's request.
export function askedLayers(choice, nHidden) {
  if (choice === "all") return Array.from({ length: nHidden }, (_, l) => l);
  if (choice === "last") return nHidden ? [nHidden - 1] : [];
  return Number.isInteger(choice) ? [choice] : [];
}

// The layer a URL value picks: 0 (the default) is the last hidden layer, where the boundary is
// straight; k is layer k (1-based, as the picker names it); one the network lacks is the last.
export const pickedLayer = (picked, nHidden) => (picked >= 1 && picked <= nHidden ? picked - 1 : nHidden - 1);

// The picker's options: [value, label], the last layer's value 0 (the default, kept off the URL).
export function layerOptions(layerSizes) {
  return layerSizes.map((units, l) => [
    l === layerSizes.length - 1 ? 0 : l + 1,
    `Layer ${l + 1} (${units} unit${units === 1 ? "" : "s"})`,
  ]);
}

// One layer's view at snapshot `index`: undefined when the run holds no views of it (not asked,
// an old run file), null when the network had diverged there.
export function viewAt(snapshot, request, nHidden, layer) {
  const views = snapshot?.hidden_space;
  if (!Array.isArray(views)) return undefined;
  const k = askedLayers(request?.hidden_space, nHidden).indexOf(layer);
  return k < 0 ? undefined : views[k];
}

// Padding around the points, as a share of their span.
const PAD = 0.08;

// The axes' ranges, one [lo, hi] per coordinate, covering every view given (a run's every
// snapshot) and `bounds` ([lo, hi] of a bounded activation: its outputs' whole range) when the
// view shows the units themselves. Fixed over a run, so the points visibly move.
export function spaceRange(views, { bounds = null } = {}) {
  const shown = views.filter(Boolean);
  if (!shown.length) return null;
  const dims = shown[0].train[0]?.length ?? shown[0].axes.length;
  const identity = shown[0].projection === "identity";
  return Array.from({ length: dims }, (_, d) => {
    let lo = Infinity;
    let hi = -Infinity;
    if (identity && bounds && Number.isFinite(bounds[0]) && Number.isFinite(bounds[1])) [lo, hi] = bounds;
    for (const v of shown) {
      for (const p of [...v.train, ...(v.test ?? [])]) {
        lo = Math.min(lo, p[d]);
        hi = Math.max(hi, p[d]);
      }
    }
    if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1]; // every point at one value: a unit either side
    const pad = (hi - lo) * PAD;
    return [lo - pad, hi + pad];
  });
}

// A range grown to hold `next` too (a live session's axes: they only ever widen).
export function widened(range, next) {
  if (!range) return next;
  if (!next) return range;
  return range.map(([lo, hi], d) => [Math.min(lo, next[d][0]), Math.max(hi, next[d][1])]);
}

// The segment of coefficients . (x, y) + offset = 0 inside the box [x0, x1] x [y0, y1]: two
// points, or null when the line misses the box.
export function clipLine(coefficients, offset, [[x0, x1], [y0, y1]]) {
  const [a, b] = coefficients;
  const hits = [];
  const inside = (v, lo, hi) => v >= lo - 1e-12 && v <= hi + 1e-12;
  if (b !== 0) {
    for (const x of [x0, x1]) {
      const y = -(offset + a * x) / b;
      if (inside(y, y0, y1)) hits.push([x, y]);
    }
  }
  if (a !== 0) {
    for (const y of [y0, y1]) {
      const x = -(offset + b * y) / a;
      if (inside(x, x0, x1)) hits.push([x, y]);
    }
  }
  let best = null;
  let far = 0;
  for (let i = 0; i < hits.length; i += 1) {
    for (let j = i + 1; j < hits.length; j += 1) {
      const d = Math.hypot(hits[i][0] - hits[j][0], hits[i][1] - hits[j][1]);
      if (d > far) [far, best] = [d, [hits[i], hits[j]]];
    }
  }
  return best;
}

// The polygon where the plane coefficients . p + offset = 0 cuts the box (one [lo, hi] per
// axis): its corners in order around it, or null when the plane misses the box.
export function clipPlane(coefficients, offset, box) {
  const corners = [];
  for (let k = 0; k < 8; k += 1) corners.push([0, 1, 2].map((d) => box[d][(k >> d) & 1]));
  const side = corners.map((p) => coefficients[0] * p[0] + coefficients[1] * p[1] + coefficients[2] * p[2] + offset);
  const points = [];
  for (let k = 0; k < 8; k += 1) {
    for (let d = 0; d < 3; d += 1) {
      const m = k | (1 << d);
      if (m === k) continue; // each of the 12 edges once: from its lower corner
      const [s, e] = [side[k], side[m]];
      if (s === 0) points.push(corners[k]);
      if ((s < 0 && e > 0) || (s > 0 && e < 0)) {
        const u = s / (s - e);
        points.push(corners[k].map((c, i) => c + u * (corners[m][i] - c)));
      }
    }
  }
  for (let k = 0; k < 8; k += 1) {
    // a top corner on the plane has no edge that starts there
    if (side[k] === 0 && ![0, 1, 2].some((d) => !((k >> d) & 1))) points.push(corners[k]);
  }
  const unique = points.filter((p, i) => points.findIndex((q) => q.every((c, d) => Math.abs(c - p[d]) < 1e-12)) === i);
  if (unique.length < 3) return null;
  // order around the centre, by angle in the plane (two directions at right angles in it)
  const centre = [0, 1, 2].map((d) => unique.reduce((sum, p) => sum + p[d], 0) / unique.length);
  const n = coefficients;
  const helper = Math.abs(n[0]) < 0.9 * Math.hypot(...n) ? [1, 0, 0] : [0, 1, 0];
  const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const u = cross(n, helper);
  const v = cross(n, u);
  const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const angle = (p) => {
    const r = p.map((c, d) => c - centre[d]);
    return Math.atan2(dot(r, v), dot(r, u));
  };
  return unique.sort((p, q) => angle(p) - angle(q));
}

// Which classes a boundary parts, as the legend says it: "class 1 | class 0".
const pairName = (classes, many) => (many ? `boundary class ${classes[0]} | class ${classes[1]}` : "decision boundary");

// Symbols a 3-D scatter knows; a class whose 2-D symbol it lacks takes one of these.
// The 3-D symbols that also have an "-open" form (test points); WebGL draws "x" as a hollow
// box, so class 0 is a diamond there (colour tells the classes past three apart).
const SYMBOLS_3D = ["diamond", "circle", "square"];

// The points of one set (training or test) in the view, by class (or by value).
function pointTraces(coords, labels, t, { test, dims, values }) {
  const at = (d) => (p) => (d < p.length ? p[d] : 0);
  const type = dims === 3 ? "scatter3d" : "scatter";
  const position = (points) => ({
    x: points.map(at(0)),
    y: points.map(dims === 1 ? () => 0 : at(1)),
    ...(dims === 3 ? { z: points.map(at(2)) } : {}),
  });
  const hover = (label) => `${label}${test ? " (test)" : ""} at (${dims === 1 ? "%{x:.3f}" : dims === 2 ? "%{x:.3f}, %{y:.3f}" : "%{x:.3f}, %{y:.3f}, %{z:.3f}"})<extra></extra>`;
  if (values) {
    const [cmin, cmax] = REGRESSION_RANGE;
    return [{
      type,
      mode: "markers",
      name: test ? "test points" : "training points",
      ...position(coords),
      customdata: values,
      marker: {
        symbol: test ? "circle-open" : "circle",
        size: dims === 3 ? (test ? 4 : 5) : test ? 7 : 8,
        color: values,
        colorscale: divergingScale(t),
        cmin,
        cmax,
        showscale: !test,
        colorbar: { thickness: 10, outlinewidth: 0, title: { text: "output", side: "right" }, tickfont: { color: t.fg } },
        line: { color: test ? t.muted : t.fg, width: test ? 1.5 : 0.75 },
      },
      hovertemplate: hover("output %{customdata:.2f}"),
    }];
  }
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  return classes.map((k) => {
    const mine = coords.filter((_, i) => labels[i] === k);
    let symbol = classSymbol(k);
    if (dims === 3) symbol = SYMBOLS_3D[k % SYMBOLS_3D.length];
    const few = labels.length <= 8;
    return {
      type,
      mode: "markers",
      name: `${test ? "test" : "train"} class ${k}`,
      ...position(mine),
      marker: {
        symbol: test ? `${symbol}-open` : symbol,
        size: dims === 3 ? (few ? 8 : 4) : test ? 7 : few ? 14 : 8,
        color: classColour(t, k),
        line: { color: test ? classColour(t, k) : t.panel, width: test ? 1.5 : dims === 3 ? 0 : 1 },
      },
      hovertemplate: hover(`class ${k}`),
    };
  });
}

// Line styles that tell a softmax's pair boundaries apart besides their colour.
const DASHES = ["solid", "dash", "dot", "dashdot", "longdash"];

function boundaryTraces(boundaries, range, t, dims) {
  const many = boundaries.length > 1;
  const out = [];
  boundaries.forEach(({ classes, coefficients, offset }, n) => {
    const name = pairName(classes, many);
    const colour = many ? seriesColour(t, n) : t.fg; // a colour per pair, not a class's
    const hovertemplate = `${name}: the positive side is class ${classes[0]}<extra></extra>`;
    if (dims === 1) {
      const [c] = coefficients;
      if (c === 0) return;
      const x = -offset / c;
      if (x < range[0][0] || x > range[0][1]) return;
      out.push({ type: "scatter", mode: "lines", name, x: [x, x], y: [-1, 1], line: { color: colour, width: 2, dash: DASHES[n % DASHES.length] }, hovertemplate });
    } else if (dims === 2) {
      const segment = clipLine(coefficients, offset, range);
      if (!segment) return;
      out.push({
        type: "scatter", mode: "lines", name,
        x: segment.map((p) => p[0]), y: segment.map((p) => p[1]),
        line: { color: colour, width: 2, dash: DASHES[n % DASHES.length] }, hovertemplate,
      });
    } else {
      const polygon = clipPlane(coefficients, offset, range);
      if (!polygon) return;
      // a fan of triangles from the first corner: the polygon is convex
      const i = [];
      const j = [];
      const k = [];
      for (let m = 1; m + 1 < polygon.length; m += 1) { i.push(0); j.push(m); k.push(m + 1); }
      out.push({
        type: "mesh3d", name, showlegend: true,
        x: polygon.map((p) => p[0]), y: polygon.map((p) => p[1]), z: polygon.map((p) => p[2]),
        i, j, k, color: many ? colour : t.muted, opacity: 0.35, flatshading: true, hovertemplate,
      });
    }
  });
  return out;
}

// An axis' title: the unit's, or the component's with its share of the variance.
export function axisTitles(view) {
  if (view.projection !== "pca") return view.axes;
  return view.axes.map((_, d) => `PCA ${d + 1} (${Math.round((view.explained_variance?.[d] ?? 0) * 100)}% of variance)`);
}

// What the chart says about the view in words (the note under it).
export function spaceNote(view, { regression, layers }) {
  if (!view) return "";
  const where = `Layer ${view.layer + 1} of ${layers}`;
  const parts = [];
  if (view.projection === "pca") {
    parts.push(`${where} has ${view.width} units: this is a projection onto its two principal components (one plane for the whole run), not the units themselves.`);
  } else {
    parts.push(`${where}: each axis is one unit's output.`);
  }
  if (view.boundary) {
    parts.push(view.boundary.length > 1
      ? "Lines: z_i = z_j for each class pair (which pair in the legend); a pair's line is the decision boundary only where those two classes lead."
      : view.projection === "pca"
        ? "The line: where the output's boundary (a hyperplane in the layer) cuts this plane; exact for points on the plane."
        : `The ${view.width === 1 ? "mark" : view.width === 2 ? "line" : "plane"}: the output unit's decision boundary, straight in this layer.`);
  } else if (regression) {
    parts.push(view.values ? "Points coloured by the network's output at each point; a linear output has no boundary." : "Points coloured by their target; only the last layer maps to the output in a straight way.");
  } else {
    parts.push("No straight boundary here: the layers after this one are still non-linear. Pick the last layer to see it.");
  }
  return parts.join(" ");
}

const message = (text, t) => ({
  text, xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false,
  font: { color: t.fg, size: 13 }, bgcolor: t.panel, bordercolor: t.line, borderpad: 6,
});

// A chart that holds only words (no hidden layer, no views, a diverged state).
export function messageFigure(text, t) {
  const layout = baseLayout(t);
  layout.xaxis.visible = false;
  layout.yaxis.visible = false;
  layout.annotations = [message(text, t)];
  layout.uirevision = "hidden-space";
  return { traces: [], layout };
}

// Default view of the 3-D box; the same object every frame, so the camera never jumps (and
// uirevision keeps a turn the learner gave it).
export const CAMERA = { eye: { x: 1.4, y: -1.5, z: 0.8 }, up: { x: 0, y: 0, z: 1 }, center: { x: 0, y: 0, z: 0 } };

// The figure of one view. data: the run's points ({train: {x, y}, test}); range: the axes'
// ranges (spaceRange); labels come from data (classes) unless the run is a regression.
export function hiddenSpaceFigure(view, data, t, { range, showTest = true, regression = false }) {
  if (view === null) return messageFigure("The network diverged at this snapshot: its hidden outputs are not finite numbers.", t);
  const dims = view.train[0]?.length ?? view.axes.length;
  const titles = axisTitles(view);
  const traces = [];
  const value = (own, set) => (regression ? own ?? set?.y ?? null : null);
  traces.push(...pointTraces(view.train, data.train.y, t, { test: false, dims, values: value(view.values, data.train) }));
  if (showTest && view.test && data.test) {
    traces.push(...pointTraces(view.test, data.test.y, t, { test: true, dims, values: value(view.test_values, data.test) }));
  }
  if (view.boundary && range) traces.push(...boundaryTraces(view.boundary, range, t, dims));
  const layout = baseLayout(t, { xTitle: titles[0], yTitle: dims >= 2 ? titles[1] : "" });
  layout.hovermode = "closest";
  layout.legend = { ...layout.legend, y: -0.16 };
  // a zoom or a turn the learner gave the chart stays while the axes do; new axes (another
  // run, layer, or a live session's widened range) start from the figure's own
  layout.uirevision = `hidden-space ${view.layer} ${JSON.stringify(range)}`;
  layout.annotations = [];
  if (dims === 3) {
    const axis = (d) => ({
      title: { text: titles[d] }, range: range?.[d], autorange: !range, gridcolor: t.grid, zerolinecolor: t.line,
      linecolor: t.line, backgroundcolor: "rgba(0,0,0,0)", color: t.fg,
    });
    layout.scene = { xaxis: axis(0), yaxis: axis(1), zaxis: axis(2), aspectmode: "cube", camera: CAMERA, uirevision: layout.uirevision };
    layout.margin = { l: 0, r: 0, t: 40, b: 30 };
    delete layout.xaxis;
    delete layout.yaxis;
  } else {
    if (range) layout.xaxis.range = range[0];
    if (dims === 1) {
      Object.assign(layout.yaxis, { range: [-1, 1], visible: false, fixedrange: true });
    } else {
      if (range) layout.yaxis.range = range[1];
      layout.yaxis.scaleanchor = "x"; // one unit is as long on both axes: the line's angle is true
      layout.xaxis.constrain = "domain";
      layout.yaxis.constrain = "domain";
    }
  }
  if (view.projection === "pca") {
    layout.annotations.push({
      // on the plot's own top edge, which an equal-aspect plot moves away from the paper's
      text: `PCA projection of ${view.width} units`, xref: "x domain", yref: "y domain", x: 0, y: 1, xanchor: "left", yanchor: "bottom",
      showarrow: false, font: { color: t.muted, size: 12 },
    });
  }
  return { traces, layout };
}
