// Softmax: edit logits and temperature; probabilities, Jacobian and the naive normalisation.
import { api } from "../api.js";
import { checkBox, element, fieldIds } from "../controls.js";
import { jacobianFigure, softmaxFigure } from "../plots.js";
import { init, startPage } from "../page.js";
import { list, lessonControls, lessonSchema, readState, ruled, writeState } from "../state.js";
import {
  $, OUT_OF_DATE, checkNumber, clearErrors, drawAll, fmt, freshness, latest, reportError, showError, theme, tooFew,
  tooMany,
} from "../ui.js";

// What the boxes accept: the server's rules, from the request model.
const RULES = init.fields;
const SCHEMA = {
  z: list(init.default_logits, Number),
  t: ruled(RULES.temperature),
  ...lessonSchema(lessonControls(init)), // <field>_hide=1: a lesson link hides that control
};
let state = readState(SCHEMA);
let result = null;

const fields = fieldIds(RULES);
// A logit's slider: the range a person drags through (the box takes any finite number).
const LOGIT_SLIDER = { min: -10, max: 10, step: 0.1 };
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
      const slider = element("input", { type: "range", ...LOGIT_SLIDER, value, "aria-label": `z${i + 1} slider` });
      const box = element("input", { type: "number", id, value, step: "any", "aria-describedby": "logits-error" });
      const remove = element("button", { type: "button", class: "icon-button", "aria-label": `Remove z${i + 1}` }, ["✕"]);
      remove.disabled = state.z.length <= RULES.logits.min_items;
      slider.addEventListener("input", () => {
        box.value = slider.value;
        setLogit(i, Number(slider.value), false);
      });
      slider.addEventListener("change", () => writeState(SCHEMA, state, { push: true }));
      box.addEventListener("change", () => {
        clearErrors($("#logits").parentElement);
        if (!checkLogits()) return; // the message is at the logits; nothing is sent
        slider.value = box.value;
        setLogit(i, Number(box.value), true);
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

// Every logit box holds a number, and there are as many as the API takes: else the message
// (naming the logit) is under the logits and the box is marked.
function checkLogits() {
  const rule = RULES.logits;
  for (const [i, box] of $$logits().entries()) {
    const { error } = checkNumber(box.value, { ...rule, label: `z${i + 1}` });
    if (error) {
      showError(box.id, error);
      showError("logits", `z${i + 1}: ${error}`);
      return false;
    }
  }
  const count = state.z.length;
  if (count < rule.min_items || count > rule.max_items) {
    showError("logits", count < rule.min_items ? tooFew(rule) : tooMany(rule));
    return false;
  }
  return true;
}
const $$logits = () => [...document.querySelectorAll("#logits input[type=number]")];

function setLogit(i, value, push) {
  const z = [...state.z];
  z[i] = value;
  state = { ...state, z };
  writeState(SCHEMA, state, { push });
  refresh();
}

function syncTemperature() {
  $("#temperature").value = state.t;
  const slider = $("#temperature-slider");
  slider.value = state.t > 0 ? Math.log10(state.t) : slider.min;
}

const refresh = latest(async () => {
  clearErrors();
  const temperature = checkBox("temperature", RULES.temperature) !== undefined;
  if (!checkLogits() || !temperature) {
    failed();
    return; // the messages are at the boxes; nothing is sent
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
    reportError(error, fields, "softmax-chart", RULES);
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
$("#temperature").addEventListener("change", () => {
  const value = checkBox("temperature", RULES.temperature);
  if (value === undefined) return; // the message is at the box; nothing is sent
  state = { ...state, t: value };
  if (value > 0) $("#temperature-slider").value = Math.log10(value);
  writeState(SCHEMA, state, { push: true });
  refresh();
});
$("#add-logit").addEventListener("click", () => {
  if (state.z.length >= RULES.logits.max_items) {
    showError("logits", tooMany(RULES.logits));
    return;
  }
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
startPage({
  schema: SCHEMA,
  navigated: (next) => {
    state = next;
    buildLogits();
    syncTemperature();
    refresh();
  },
  themed: render,
  start: () => {
    buildLogits();
    syncTemperature();
    refresh();
  },
});
