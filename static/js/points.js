// Your own data on the Train page: points clicked onto the decision-boundary chart, or read
// from a CSV file. parseCSV is pure (Node tests it); wirePointClicks needs the page.

// "x1,x2,label" rows (commas, semicolons or tabs; a header row is skipped) as [x1, x2, label],
// checked against the server's limits: {maxPoints, maxClasses}. An Error names the bad line.
export function parseCSV(text, { maxPoints, maxClasses }) {
  const points = [];
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  lines.forEach((line, i) => {
    const cells = line.split(/[,;\t]/).map((c) => c.trim());
    const numbers = cells.slice(0, 3).map(Number);
    if (cells.length < 3 || numbers.some((v) => !Number.isFinite(v))) {
      if (i === 0) return; // a header row
      throw new Error(`line ${i + 1}: expected x1,x2,label, got "${line.slice(0, 40)}"`);
    }
    if (!Number.isInteger(numbers[2]) || numbers[2] < 0 || numbers[2] >= maxClasses) {
      throw new Error(`line ${i + 1}: the label must be a class number 0 to ${maxClasses - 1}`);
    }
    points.push(numbers);
  });
  if (points.length < 2) throw new Error("the file needs at least two points");
  if (points.length > maxPoints) throw new Error(`the file has ${points.length} points; at most ${maxPoints}`);
  return points;
}

// A pointer that moved further than this between press and release was a zoom or pan drag.
const DRAG_PX = 4;

// Only a click inside the plot area (Plotly's drag layer, .nsewdrag) adds a point: not the
// toolbar, the legend or the colour bar, not the end of a zoom or pan drag, not the second
// click of a double click (which resets the zoom). The pixel is converted with the plot area's
// own axis mapping, measured from that area, so the point lands where the pointer is.
// onPoint([x1, x2]) gets the data coordinates; `ready()` says whether a run is drawn.
export function wirePointClicks(chart, { ready, onPoint }) {
  let pressedAt = null;
  chart.addEventListener("pointerdown", (event) => {
    pressedAt = event.target.closest?.(".nsewdrag") ? [event.clientX, event.clientY] : null;
  });
  chart.addEventListener("click", (event) => {
    const area = event.target.closest?.(".nsewdrag");
    const start = pressedAt;
    pressedAt = null;
    const layout = chart._fullLayout;
    if (!area || !start || !layout?.xaxis || !ready() || event.detail > 1) return;
    if (Math.hypot(event.clientX - start[0], event.clientY - start[1]) > DRAG_PX) return;
    const box = area.getBoundingClientRect();
    onPoint([layout.xaxis.p2d(event.clientX - box.left), layout.yaxis.p2d(event.clientY - box.top)]);
  });
}
