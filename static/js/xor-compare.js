// "Linear vs non-linear": identity, ReLU and tanh trained on XOR side by side, with the best
// affine fit (0.5 everywhere) and the hand-set ReLU network that solves it exactly.
import { api } from "./api.js";
import { element } from "./controls.js";
import { boundaryFigure } from "./training-plots.js";
import { $, clearErrors, draw, fmt, reportError, theme } from "./ui.js";

export const LINEAR_VIEW = ["identity", "relu", "tanh"];

// One configuration for all three, so only the activation differs.
const runBody = (activation, seed) => ({
  dataset: "xor",
  activation,
  hidden_layers: [4],
  optimizer: "adam",
  learning_rate: 0.05,
  epochs: 1000,
  seed,
  snapshots: 1,
  grid: 40,
});

const cells = (values) => values.map((v) => element("td", {}, [typeof v === "number" ? fmt(v) : String(v)]));

function table(id, header, rows) {
  $(`#${id}`).replaceChildren(
    element("thead", {}, [element("tr", {}, header.map((h) => element("th", { scope: "col" }, [h])))]),
    element("tbody", {}, rows.map((row) => element("tr", {}, cells(row)))),
  );
}

// gridStep: what the server rounds the surfaces to (the Train page's initial state).
export async function showLinearView(seed, { gridStep }) {
  const section = $("#xor-section");
  section.hidden = false;
  clearErrors(section);
  try {
    const [linear, solution, ...runs] = await Promise.all([
      api.xorLinear(),
      api.xorSolution(),
      ...LINEAR_VIEW.map((name) => api.train(runBody(name, seed))),
    ]);
    const t = theme();
    const body = runBody(LINEAR_VIEW[0], seed);
    await Promise.all(
      runs.map((run, i) => {
        const snapshot = run.snapshots.at(-1);
        const figure = boundaryFigure(run, snapshot, t, { dataset: "xor", gridStep });
        figure.layout.showlegend = false;
        figure.traces.forEach((trace) => { if (trace.type === "heatmap") trace.showscale = false; });
        return draw($(`#xor-${LINEAR_VIEW[i]}`), figure.traces, figure.layout);
      }),
    );
    const accuracy = (run) => (run.final ? `${fmt(run.final.accuracy * 100, 1)} %` : "diverged");
    $("#xor-summary").textContent =
      `Same network (2-${body.hidden_layers.join("-")}-1, ${body.optimizer === "adam" ? "Adam" : body.optimizer}, ${body.epochs} epochs, seed ${seed}), only the activation differs. ` +
      LINEAR_VIEW.map((name, i) => `${name}: final loss ${fmt(runs[i].final?.loss)}, accuracy ${accuracy(runs[i])}`).join("; ") +
      ". A loss of ln 2 ≈ 0.693 is a coin toss: stacked identity layers are one affine map, and the best one predicts 0.5 everywhere.";
    table("xor-linear-table", ["x1", "x2", "target", "best affine fit"],
      linear.inputs.map(([x1, x2], i) => [x1, x2, linear.targets[i], linear.fit.predictions[i]]));
    $("#xor-proof").textContent = `${linear.proof.statement} ${linear.proof.contradiction}`;
    table("xor-solution-table", ["x1", "x2", "hidden relu(xW + c)", "output"],
      solution.inputs.map(([x1, x2], i) => [x1, x2, solution.hidden_activations[i].map((v) => fmt(v)).join(", "), solution.outputs[i]]));
    $("#xor-solution-text").textContent =
      `W = [[1, 1], [1, 1]], c = [${solution.hidden_biases.join(", ")}], w = [${solution.output_weights.join(", ")}], b = ${solution.output_bias}: two ReLU units compute XOR exactly.`;
  } catch (error) {
    reportError(error, {}, "xor-identity");
  }
}
