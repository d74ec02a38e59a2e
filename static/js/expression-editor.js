// The "Add your own" editor, shared by every page where an activation is chosen. It clones the
// #expression-editor template (templates/_macros.html, expression_editor) with its ids prefixed,
// checks the formula as you type through POST /api/expressions (debounced; an answer to an older
// text never overwrites a newer one), marks a refusal at its place, keeps parameter rows with a
// slider each, and shows the server's MathML and estimated properties. The page draws the curve:
//   onChange(definition, {final})  the definition changed (write the URL; push when final)
//   onValid(definition, result)    the server accepted it (draw its curve)
//   onInvalid(definition)          it is refused or incomplete (mark the old curve out of date)
import { api } from "./api.js";
import { element, sliderBounds } from "./controls.js";
import {
  errorSpan, exampleDefinition, nextParamName, paramValues, propertyText, sameDefinition, sameShape, splitAt,
} from "./expressions.js";
import { checkNumber, clearError, clearErrors, debounce, showError } from "./ui.js";

const TYPING_MS = 250; // one request per pause in typing, not one per key
const NUMBER = { label: "The value", unit: "", integer: false, optional: false, min: null, max: null };

// Answers by definition, refusals included, shared by every editor of the page: an editor
// rebuilt (Compare's list after an add or remove, back/forward), or Enter pressed just before
// the pause in typing ends, asks the server nothing it has asked already. A failure that is not
// the server's answer about the formula (the network, a 503 given up on) is forgotten.
const answers = new Map();

function describe(definition) {
  const key = JSON.stringify([definition.expression, paramValues(definition)]);
  if (!answers.has(key)) {
    if (answers.size > 200) answers.clear();
    const asking = api.describeExpression(definition.expression, paramValues(definition));
    answers.set(key, asking);
    asking.catch((error) => error.status === 422 || answers.delete(key));
  }
  return answers.get(key);
}

// The template's content with every id, and every attribute naming one, prefixed.
function cloneTemplate(prefix) {
  const root = document.getElementById("expression-editor").content.firstElementChild.cloneNode(true);
  for (const node of [root, ...root.querySelectorAll("*")]) {
    if (node.id) node.id = `${prefix}${node.id}`;
    for (const attr of ["for", "aria-describedby", "aria-labelledby", "aria-controls"]) {
      if (node.hasAttribute(attr)) node.setAttribute(attr, node.getAttribute(attr).split(" ").map((id) => `${prefix}${id}`).join(" "));
    }
  }
  return root;
}

const copy = (definition) => ({ expression: definition.expression, params: definition.params.map(([n, v]) => [n, v]) });

export function expressionEditor(container, {
  prefix, facts, definition, onChange = () => {}, onValid = () => {}, onInvalid = () => {}, resultOpen = true,
}) {
  const root = cloneTemplate(prefix);
  const part = (name) => root.querySelector(`#${CSS.escape(`${prefix}${name}`)}`);
  const input = part("expr");
  const mark = part("expr-mark");
  const declare = part("expr-declare");
  const rows = part("expr-params");
  // Held, not looked up: a page may move the result into its own card (Explore does).
  const result = part("expr-result");
  const [formula, derivative, second, props] = ["expr-f", "expr-df", "expr-d2f", "expr-props"].map(part);
  result.open = resultOpen;
  result.hidden = true; // until the first accepted formula: nothing to show or mark out of date
  let current = copy(definition);
  let accepted = null; // {definition, result}: the newest definition the server accepted
  let asked = 0; // the number of the newest question; an older answer is dropped

  // Messages are looked up by id, so the editor must be in the document before it reports.
  const inPage = (fn) => (...args) => root.isConnected && fn(...args);
  const ids = {
    name: (i) => `${prefix}pname-${i}`,
    value: (i) => `${prefix}pvalue-${i}`,
    slider: (i) => `${prefix}pslider-${i}`,
  };

  function buildRows() {
    rows.replaceChildren(...current.params.map(([name, value], i) => row(name, value, i)));
    part("expr-add-param").disabled = current.params.length >= facts.max_params;
  }

  function row(name, value, i) {
    const label = name || `parameter ${i + 1}`;
    const nameBox = element("input", {
      type: "text", id: ids.name(i), value: name, class: "expr-pname", spellcheck: "false", autocomplete: "off",
      "aria-label": `Parameter ${i + 1} name`, "aria-describedby": `${ids.name(i)}-error`,
    });
    const valueBox = element("input", {
      type: "number", id: ids.value(i), value, step: "any", "aria-label": `${label} value`,
      "aria-describedby": `${ids.value(i)}-error`,
    });
    // The slider's window is set around the value the row starts with, so it does not move
    // under the pointer while dragging; a typed value outside it re-centres it.
    const slider = element("input", { type: "range", id: ids.slider(i), "aria-label": `${label} slider` });
    const centre = (v) => {
      const bounds = sliderBounds({ default: Number.isFinite(Number(v)) ? Number(v) : 1 });
      Object.assign(slider, { min: bounds.min, max: bounds.max, step: bounds.step });
      slider.value = v;
    };
    centre(value);
    const remove = element("button", { type: "button", class: "icon-button", "aria-label": `Remove parameter ${label}` }, ["✕"]);
    nameBox.addEventListener("input", () => {
      current.params[i][0] = nameBox.value;
      const shown = nameBox.value || `parameter ${i + 1}`;
      valueBox.setAttribute("aria-label", `${shown} value`);
      slider.setAttribute("aria-label", `${shown} slider`);
      remove.setAttribute("aria-label", `Remove parameter ${shown}`);
      changed({ final: false });
    });
    nameBox.addEventListener("change", () => onChange(copy(current), { final: true }));
    valueBox.addEventListener("input", () => {
      current.params[i][1] = valueBox.value;
      const { error } = checkNumber(valueBox.value, NUMBER);
      if (!error && (Number(valueBox.value) < Number(slider.min) || Number(valueBox.value) > Number(slider.max))) centre(valueBox.value);
      else if (!error) slider.value = valueBox.value;
      changed({ values: true, final: false });
    });
    valueBox.addEventListener("change", () => onChange(copy(current), { final: true }));
    slider.addEventListener("input", () => {
      valueBox.value = Number(slider.value).toPrecision(4).replace(/\.?0+$/, "").replace(/\.?0+e/, "e");
      current.params[i][1] = valueBox.value;
      changed({ values: true, final: false });
    });
    slider.addEventListener("change", () => onChange(copy(current), { final: true }));
    remove.addEventListener("click", () => {
      current.params.splice(i, 1);
      buildRows();
      changed({ final: true, now: true });
      (rows.querySelector(".expr-pname") ?? part("expr-add-param")).focus();
    });
    return element("div", { class: "expr-param" }, [
      element("div", { class: "expr-param-head" }, [nameBox, element("span", { "aria-hidden": "true" }, ["="]), valueBox, remove]),
      slider,
      element("p", { class: "error", id: `${ids.name(i)}-error`, role: "alert", hidden: "" }),
      element("p", { class: "error", id: `${ids.value(i)}-error`, role: "alert", hidden: "" }),
    ]);
  }

  // What the boxes hold, checked before asking: a value must be a number, a name given once.
  const checkRows = inPage(() => {
    let ok = true;
    const seen = new Set();
    current.params.forEach(([name, value], i) => {
      clearError(ids.name(i));
      clearError(ids.value(i));
      if (name.trim() === "") {
        showError(ids.name(i), "enter a name for this parameter");
        ok = false;
      } else if (seen.has(name)) {
        showError(ids.name(i), `${name} is already declared above`);
        ok = false;
      }
      seen.add(name);
      const { error } = checkNumber(value, NUMBER);
      if (error) {
        showError(ids.value(i), error);
        ok = false;
      }
    });
    return ok;
  });

  const showRefusal = inPage((text, item) => {
    const span = item.ctx ? errorSpan(text, item.ctx.position, item.ctx.text) : { start: 0, end: text.length };
    const [before, marked, after] = splitAt(text, span);
    mark.replaceChildren(before, element("mark", { class: marked ? "" : "caret" }, [marked || " "]), after);
    mark.hidden = false;
    showError(`${prefix}expr`, String(item.msg));
    const unknown = item.type === "expression_unknown_name" && item.ctx?.text;
    declare.hidden = !unknown || current.params.length >= facts.max_params;
    if (unknown) {
      declare.textContent = `Declare ${item.ctx.text} as a parameter`;
      declare.dataset.name = item.ctx.text;
    }
  });

  const clearRefusal = () => {
    mark.hidden = true;
    mark.replaceChildren();
    declare.hidden = true;
    clearErrors(part("expr").parentElement);
    clearError(`${prefix}expr-params`);
  };

  // An API error in the editor's words and places: the formula's refusal under the formula, a
  // parameter's at its row; what is not the editor's is left to the page (returned).
  const report = inPage((error, text = current.expression) => {
    const rest = [];
    for (const item of error.errors ?? []) {
      const i = current.params.findIndex(([name]) => name === item.field);
      if (item.field === "expression") showRefusal(text, item);
      else if (i >= 0) showError(ids.name(i), String(item.msg).replace(`${item.field}: `, ""));
      else if (item.field === "params") showError(`${prefix}expr-params`, String(item.msg));
      else rest.push(item);
    }
    return rest;
  });

  function renderResult(answer) {
    const { mathml } = answer;
    formula.innerHTML = mathml.formula; // the server's MathML, as the catalogue's cards
    derivative.innerHTML = mathml.derivative;
    second.innerHTML = mathml.second_derivative;
    props.replaceChildren(...facts.properties.flatMap(([key, label]) => [
      element("dt", {}, [label]),
      element("dd", {}, [propertyText(key, answer.properties[key], answer.properties)]),
    ]));
    result.classList.remove("stale");
    result.hidden = false;
  }

  async function validate() {
    const mine = ++asked;
    const definition = copy(current);
    const text = definition.expression;
    // The last message stays until the new one is known: no flicker while typing, and the
    // "Declare" button does not vanish under a keyboard user's focus.
    let ok = checkRows();
    if (!ok || [...text].length > facts.max_length) clearRefusal();
    if ([...text].length > facts.max_length) {
      showRefusal(text, {
        msg: `at most ${facts.max_length} characters; this has ${[...text].length}`,
        ctx: { position: facts.max_length, text: [...text].slice(facts.max_length).join("") },
      });
      ok = false;
    }
    if (!ok) {
      invalid(definition);
      return;
    }
    try {
      const answer = await describe(definition);
      if (mine !== asked) return;
      clearRefusal();
      accepted = { definition, result: answer };
      renderResult(answer);
      onValid(definition, answer);
    } catch (error) {
      if (mine !== asked) return;
      if (!error.errors) throw error;
      clearRefusal();
      const rest = report(error, text);
      if (rest.length) showError(`${prefix}expr`, rest.map((item) => item.msg).join("; "));
      invalid(definition);
    }
  }
  const validateSoon = debounce(validate, TYPING_MS);

  function invalid(definition) {
    result.classList.add("stale");
    onInvalid(definition);
  }

  // values: only parameter values moved; when the last accepted definition had the same text
  // and names, the curve follows at once and the properties after the pause.
  function changed({ values = false, final = false, now = false } = {}) {
    onChange(copy(current), { final });
    if (values && accepted && sameShape(accepted.definition, current) && checkRows()) onValid(copy(current), null);
    else result.classList.add("stale");
    if (now) validate();
    else validateSoon();
  }

  function set(definition) {
    current = copy(definition);
    input.value = current.expression;
    buildRows();
    validate();
  }

  input.addEventListener("input", () => {
    current.expression = input.value;
    changed();
  });
  input.addEventListener("change", () => onChange(copy(current), { final: true }));
  input.addEventListener("keydown", (event) => {
    // Enter checks now; a formula is one line, and the server would refuse a line break anyway.
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      onChange(copy(current), { final: true });
      validate();
    }
  });
  for (const button of root.querySelectorAll("[data-example]")) {
    button.addEventListener("click", () => {
      set(exampleDefinition(facts.examples[Number(button.dataset.example)]));
      onChange(copy(current), { final: true });
    });
  }
  part("expr-add-param").addEventListener("click", () => {
    current.params.push([nextParamName(current), "1"]);
    buildRows();
    changed({ final: true, now: true });
    rows.querySelector(`#${CSS.escape(ids.name(current.params.length - 1))}`).focus();
  });
  declare.addEventListener("click", () => {
    current.params.push([declare.dataset.name, "1"]);
    buildRows();
    changed({ final: true, now: true });
    rows.querySelector(`#${CSS.escape(ids.value(current.params.length - 1))}`).focus();
  });

  container.replaceChildren(root);
  input.value = current.expression;
  buildRows();
  return {
    root,
    result,
    definition: () => copy(current),
    // The server accepted exactly what the boxes hold now (values included, or a moved slider
    // of an accepted shape whose values are numbers).
    valid: () => Boolean(accepted) && (sameDefinition(accepted.definition, current) || sameShape(accepted.definition, current)) && checkRows(),
    answer: () => (accepted && sameDefinition(accepted.definition, current) ? accepted.result : null),
    set,
    validate,
    report,
  };
}
