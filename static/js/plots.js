// Data in, Plotly traces and layouts out. Nothing here touches the DOM or the network.
// `t` is the theme from ui.theme(): colours read from the stylesheet, so charts follow it.

export const VIEW_LABELS = { f: "f(x)", df: "f′(x)", d2f: "f″(x)" };
// The curve's views by key, in the order pages offer them (the controls' ids end in these).
export const VIEWS = Object.keys(VIEW_LABELS);
const VIEW_FIELDS = { f: "y", df: "dydx", d2f: "d2ydx2" };
const DASH = { f: "solid", df: "dash", d2f: "dot" };
const LINE_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];
const SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon"];

// The chart toolbar (Plotly's modebar, shown on hover or tap) sits in a strip above the plot area,
// so it never covers data, a panel title or a colour bar at any width.
export const TOOLBAR_STRIP = 40;

// `legendBelow`: the legend sits at the bottom of the whole figure and the plot area makes room
// for it, so a legend of many entries never covers the x axis' title (it scrolls past half the
// figure's height). Otherwise it hangs just under the plot area, as the Train page places it.
export function baseLayout(t, { xTitle = "", yTitle = "", yType = "linear", margin = {}, legendBelow = false } = {}) {
  // automargin: long or rotated tick labels push the title and the margin out, never under.
  const axis = (title) => ({
    title: { text: title, standoff: 6 },
    automargin: true,
    gridcolor: t.grid,
    zerolinecolor: t.line,
    linecolor: t.line,
  });
  return {
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: t.fg, family: t.font, size: 12 },
    margin: { l: yType === "log" ? 78 : 56, r: 12, t: TOOLBAR_STRIP, b: 44, ...margin },
    xaxis: axis(xTitle),
    // Log axes label powers of ten; Plotly spaces them by the axis' length in pixels (a fixed
    // dtick of one decade piled 40 labels onto a 300-decade gradient-flow axis).
    yaxis: { ...axis(yTitle), type: yType, ...(yType === "log" ? { exponentformat: "power" } : {}) },
    legend: { orientation: "h", x: 0, bgcolor: "rgba(0,0,0,0)", ...(legendBelow ? { yref: "container", y: 0, yanchor: "bottom" } : { y: -0.18 }) },
    hovermode: "x unified",
    hoverlabel: { bgcolor: t.panel, bordercolor: t.line, font: { color: t.fg } },
    modebar: { bgcolor: "rgba(0,0,0,0)", color: t.muted, activecolor: t.fg },
  };
}

export const colour = (t, i) => t.series[i % t.series.length];

// Every chart's Plotly config. The toolbar keeps image export, zoom, pan and reset; it loses
// the box and lasso selections (nothing here reads a selection) and "Share chart…", which
// would post the chart to a third-party server. `svgButton` is the toolbar's SVG download.
export const REMOVED_BUTTONS = ["select2d", "lasso2d", "sendChartToCloud"];
export function chartConfig(filename, svgButton) {
  return {
    responsive: true,
    displaylogo: false,
    showSendToCloud: false,
    toImageButtonOptions: { format: "png", filename, scale: 2 },
    modeBarButtonsToAdd: [svgButton],
    modeBarButtonsToRemove: REMOVED_BUTTONS,
  };
}

// Intervals of x where |f'| < threshold (the server's saturation threshold), as [start, end]
// pairs (null f' counts as not vanishing).
export function vanishingIntervals(x, dydx, threshold) {
  const intervals = [];
  let start = null;
  for (let i = 0; i < x.length; i += 1) {
    const inside = dydx[i] !== null && Math.abs(dydx[i]) < threshold;
    if (inside && start === null) start = i;
    if ((!inside || i === x.length - 1) && start !== null) {
      const end = inside ? i : i - 1;
      if (end > start) intervals.push([x[start], x[end]]);
      start = null;
    }
  }
  return intervals;
}

// Explore: f, f' and f'' of one function, the zone where |f'| < `vanishing` shaded (and named
// in the legend).
export function curveFigure(curve, show, t, label, vanishing) {
  const traces = ["f", "df", "d2f"]
    .filter((view) => show.includes(view))
    .map((view, i) => ({
      type: "scatter",
      mode: "lines",
      name: VIEW_LABELS[view],
      x: curve.x,
      y: curve[VIEW_FIELDS[view]],
      line: { color: colour(t, i), width: view === "f" ? 3 : 2, dash: DASH[view] },
      connectgaps: false,
      hovertemplate: "%{y:.6g}",
    }));
  const shapes = vanishingIntervals(curve.x, curve.dydx, vanishing).map(([x0, x1], i) => ({
    type: "rect",
    xref: "x",
    yref: "paper",
    x0,
    x1,
    y0: 0,
    y1: 1,
    fillcolor: t.shade,
    line: { width: 0 },
    layer: "below",
    name: `|f′| < ${vanishing} (vanishing gradient)`,
    showlegend: i === 0,
  }));
  const layout = { ...baseLayout(t, { xTitle: "x", yTitle: label, legendBelow: true }), shapes };
  return { traces, layout };
}

// Compare: every function's chosen view on one chart.
export function overlayFigure(curves, view, t) {
  const traces = curves.map((c, i) => ({
    type: "scatter",
    mode: "lines",
    name: c.label,
    x: c.curve.x,
    y: c.curve[VIEW_FIELDS[view]],
    // Dash as well as colour tells the curves apart.
    line: { color: colour(t, i), width: 2.5, dash: LINE_DASHES[i % LINE_DASHES.length] },
    connectgaps: false,
    hovertemplate: "%{y:.5g}",
  }));
  return { traces, layout: baseLayout(t, { xTitle: "x", yTitle: VIEW_LABELS[view], legendBelow: true }) };
}

// Compare: small multiples, one panel per function with f (solid) and f' (dashed).
export function multiplesFigure(curves, t, columns) {
  const rows = Math.max(1, Math.ceil(curves.length / columns));
  const traces = [];
  const annotations = [];
  const layout = {
    ...baseLayout(t),
    grid: { rows, columns, pattern: "independent", xgap: 0.1, ygap: 0.3 },
    showlegend: false,
    hovermode: "closest",
    margin: { l: 30, r: 8, t: TOOLBAR_STRIP + 18, b: 24 },
  };
  curves.forEach((c, i) => {
    const suffix = i === 0 ? "" : String(i + 1);
    for (const [view, width] of [["f", 2.5], ["df", 1.5]]) {
      traces.push({
        type: "scatter",
        mode: "lines",
        name: `${c.label} ${VIEW_LABELS[view]}`,
        x: c.curve.x,
        y: c.curve[VIEW_FIELDS[view]],
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        line: { color: colour(t, i), width, dash: DASH[view] },
        connectgaps: false,
      });
    }
    layout[`xaxis${suffix}`] = { gridcolor: t.grid, zerolinecolor: t.line, tickfont: { size: 9 } };
    layout[`yaxis${suffix}`] = { gridcolor: t.grid, zerolinecolor: t.line, tickfont: { size: 9 } };
    annotations.push({
      text: c.label,
      showarrow: false,
      xref: `x${suffix} domain`,
      yref: `y${suffix} domain`,
      x: 0.5,
      y: 1,
      yanchor: "bottom",
      font: { size: 11, color: t.fg },
    });
  });
  layout.annotations = annotations;
  return { traces, layout };
}

// Softmax: probabilities next to the naive "divide by the sum" (which may be negative or
// undefined: shown as gaps, with the reason in the hover text).
export function softmaxFigure(logits, probabilities, naive, t) {
  const labels = logits.map((_, i) => `z${i + 1}`);
  const traces = [
    {
      type: "bar",
      name: "softmax: exp(zᵢ/T) / Σ exp(zⱼ/T)",
      x: labels,
      y: probabilities,
      marker: { color: colour(t, 0) },
      hovertemplate: "%{y:.4f}<extra>softmax</extra>",
    },
    {
      type: "bar",
      name: "naive: zᵢ / Σ zⱼ",
      x: labels,
      y: naive,
      marker: { color: colour(t, 1), pattern: { shape: "/" } },
      hovertemplate: "%{y:.4f}<extra>naive</extra>",
    },
  ];
  const layout = { ...baseLayout(t, { xTitle: "logit", yTitle: "share", legendBelow: true }), barmode: "group", hovermode: "closest" };
  layout.shapes = [
    { type: "line", xref: "paper", x0: 0, x1: 1, y0: 0, y1: 0, line: { color: t.fg, width: 1 } },
  ];
  return { traces, layout };
}

function categoryHeatmapLayout(t, { xTitle, yTitle }) {
  const layout = baseLayout(t, { xTitle, yTitle });
  layout.hovermode = "closest";
  layout.xaxis = { ...layout.xaxis, type: "category", showgrid: false };
  layout.yaxis = { ...layout.yaxis, type: "category", autorange: "reversed", showgrid: false };
  return layout;
}

export function jacobianFigure(jacobian, t) {
  const columns = jacobian.map((_, j) => `z${j + 1}`);
  const rows = jacobian.map((_, i) => `p${i + 1}`);
  const limit = Math.max(1e-12, ...jacobian.flat().map(Math.abs));
  const traces = [
    {
      type: "heatmap",
      name: "∂pᵢ/∂zⱼ",
      z: jacobian,
      x: columns,
      y: rows,
      zmin: -limit,
      zmax: limit,
      colorscale: "RdBu",
      reversescale: true,
      hovertemplate: "∂%{y}/∂%{x} = %{z:.4f}<extra></extra>",
      colorbar: { thickness: 10, outlinewidth: 0, tickfont: { color: t.fg } },
    },
  ];
  return { traces, layout: categoryHeatmapLayout(t, { xTitle: "logit j", yTitle: "probability i" }) };
}

// A log axis over these values: Plotly labels every digit (1, 2, ..., 9) of a range between one
// and two decades, which overlap on a short axis; 1, 2 and 5 per decade stay apart. Shorter and
// longer ranges keep Plotly's own spacing (within a decade, or whole decades by the axis length).
export function logTicks(values) {
  const logs = values.filter((v) => v !== null && v > 0).map(Math.log10);
  if (logs.length === 0) return {};
  const decades = Math.max(...logs) - Math.min(...logs);
  return decades >= 1 && decades < 2 ? { dtick: "D2" } : {};
}

// Ticks for a whole-number axis from 1 to n: every number while they fit, else a round step.
export function countTicks(n, most = 10) {
  const dtick = [1, 2, 5, 10, 20, 50, 100].find((step) => n / step <= most) ?? Math.ceil(n / most);
  return { tick0: dtick === 1 ? 1 : 0, dtick };
}

// Gradient flow: one line per (activation, init) over layer number. Zeros and nulls are gaps on
// a log axis; colour and marker tell activations apart, line style tells inits apart.
export function layerFigure(series, field, t, { log, yTitle }) {
  const traces = series.map((s) => ({
    type: "scatter",
    mode: "lines+markers",
    name: `${s.label} · ${s.init}`,
    x: s.flow.layer,
    y: s.flow[field].map((v) => (log && v !== null && v <= 0 ? null : v)),
    line: { color: colour(t, s.colour), width: 2, dash: LINE_DASHES[s.initIndex % LINE_DASHES.length] },
    marker: { symbol: SYMBOLS[s.colour % SYMBOLS.length], size: 6 },
    connectgaps: false,
    hovertemplate: "layer %{x}: %{y:.3g}",
  }));
  const layout = baseLayout(t, { xTitle: "layer (1 = nearest the input)", yTitle, yType: log ? "log" : "linear", legendBelow: true });
  if (log) layout.yaxis = { ...layout.yaxis, ...logTicks(traces.flatMap((trace) => trace.y)) };
  const depth = Math.max(1, ...series.map((s) => s.flow.layer.length));
  layout.xaxis = { ...layout.xaxis, ...countTicks(depth), range: [0.5, depth + 0.5] };
  layout.hovermode = "closest";
  return { traces, layout };
}

// Sweep: one category per activation. Side by side while their names fit across the chart,
// else one row each (`horizontal`), so every name stays readable at any count and width.
// Every activation keeps its place, in the request's order, with or without data.
function categoryAxes(layout, names, horizontal, valueAxis) {
  const n = names.length;
  const category = { ...layout.xaxis, type: "category", categoryorder: "array", categoryarray: names, automargin: true };
  if (!horizontal) {
    layout.xaxis = { ...category, range: [-0.5, n - 0.5] };
    return;
  }
  layout.xaxis = { ...layout.yaxis, ...valueAxis };
  layout.yaxis = { ...category, title: { text: "" }, range: [n - 0.5, -0.5] };
}

export function successFigure(results, labels, t, { horizontal = false } = {}) {
  const names = results.map((r) => labels(r));
  const rates = results.map((r) => r.success_rate);
  const traces = [{
    type: "bar",
    name: "success rate",
    orientation: horizontal ? "h" : "v",
    x: horizontal ? rates : names,
    y: horizontal ? names : rates,
    marker: { color: results.map((_, i) => colour(t, i)) },
    text: results.map((r) => `${Math.round(r.success_rate * 100)} %`),
    textposition: "outside",
    cliponaxis: false,
    hovertemplate: horizontal ? "%{y}: %{x:.0%} of seeds<extra></extra>" : "%{x}: %{y:.0%} of seeds<extra></extra>",
  }];
  const layout = baseLayout(t, { yTitle: "success rate" });
  layout.yaxis.range = [0, 1.12];
  layout.yaxis.tickformat = ".0%";
  categoryAxes(layout, names, horizontal, { range: [0, 1.18] });
  layout.hovermode = "closest";
  layout.showlegend = false;
  return { traces, layout };
}

// Sweep: epochs to converge over the seeds that converged, as box plots of the raw values.
export function convergeFigure(results, labels, t, { horizontal = false } = {}) {
  const traces = results.map((r, i) => {
    const epochs = r.per_seed.epochs_to_converge.filter((v) => v !== null);
    const names = epochs.map(() => labels(r));
    return {
      type: "box",
      name: labels(r),
      orientation: horizontal ? "h" : "v",
      x: horizontal ? epochs : names,
      y: horizontal ? names : epochs,
      boxpoints: "all",
      jitter: 0.4,
      pointpos: 0,
      marker: { color: colour(t, i), size: 4 },
      line: { color: colour(t, i) },
      hovertemplate: horizontal ? "%{x} epochs<extra>%{y}</extra>" : "%{y} epochs<extra>%{x}</extra>",
    };
  });
  const layout = baseLayout(t, { yTitle: "epochs to converge" });
  categoryAxes(layout, results.map((r) => labels(r)), horizontal, {});
  layout.showlegend = false;
  layout.hovermode = "closest";
  return { traces, layout };
}

const withAlpha = (hex, alpha) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
};

// Sweep: the median training loss over the seeds with its 10–90 % band, per activation, on a
// log axis. Overlaid, every band comes before every median, so each median line stays on top of
// all the bands; each band is its activation's colour, faint. As panels (`columns` across), one
// activation per panel on shared axes: bands that overlap in one chart stay readable apart.
// curve "r2_curve" (a regression sweep): the R² bands instead, on a linear axis up to 1.
export function bandsFigure(epochs, results, labels, t, { panels = false, columns = 1, curve = "loss_curve" } = {}) {
  const r2 = curve === "r2_curve";
  const positive = r2 ? (values) => values : (values) => values.map((v) => (v !== null && v > 0 ? v : null));
  const axes = (i) => (panels && i > 0 ? { xaxis: `x${i + 1}`, yaxis: `y${i + 1}` } : {});
  const bands = [];
  const medians = [];
  results.forEach((r, i) => {
    const c = colour(t, i);
    const name = labels(r);
    const edge = { type: "scatter", mode: "lines", x: epochs, line: { width: 0, color: c }, showlegend: false, hoverinfo: "skip", legendgroup: name, ...axes(i) };
    bands.push({ ...edge, name: `${name} p10`, y: positive(r[curve].p10) });
    bands.push({ ...edge, name: `${name} p90`, y: positive(r[curve].p90), fill: "tonexty", fillcolor: withAlpha(c, panels ? 0.3 : 0.14) });
    medians.push({
      type: "scatter",
      mode: "lines",
      name,
      x: epochs,
      y: positive(r[curve].median),
      line: { width: 2.5, color: c, dash: panels ? "solid" : LINE_DASHES[i % LINE_DASHES.length] },
      legendgroup: name,
      hovertemplate: "epoch %{x}: %{y:.3g}",
      ...axes(i),
    });
  });
  const yTitle = r2 ? "training R² (median over seeds)" : "training loss (median over seeds)";
  const yType = r2 ? "linear" : "log";
  // R² can start far below 0; from -1 up the learning shows
  const lowest = Math.min(0, ...bands.flatMap((band) => band.y).filter((v) => v !== null));
  const ticks = r2 ? { range: [Math.max(-1, lowest) - 0.03, 1.03] } : logTicks(bands.flatMap((band) => band.y));
  if (!panels) {
    const layout = baseLayout(t, { xTitle: "epoch", yTitle, yType, legendBelow: true });
    layout.yaxis = { ...layout.yaxis, ...ticks };
    return { traces: [...bands, ...medians], layout };
  }
  // Band and median of one activation go together, each in its own panel.
  const traces = results.flatMap((_, i) => [bands[2 * i], bands[2 * i + 1], medians[i]]);
  const rows = Math.max(1, Math.ceil(results.length / columns));
  const layout = {
    ...baseLayout(t),
    grid: { rows, columns, pattern: "independent", xgap: 0.08, ygap: 0.35 / Math.sqrt(rows) },
    showlegend: false,
    hovermode: "closest",
    margin: { l: 70, r: 12, t: TOOLBAR_STRIP + 18, b: 40 },
    annotations: results.map((r, i) => ({
      text: labels(r),
      showarrow: false,
      xref: `x${i === 0 ? "" : i + 1} domain`,
      yref: `y${i === 0 ? "" : i + 1} domain`,
      x: 0.5,
      y: 1,
      yanchor: "bottom",
      font: { size: 12, color: colour(t, i) },
    })),
  };
  results.forEach((_, i) => {
    const suffix = i === 0 ? "" : String(i + 1);
    const axis = { gridcolor: t.grid, zerolinecolor: t.line, linecolor: t.line, tickfont: { size: 10 } };
    layout[`xaxis${suffix}`] = { ...axis, ...(i ? { matches: "x" } : {}) };
    layout[`yaxis${suffix}`] = { ...axis, type: yType, exponentformat: "power", ...ticks, ...(i ? { matches: "y" } : {}) };
  });
  layout.yaxis.title = { text: rows > 1 ? (r2 ? "R²" : "loss") : yTitle, standoff: 6 };
  layout[`xaxis${results.length === 1 ? "" : results.length}`].title = { text: "epoch", standoff: 4 };
  return { traces, layout };
}
