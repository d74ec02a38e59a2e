// The live boundary chart, fast: the same figure boundaryFigure builds, with each heatmap
// painted into a picture (one pixel per grid cell, as a layout image under the points) and each
// contour traced as a line (marching squares). Plotly's heatmap and contour recompute their
// whole trace on every Plotly.react: about 25 and 20 ms a frame on a 50 x 50 grid in Chromium,
// against about 5 ms for a changed layout image (measured, README "Live training"), and a live
// session draws up to 30 frames a second. Pure but for `paint` (the page passes a canvas), so
// node tests it (tests/js/boundary-raster.test.js).

// "#rrggbb" or "rgb(r, g, b)" -> [r, g, b].
export function rgbOf(colour) {
  const text = String(colour).trim();
  const hex = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (hex) return [1, 2, 3].map((i) => parseInt(hex[i], 16));
  const rgb = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/i.exec(text);
  if (rgb) return [1, 2, 3].map((i) => Math.round(Number(rgb[i])));
  return [128, 128, 128];
}

// The colour of value v on a Plotly colour scale [[fraction, colour], ...] over [zmin, zmax].
export function colourAt(scale, v, zmin, zmax) {
  const f = zmax > zmin ? Math.max(0, Math.min(1, (v - zmin) / (zmax - zmin))) : 0.5;
  for (let k = 1; k < scale.length; k += 1) {
    const [f1, c1] = scale[k];
    if (f <= f1 || k === scale.length - 1) {
      const [f0, c0] = scale[k - 1];
      const w = f1 > f0 ? (f - f0) / (f1 - f0) : 0;
      const a = rgbOf(c0);
      const b = rgbOf(c1);
      return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * Math.max(0, Math.min(1, w))));
    }
  }
  return rgbOf(scale[0][1]);
}

// Colours looked up, not interpolated per cell: the scale in this many steps.
const STEPS = 256;

// A heatmap's z (rows from the lowest x2 up) as RGBA bytes, the top row first (as an image is
// drawn), each cell `scale` x `scale` pixels, blended over `under` at the trace's opacity.
export function heatmapPixels({ z, zmin, zmax, colorscale, opacity = 1 }, under, scale = 1) {
  const rows = z.length;
  const cols = z[0].length;
  const width = cols * scale;
  const pixels = new Uint8ClampedArray(width * rows * scale * 4);
  const base = rgbOf(under);
  const table = Array.from({ length: STEPS }, (_, k) =>
    colourAt(colorscale, k / (STEPS - 1), 0, 1).map((v, i) => Math.round(v * opacity + base[i] * (1 - opacity))));
  const span = zmax > zmin ? zmax - zmin : 1;
  for (let i = 0; i < rows; i += 1) {
    for (let j = 0; j < cols; j += 1) {
      const f = Math.max(0, Math.min(1, (z[i][j] - zmin) / span));
      const c = table[Math.round(f * (STEPS - 1))];
      for (let di = 0; di < scale; di += 1) {
        const row = (rows - 1 - i) * scale + di;
        for (let dj = 0; dj < scale; dj += 1) {
          const k = (row * width + j * scale + dj) * 4;
          pixels[k] = c[0];
          pixels[k + 1] = c[1];
          pixels[k + 2] = c[2];
          pixels[k + 3] = 255;
        }
      }
    }
  }
  return { width, height: rows * scale, pixels };
}

// Where z crosses `level` on the grid (x[j], y[i]): line segments joined into one line with
// gaps (null) between pieces, marching squares with the crossing interpolated on each edge.
export function levelLine(x, y, z, level) {
  const xs = [];
  const ys = [];
  const at = (i0, j0, i1, j1) => {
    const a = z[i0][j0] - level;
    const b = z[i1][j1] - level;
    const w = a === b ? 0.5 : a / (a - b);
    return [x[j0] + (x[j1] - x[j0]) * w, y[i0] + (y[i1] - y[i0]) * w];
  };
  for (let i = 0; i + 1 < z.length; i += 1) {
    for (let j = 0; j + 1 < z[0].length; j += 1) {
      // corners: 0 (i, j), 1 (i, j+1), 2 (i+1, j+1), 3 (i+1, j); edges between them
      const above = [z[i][j], z[i][j + 1], z[i + 1][j + 1], z[i + 1][j]].map((v) => v > level);
      const edges = [[i, j, i, j + 1], [i, j + 1, i + 1, j + 1], [i + 1, j, i + 1, j + 1], [i, j, i + 1, j]];
      const crossed = edges.filter((_, k) => above[k] !== above[(k + 1) % 4]);
      // two crossings: one segment; four (a saddle): two, paired by the corners beside each
      for (let k = 0; k + 1 < crossed.length; k += 2) {
        const [p, q] = [at(...crossed[k]), at(...crossed[k + 1])];
        xs.push(p[0], q[0], null);
        ys.push(p[1], q[1], null);
      }
    }
  }
  return { x: xs, y: ys };
}

// The figure with the heatmap painted into a layout image and each contour drawn into that
// picture as a line; `paint(width, height, pixels, lines)` makes an image source (a data URL) of
// RGBA bytes with `lines` ([{x, y, colour, width}] in pixels, null for a gap) stroked on top.
// Plotly recomputes a trace whose arrays are new objects, even with the same numbers (about
// 40 ms for the spiral's 500 points): so every other trace is taken from `cache` (a Map kept
// by the caller) when it is the same as last frame's, and only the image changes from frame to
// frame. The legend keeps the contour's entry and the colour bar the heatmap's scale, on empty
// traces that never change.
export function rasterised({ traces, layout }, t, paint, cache = new Map()) {
  const heat = traces.find((trace) => trace.type === "heatmap");
  const out = [];
  const seen = new Map();
  const keep = (trace) => {
    const key = JSON.stringify(trace);
    const same = cache.get(key) ?? trace;
    seen.set(key, same);
    out.push(same);
  };
  let images = [];
  if (heat) {
    const n = heat.x.length;
    const m = heat.y.length;
    const dx = n > 1 ? (heat.x[n - 1] - heat.x[0]) / (n - 1) : 1;
    const dy = m > 1 ? (heat.y[m - 1] - heat.y[0]) / (m - 1) : 1;
    // four pixels a cell: the line stays fine, and a decided class keeps sharp cells
    const scale = 4;
    const { width, height, pixels } = heatmapPixels(heat, t.panel, scale);
    const x0 = heat.x[0] - dx / 2;
    const top = heat.y[m - 1] + dy / 2;
    const toPixels = (xs, ys) => ({
      x: xs.map((v) => (v === null ? null : ((v - x0) / (dx * n)) * width)),
      y: ys.map((v) => (v === null ? null : ((top - v) / (dy * m)) * height)),
    });
    const lines = traces.filter((trace) => trace.type === "contour").map((trace) => ({
      ...toPixels(...Object.values(levelLine(trace.x, trace.y, trace.z, trace.contours.start))), colour: trace.line.color, width: trace.line.width,
    }));
    images = [{
      source: paint(width, height, pixels, lines), xref: "x", yref: "y", layer: "below", sizing: "stretch",
      x: x0, y: top, sizex: dx * n, sizey: dy * m, name: heat.name,
    }];
  }
  for (const trace of traces) {
    if (trace.type === "heatmap") {
      if (trace.showscale !== false && trace.colorbar) {
        keep({
          type: "scatter", mode: "markers", name: trace.name, x: [null], y: [null], showlegend: false, hoverinfo: "skip",
          marker: { color: [trace.zmin, trace.zmax], cmin: trace.zmin, cmax: trace.zmax, colorscale: trace.colorscale, showscale: true, colorbar: trace.colorbar },
        });
      }
    } else if (trace.type === "contour") {
      keep({ type: "scatter", mode: "lines", name: trace.name, x: [null], y: [null], line: { color: trace.line.color, width: trace.line.width }, hoverinfo: "skip" });
    } else {
      keep(trace);
    }
  }
  cache.clear();
  for (const [key, trace] of seen) cache.set(key, trace);
  return { traces: out, layout: { ...layout, images } };
}
