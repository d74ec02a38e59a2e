// The network as an SVG: inputs, hidden units drawn as thumbnails of their output over the
// plane (as in the TensorFlow Playground), links coloured by sign and sized by |weight|.
// Every unit is focusable and names its bias, flags and incoming weights; links show their
// weight on hover. Dead and saturated units carry a letter, not only a colour.

const SVG = "http://www.w3.org/2000/svg";
const NODE = 40;
const COLUMN = 150;
const ROW = 52;

function svg(tag, attributes = {}, children = []) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) {
    // A style attribute is inline style, which the CSP refuses; CSSOM is not.
    if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

const title = (text) => {
  const node = svg("title");
  node.textContent = text;
  return node;
};

// Diverging colour for v in [-1, 1]: orange below 0, blue above, white at 0.
export function diverging(v, t) {
  const a = Math.max(-1, Math.min(1, v));
  const [r, g, b] = a < 0 ? hex(t.class0) : hex(t.class1);
  const w = 1 - Math.abs(a);
  const base = t.dark ? [26, 30, 39] : [255, 255, 255];
  return [0, 1, 2].map((i) => Math.round([r, g, b][i] * (1 - w) + base[i] * w));
}

function hex(colour) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour.trim());
  return m ? [1, 2, 3].map((i) => parseInt(m[i], 16)) : [128, 128, 128];
}

// A unit's output over the thumbnail grid (rows x columns) as a PNG data URL.
export function thumbnail(values, t) {
  const rows = values.length;
  const cols = values[0].length;
  const canvas = document.createElement("canvas");
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(cols, rows);
  let scale = 0;
  for (const row of values) for (const v of row) if (v !== null) scale = Math.max(scale, Math.abs(v));
  scale = scale || 1;
  values.forEach((row, i) =>
    row.forEach((v, j) => {
      // Row 0 is the lowest x2: draw it at the bottom, as on the chart.
      const k = ((rows - 1 - i) * cols + j) * 4;
      const [r, g, b] = v === null ? [128, 128, 128] : diverging(v / scale, t);
      image.data.set([r, g, b, 255], k);
    }),
  );
  ctx.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

// layers: [{W, b}] (hidden layers then the output layer); inputs: feature labels;
// thumbs[l][u]: output grid of hidden unit u of layer l (or undefined); flags[l][u]: {dead, saturated}.
// `saturatedBelow`: the server's saturation threshold, for the words of an S unit.
export function drawNetwork(container, { layers, inputs, thumbs, flags, activation, saturatedBelow }, t, onFocusText) {
  const sizes = [inputs.length, ...layers.map((layer) => layer.b.length)];
  const tallest = Math.max(...sizes);
  const width = COLUMN * (sizes.length - 1) + NODE + 90;
  const height = Math.max(ROW * tallest, 2 * ROW) + 30;
  const position = (l, u) => [60 + COLUMN * l, 10 + (height - 30 - ROW * sizes[l]) / 2 + ROW * u + (ROW - NODE) / 2];
  const maxWeight = Math.max(1e-12, ...layers.flatMap((layer) => layer.W.flat().map(Math.abs)));
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "group", "aria-label": "Network diagram" });

  const links = svg("g", { "aria-hidden": "true" });
  layers.forEach((layer, l) => {
    layer.W.forEach((row, i) =>
      row.forEach((w, j) => {
        const [x1, y1] = position(l, i);
        const [x2, y2] = position(l + 1, j);
        links.append(svg("line", {
          class: "link", x1: x1 + NODE, y1: y1 + NODE / 2, x2, y2: y2 + NODE / 2,
          stroke: w >= 0 ? t.class1 : t.class0,
          "stroke-width": (0.5 + 5.5 * Math.abs(w) / maxWeight).toFixed(2),
          "stroke-opacity": 0.75,
          "stroke-dasharray": w >= 0 ? "" : "5 3", // sign by pattern too, not only colour
        }, [title(`w = ${w.toPrecision(4)} (${unitName(l, i, sizes, inputs)} → ${unitName(l + 1, j, sizes, inputs)})`)]));
      }),
    );
  });
  root.append(links);

  sizes.forEach((size, l) => {
    for (let u = 0; u < size; u += 1) {
      const [x, y] = position(l, u);
      const name = unitName(l, u, sizes, inputs);
      const incoming = l === 0 ? [] : layers[l - 1].W.map((row, i) => `${unitName(l - 1, i, sizes, inputs)} ${row[u].toPrecision(3)}`);
      const flag = l > 0 && l < sizes.length - 1 ? flags?.[l - 1]?.[u] ?? {} : {};
      const notes = [flag.dead ? "dead (0 on every training input)" : "", flag.saturated ? `saturated (|f′| < ${saturatedBelow} on every input)` : ""].filter(Boolean);
      const bias = l === 0 ? "" : `bias ${layers[l - 1].b[u].toPrecision(3)}`;
      const label = [name, bias, ...notes, incoming.length ? `incoming: ${incoming.join(", ")}` : ""].filter(Boolean).join("; ");
      const group = svg("g", { tabindex: 0, role: "img", "aria-label": label, class: "unit" }, [title(label)]);
      const picture = l > 0 && l < sizes.length - 1 ? thumbs?.[l - 1]?.[u] : null;
      group.append(svg("rect", {
        x, y, width: NODE, height: NODE, rx: 4, fill: t.panel,
        stroke: flag.dead ? t.error : t.line, "stroke-width": flag.dead || flag.saturated ? 3 : 1,
        "stroke-dasharray": flag.dead ? "4 2" : flag.saturated ? "1 2" : "",
      }));
      if (picture) group.append(svg("image", { href: picture, x: x + 2, y: y + 2, width: NODE - 4, height: NODE - 4, preserveAspectRatio: "none", style: "image-rendering: pixelated" }));
      else group.append(svg("text", { x: x + NODE / 2, y: y + NODE / 2 + 4, "text-anchor": "middle", class: "unit-label" }, [l === 0 ? inputs[u] : "out"]));
      if (flag.dead || flag.saturated) {
        group.append(svg("text", { x: x + NODE + 3, y: y + 11, class: "flag", fill: flag.dead ? t.error : t.fg }, [flag.dead ? "D" : "S"]));
      }
      group.addEventListener("focus", () => onFocusText?.(label));
      root.append(group);
    }
    const heading = l === 0 ? "inputs" : l === sizes.length - 1 ? "output" : `${activation} ${l}`;
    root.append(svg("text", { x: position(l, 0)[0] + NODE / 2, y: height - 2, "text-anchor": "middle", class: "unit-label" }, [heading]));
  });
  container.replaceChildren(root);
}

function unitName(l, u, sizes, inputs) {
  if (l === 0) return inputs[u];
  if (l === sizes.length - 1) return sizes[l] === 1 ? "output" : `output ${u + 1}`;
  return `h${l}.${u + 1}`;
}
