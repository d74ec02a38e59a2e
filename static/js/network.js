// The network as an SVG: inputs, hidden units drawn as thumbnails of their output over the
// plane (as in the TensorFlow Playground), links coloured by sign and sized by |weight|, and
// every bias (the output unit's too) as a small square on its unit's corner.
// Every unit is focusable and names its bias, flags and incoming weights; hovering or focusing
// a hidden unit tells the page (onUnit), which shows its output large. Every link and bias is a
// button: a click or Enter asks the page to edit it (onEdit). Dead and saturated units carry a
// letter, not only a colour.
//
// A live session redraws the diagram up to 30 times a second: while the layer sizes stay the
// same the SVG is kept and only its colours, widths, pictures and words change, so focus, hover
// and an open edit box survive a frame.

const SVG = "http://www.w3.org/2000/svg";
const NODE = 40;
const BIAS = 10;
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

export function unitName(l, u, sizes, inputs) {
  if (l === 0) return inputs[u];
  if (l === sizes.length - 1) return sizes[l] === 1 ? "output" : `output ${u + 1}`;
  return `h${l}.${u + 1}`;
}

// What a link or a bias is, in words (its title, its button's name, the edit box's label).
export const weightText = (from, to, w) => `weight ${from} → ${to} = ${w.toPrecision(4)}`;
export const biasText = (unit, b) => `bias of ${unit} = ${b.toPrecision(4)}`;

const activate = (node, handler) => {
  node.addEventListener("click", handler);
  node.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      handler();
    }
  });
};

// layers: [{W, b}] (hidden layers then the output layer); inputs: feature labels;
// thumbs[l][u]: output grid of hidden unit u of layer l (or undefined); flags[l][u]: {dead, saturated}.
// `saturatedBelow`: the server's saturation threshold, for the words of an S unit.
// onFocusText(text): a unit got focus; onUnit({layer, unit, name} | null): a hidden unit is
// hovered or focused (layer 0 = the first hidden layer), or no longer; onEdit({layer, kind,
// from_unit, to_unit, value, label, anchor}): a link or bias was clicked (layer as the live
// `edit` command counts it: 0 = the weights into the first hidden layer).
export function drawNetwork(container, spec, t, onFocusText, { onUnit = null, onEdit = null } = {}) {
  const sizes = [spec.inputs.length, ...spec.layers.map((layer) => layer.b.length)];
  const key = JSON.stringify([sizes, spec.inputs, spec.activation, t.dark, t.class0, t.class1, Boolean(onEdit)]);
  let net = container.networkView;
  if (!net || net.key !== key || !container.contains(net.root)) {
    net = build(sizes, spec, t, { onFocusText, onUnit, onEdit });
    net.key = key;
    container.networkView = net;
    container.replaceChildren(net.root);
  }
  net.handlers.onFocusText = onFocusText;
  net.handlers.onUnit = onUnit;
  net.handlers.onEdit = onEdit;
  update(net, sizes, spec, t);
}

function build(sizes, { inputs, activation }, t, handlers) {
  const tallest = Math.max(...sizes);
  const width = COLUMN * (sizes.length - 1) + NODE + 90;
  const height = Math.max(ROW * tallest, 2 * ROW) + 30;
  const position = (l, u) => [60 + COLUMN * l, 10 + (height - 30 - ROW * sizes[l]) / 2 + ROW * u + (ROW - NODE) / 2];
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "group", "aria-label": "Network diagram" });
  const net = { root, handlers, links: [], units: [], biases: [] };
  const edits = Boolean(handlers.onEdit);

  const links = svg("g", { class: "links" });
  for (let l = 0; l < sizes.length - 1; l += 1) {
    for (let i = 0; i < sizes[l]; i += 1) {
      for (let j = 0; j < sizes[l + 1]; j += 1) {
        const [x1, y1] = position(l, i);
        const [x2, y2] = position(l + 1, j);
        const ends = { x1: x1 + NODE, y1: y1 + NODE / 2, x2, y2: y2 + NODE / 2 };
        const line = svg("line", { class: "link-line", ...ends, "stroke-opacity": 0.75 });
        const tip = title("");
        // a band 12 px high around the line: a thin link is still easy to hit, and a level one
        // still has a box for its focus ring
        const band = `M${ends.x1},${ends.y1 - 6} L${ends.x2},${ends.y2 - 6} L${ends.x2},${ends.y2 + 6} L${ends.x1},${ends.y1 + 6} Z`;
        const hit = svg("path", { class: "link-hit", d: band, fill: "transparent" });
        const group = svg("g", edits ? { class: "link", tabindex: 0, role: "button" } : { class: "link", "aria-hidden": "true" }, [line, hit, tip]);
        const link = { group, line, tip, l, i, j, from: unitName(l, i, sizes, inputs), to: unitName(l + 1, j, sizes, inputs) };
        if (edits) {
          activate(group, () => handlers.onEdit?.({
            layer: l, kind: "weight", from_unit: i, to_unit: j, value: link.value, label: `Weight ${link.from} → ${link.to}`, anchor: group,
          }));
        }
        net.links.push(link);
        links.append(group);
      }
    }
  }
  root.append(links);

  sizes.forEach((size, l) => {
    for (let u = 0; u < size; u += 1) {
      const [x, y] = position(l, u);
      const name = unitName(l, u, sizes, inputs);
      const tip = title("");
      const group = svg("g", { tabindex: 0, role: "img", class: "unit", "data-unit": name }, [tip]);
      const frame = svg("rect", { x, y, width: NODE, height: NODE, rx: 4, fill: t.panel });
      group.append(frame);
      const hidden = l > 0 && l < sizes.length - 1;
      const picture = hidden ? svg("image", { x: x + 2, y: y + 2, width: NODE - 4, height: NODE - 4, preserveAspectRatio: "none", style: "image-rendering: pixelated" }) : null;
      if (picture) group.append(picture);
      else group.append(svg("text", { x: x + NODE / 2, y: y + NODE / 2 + 4, "text-anchor": "middle", class: "unit-label" }, [l === 0 ? inputs[u] : "out"]));
      const flag = svg("text", { x: x + NODE + 3, y: y + 11, class: "flag" });
      group.append(flag);
      const unit = { group, tip, frame, picture, flag, l, u, name };
      group.addEventListener("focus", () => net.handlers.onFocusText?.(unit.label));
      if (hidden) {
        const enter = () => net.handlers.onUnit?.({ layer: l - 1, unit: u, name });
        const leave = () => net.handlers.onUnit?.(null);
        group.addEventListener("mouseenter", enter);
        group.addEventListener("focus", enter);
        group.addEventListener("mouseleave", leave);
        group.addEventListener("blur", leave);
      }
      net.units.push(unit);
      root.append(group);
      if (l > 0) {
        // the Playground's bias square, on the unit's lower left corner; the output's too (#90)
        const square = svg("rect", { class: "bias-square", x: x - BIAS / 2, y: y + NODE - BIAS / 2, width: BIAS, height: BIAS });
        const biasTip = title("");
        const holder = svg("g", edits ? { class: "bias", tabindex: 0, role: "button" } : { class: "bias", "aria-hidden": "true" }, [square, biasTip]);
        const bias = { group: holder, square, tip: biasTip, l: l - 1, u, name };
        if (edits) {
          activate(holder, () => handlers.onEdit?.({
            layer: l - 1, kind: "bias", from_unit: null, to_unit: u, value: bias.value, label: `Bias of ${name}`, anchor: holder,
          }));
        }
        net.biases.push(bias);
        root.append(holder);
      }
    }
    const heading = l === 0 ? "inputs" : l === sizes.length - 1 ? "output" : `${activation} ${l}`;
    root.append(svg("text", { x: position(l, 0)[0] + NODE / 2, y: height - 2, "text-anchor": "middle", class: "unit-label" }, [heading]));
  });
  return net;
}

const setText = (node, text) => {
  if (node.textContent !== text) node.textContent = text;
};

function update(net, sizes, { layers, inputs, thumbs, flags, saturatedBelow }, t) {
  const maxWeight = Math.max(1e-12, ...layers.flatMap((layer) => layer.W.flat().map(Math.abs)));
  const maxBias = Math.max(1e-12, ...layers.flatMap((layer) => layer.b.map(Math.abs)));
  const hint = net.handlers.onEdit ? "; press Enter or click to type a new value" : "";
  for (const link of net.links) {
    const w = layers[link.l].W[link.i][link.j];
    link.value = w;
    link.line.setAttribute("stroke", w >= 0 ? t.class1 : t.class0);
    link.line.setAttribute("stroke-width", (0.5 + 5.5 * Math.abs(w) / maxWeight).toFixed(2));
    link.line.setAttribute("stroke-dasharray", w >= 0 ? "" : "5 3"); // sign by pattern too, not only colour
    const text = weightText(link.from, link.to, w);
    setText(link.tip, text);
    if (net.handlers.onEdit) link.group.setAttribute("aria-label", `${text}${hint}`);
  }
  for (const bias of net.biases) {
    const b = layers[bias.l].b[bias.u];
    bias.value = b;
    const [r, g, bl] = diverging(b / maxBias, t);
    bias.square.setAttribute("fill", `rgb(${r}, ${g}, ${bl})`);
    bias.square.setAttribute("stroke", b >= 0 ? t.class1 : t.class0);
    const text = biasText(bias.name, b);
    setText(bias.tip, text);
    if (net.handlers.onEdit) bias.group.setAttribute("aria-label", `${text}${hint}`);
  }
  for (const unit of net.units) {
    const { l, u } = unit;
    const incoming = l === 0 ? [] : layers[l - 1].W.map((row, i) => `${unitName(l - 1, i, sizes, inputs)} ${row[u].toPrecision(3)}`);
    const hidden = l > 0 && l < sizes.length - 1;
    const flag = hidden ? flags?.[l - 1]?.[u] ?? {} : {};
    const notes = [flag.dead ? "dead (0 on every training input)" : "", flag.saturated ? `saturated (|f′| < ${saturatedBelow} on every input)` : ""].filter(Boolean);
    const bias = l === 0 ? "" : `bias ${layers[l - 1].b[u].toPrecision(3)}`;
    const label = [unit.name, bias, ...notes, incoming.length ? `incoming: ${incoming.join(", ")}` : ""].filter(Boolean).join("; ");
    unit.label = label;
    unit.group.setAttribute("aria-label", label);
    setText(unit.tip, label);
    unit.frame.setAttribute("stroke", flag.dead ? t.error : t.line);
    unit.frame.setAttribute("stroke-width", flag.dead || flag.saturated ? 3 : 1);
    unit.frame.setAttribute("stroke-dasharray", flag.dead ? "4 2" : flag.saturated ? "1 2" : "");
    const picture = hidden ? thumbs?.[l - 1]?.[u] : null;
    if (unit.picture) {
      if (picture) unit.picture.setAttribute("href", picture);
      else unit.picture.removeAttribute("href");
    }
    unit.flag.setAttribute("fill", flag.dead ? t.error : t.fg);
    setText(unit.flag, flag.dead ? "D" : flag.saturated ? "S" : "");
  }
}
