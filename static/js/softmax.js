// Softmax: edit logits and temperature; probabilities, Jacobian and the naive normalisation.
import { api } from "./api.js";
import { element } from "./controls.js";
import { jacobianFigure, softmaxFigure } from "./plots.js";
import { list, num, onNavigate, readState, writeState } from "./state.js";
import {
  $, OUT_OF_DATE, clearErrors, drawAll, fmt, freshness, initialState, latest, onThemeChange, reportError,
  theme, wireExports,
} from "./ui.js";

const init = initialState();
const SCHEMA = {
  z: list(init.default_logits, Number),
  t: num(init.default_temperature, { min: 0 }),
};
let state = readState(SCHEMA);
let result = null;

const fields = { logits: "logits", temperature: "temperature" };
const charts = freshness(() => [$("#softmax-chart"), $("#jacobian-chart")]);

// The charts keep the last good result, marked out of date; the note about it goes.
function failed() {
  charts.failed(OUT_OF_DATE.failed);
  $("#naive-note").hidden = true;
}

function buildLogits() {
  $("#logits").replaceChildren(
    ...state.z.map((value, i) => {
      const id = `logit-${i}`;
      const slider = element("input", { type: "range", min: -10, max: 10, step: 0.1, value, "aria-label": `z${i + 1} slider` });
      const box = element("input", { type: "number", id, value, step: "any" });
      const remove = element("button", { type: "button", class: "icon-button", "aria-label": `Remove z${i + 1}` }, ["✕"]);
      remove.disabled = state.z.length <= 2;
      slider.addEventListener("input", () => {
        box.value = slider.value;
        setLogit(i, Number(slider.value), false);
      });
      slider.addEventListener("change", () => writeState(SCHEMA, state, { push: true }));
      box.addEventListener("change", () => {
        slider.value = box.value;
        setLogit(i, box.value === "" ? NaN : Number(box.value), true);
      });
      remove.addEventListener("click", () => {
        state = { ...state, z: state.z.filter((_, j) => j !== i) };
        writeState(SCHEMA, state, { push: true });
        buildLogits();
        refresh();
      });
      return element("div", { class: "logit-row" }, [element("label", { for: id }, [`z${i + 1}`]), slider, box, remove]);
    }),
  );
}

function setLogit(i, value, push) {
  const z = [...state.z];
  z[i] = value;
  state = { ...state, z };
  writeState(SCHEMA, state, { push });
  refresh();
}

function syncTemperature() {
  $("#temperature").value = state.t;
  $("#temperature-slider").value = state.t > 0 ? Math.log10(state.t) : -2;
}

const refresh = latest(async () => {
  if (state.z.some((v) => !Number.isFinite(v))) {
    clearErrors();
    reportError({ errors: [{ field: "logits", msg: "every logit must be a finite number" }] }, fields, "logits");
    failed();
    return;
  }
  charts.pending(OUT_OF_DATE.pending);
  try {
    const next = await api.softmax(state.z, state.t);
    clearErrors();
    result = { logits: [...state.z], ...next };
    await render();
    charts.current();
  } catch (error) {
    clearErrors();
    reportError(error, fields, "softmax-chart");
    failed();
  }
});

// The naive alternative: z_i / sum(z). Undefined when the sum is 0; negative shares otherwise.
function naiveShares(logits) {
  const total = logits.reduce((a, b) => a + b, 0);
  return total === 0 ? logits.map(() => null) : logits.map((z) => z / total);
}

async function render() {
  if (!result) return;
  const t = theme();
  const naive = naiveShares(result.logits);
  const bars = softmaxFigure(result.logits, result.probabilities, naive, t);
  const heat = jacobianFigure(result.jacobian, t);
  const note = $("#naive-note");
  const negative = naive.filter((v) => v !== null && (v < 0 || v > 1)).length;
  if (naive[0] === null) {
    note.textContent = "Dividing by the sum fails here: the logits sum to 0. Softmax is still defined: exp makes every term positive.";
  } else if (negative) {
    note.textContent = `Dividing by the sum gives ${negative} share(s) outside [0, 1] (negative logits flip signs). exp(z) is always positive, so softmax always gives a probability distribution — and adding a constant to every logit leaves it unchanged.`;
  } else {
    note.textContent = `Here dividing by the sum happens to stay within [0, 1]; add a constant to every logit and it changes, softmax does not. Largest probability: ${fmt(Math.max(...result.probabilities))}.`;
  }
  note.classList.toggle("ok", !(naive[0] === null || negative));
  note.hidden = false;
  await drawAll([[$("#softmax-chart"), bars], [$("#jacobian-chart"), heat]]);
}

$("#temperature-slider").addEventListener("input", (event) => {
  const value = Number((10 ** Number(event.target.value)).toPrecision(3));
  $("#temperature").value = value;
  state = { ...state, t: value };
  writeState(SCHEMA, state);
  refresh();
});
$("#temperature-slider").addEventListener("change", () => writeState(SCHEMA, state, { push: true }));
$("#temperature").addEventListener("change", (event) => {
  const value = event.target.value === "" ? NaN : Number(event.target.value);
  if (!Number.isFinite(value)) {
    reportError({ errors: [{ field: "temperature", msg: "must be a number greater than 0" }] }, fields, "temperature");
    return;
  }
  state = { ...state, t: value };
  if (value > 0) $("#temperature-slider").value = Math.log10(value);
  writeState(SCHEMA, state, { push: true });
  refresh();
});
$("#add-logit").addEventListener("click", () => {
  state = { ...state, z: [...state.z, 0] };
  writeState(SCHEMA, state, { push: true });
  buildLogits();
  refresh();
});
$("#reset-logits").addEventListener("click", () => {
  state = { ...state, z: [...init.default_logits], t: init.default_temperature };
  writeState(SCHEMA, state, { push: true });
  buildLogits();
  syncTemperature();
  refresh();
});
onNavigate(SCHEMA, (next) => {
  state = next;
  buildLogits();
  syncTemperature();
  refresh();
});
onThemeChange(render);
wireExports();

buildLogits();
syncTemperature();
refresh();
