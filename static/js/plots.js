// Data in, Plotly traces and layouts out. Nothing here touches the DOM or the network.
// `t` is the theme from ui.theme(): colours read from the stylesheet, so charts follow it.

export const VANISHING = 0.01; // |f'| below this is the vanishing-gradient zone
export const VIEW_LABELS = { f: "f(x)", df: "f′(x)", d2f: "f″(x)" };
const VIEW_FIELDS = { f: "y", df: "dydx", d2f: "d2ydx2" };
const DASH = { f: "solid", df: "dash", d2f: "dot" };
const LINE_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];
const SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon"];

export function baseLayout(t, { xTitle = "", yTitle = "", yType = "linear", margin = {} } = {}) {
  const axis = (title) => ({
    title: { text: title, standoff: 6 },
    gridcolor: t.grid,
    zerolinecolor: t.line,
    linecolor: t.line,
  });
  return {
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: t.fg, family: t.font, size: 12 },
    margin: { l: yType === "log" ? 78 : 56, r: 12, t: 10, b: 44, ...margin },
    xaxis: axis(xTitle),
    // Log axes: one labelled tick per decade, as powers of ten.
    yaxis: { ...axis(yTitle), type: yType, ...(yType === "log" ? { dtick: 1, exponentformat: "power" } : {}) },
    legend: { orientation: "h", y: -0.18, x: 0, bgcolor: "rgba(0,0,0,0)" },
    hovermode: "x unified",
    hoverlabel: { bgcolor: t.panel, bordercolor: t.line, font: { color: t.fg } },
    modebar: { bgcolor: "rgba(0,0,0,0)", color: t.muted, activecolor: t.fg },
  };
}

export const colour = (t, i) => t.series[i % t.series.length];

// Intervals of x where |f'| < VANISHING, as [start, end] pairs (null f' counts as not vanishing).
export function vanishingIntervals(x, dydx) {
  const intervals = [];
  let start = null;
  for (let i = 0; i < x.length; i += 1) {
    const inside = dydx[i] !== null && Math.abs(dydx[i]) < VANISHING;
    if (inside && start === null) start = i;
    if ((!inside || i === x.length - 1) && start !== null) {
      const end = inside ? i : i - 1;
      if (end > start) intervals.push([x[start], x[end]]);
      start = null;
    }
  }
  return intervals;
}

// Explore: f, f' and f'' of one function, the vanishing zone shaded (and named in the legend).
export function curveFigure(curve, show, t, label) {
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
  const shapes = vanishingIntervals(curve.x, curve.dydx).map(([x0, x1], i) => ({
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
    name: "|f′| < 0.01 (vanishing gradient)",
    showlegend: i === 0,
  }));
  const layout = { ...baseLayout(t, { xTitle: "x", yTitle: label }), shapes };
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
  return { traces, layout: baseLayout(t, { xTitle: "x", yTitle: VIEW_LABELS[view] }) };
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
    margin: { l: 30, r: 8, t: 28, b: 24 },
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
  const layout = { ...baseLayout(t, { xTitle: "logit", yTitle: "share" }), barmode: "group", hovermode: "closest" };
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
  const layout = baseLayout(t, { xTitle: "layer (1 = nearest the input)", yTitle, yType: log ? "log" : "linear" });
  layout.hovermode = "closest";
  return { traces, layout };
}
