// Parameter controls built from a catalogue entry: a labelled slider plus a number box for each
// numeric parameter, a select for each choice parameter. Used by Explore, Compare and Train.
// Number boxes bound to state keys, checked against the rules the server declares.
import { hideKey, lessonLink } from "./state.js";
import { checkNumber, clearError, showError, tooFew, tooMany } from "./ui.js";

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    // A style attribute is inline style, which the CSP refuses; CSSOM is not.
    if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

export { element };

// Slider bounds: the parameter's own where it has them, a sensible window where it is open.
export function sliderBounds(param) {
  const span = Math.max(1, Math.abs(Number(param.default)) * 2);
  const lo = param.min ?? Number(param.default) - 2 * span;
  const hi = param.max ?? Number(param.default) + 2 * span;
  const step = (hi - lo) / 200;
  // An exclusive bound cannot be reached: keep the slider one step inside it.
  return {
    min: param.min_exclusive ? lo + step : lo,
    max: param.max_exclusive ? hi - step : hi,
    step,
  };
}

// values: {name: current value}; onInput(name, value, {final}) fires while dragging (final false)
// and on release or typed entry (final true).
export function paramControls(entry, values, prefix, onInput) {
  const nodes = [];
  for (const param of entry.params) {
    const id = `${prefix}param-${param.name}`;
    const value = values[param.name] ?? param.default;
    const error = element("p", { class: "error", id: `${id}-error`, role: "alert", hidden: "" });
    const hint = param.description ? element("span", { class: "hint", id: `${id}-hint` }, [param.description]) : "";
    const described = `${id}-error${param.description ? ` ${id}-hint` : ""}`;
    if (param.choices) {
      const select = element("select", { id, "aria-describedby": described },
        param.choices.map((c) => {
          const option = element("option", { value: c }, [c]);
          option.selected = c === value;
          return option;
        }));
      select.addEventListener("change", () => onInput(param.name, select.value, { final: true }));
      nodes.push(element("div", { class: "field" }, [element("label", { for: id }, [param.name]), select, hint, error]));
      continue;
    }
    const bounds = sliderBounds(param);
    const slider = element("input", {
      type: "range", id: `${id}-slider`, min: bounds.min, max: bounds.max, step: bounds.step,
      value, "aria-label": `${param.name} slider`, "aria-describedby": described,
    });
    const box = element("input", {
      type: "number", id, value, step: "any", min: param.min, max: param.max,
      "aria-describedby": described,
    });
    slider.addEventListener("input", () => {
      box.value = Number(slider.value).toPrecision(4).replace(/\.?0+$/, "");
      onInput(param.name, box.value, { final: false });
    });
    slider.addEventListener("change", () => onInput(param.name, box.value, { final: true }));
    box.addEventListener("change", () => {
      // A value the parameter does not accept stays in the box with its message; nothing is sent.
      if (!checkParam(param, box.value, id)) return;
      slider.value = box.value;
      onInput(param.name, box.value, { final: true });
    });
    nodes.push(element("div", { class: "field" }, [
      element("label", { for: id }, [param.name]),
      element("div", { class: "slider-row" }, [slider, box]),
      hint,
      error,
    ]));
  }
  return nodes;
}

// Set the controls built above to these values (after back/forward).
export function syncParamControls(entry, values, prefix) {
  for (const param of entry.params) {
    const id = `${prefix}param-${param.name}`;
    const value = values[param.name] ?? param.default;
    const box = document.getElementById(id);
    if (box) box.value = value;
    const slider = document.getElementById(`${id}-slider`);
    if (slider) slider.value = value;
  }
}

// API field name -> control id, for inline errors: each control's id is its API field's name
// (the rules' keys), plus `aliases` where one control answers for another name (the data set's
// "name", the head's "output").
export const fieldIds = (rules, aliases = {}) => ({
  ...Object.fromEntries(Object.keys(rules).map((id) => [id, id])),
  ...aliases,
});

// API field name -> control id, for inline errors.
export function paramFieldIds(entry, prefix) {
  return Object.fromEntries(entry.params.map((p) => [p.name, `${prefix}param-${p.name}`]));
}

// A catalogue parameter's bounds as a rule, in the words of its control (its name).
export const paramRule = (param) => ({
  label: param.name, unit: "", integer: false, optional: false, min: param.min, max: param.max,
  min_exclusive: param.min_exclusive, max_exclusive: param.max_exclusive,
});

function checkParam(param, value, id, report = true) {
  let error = null;
  if (param.choices) {
    if (!param.choices.includes(String(value))) error = `choose one of ${param.choices.join(", ")}`;
  } else {
    ({ error } = checkNumber(value, paramRule(param)));
  }
  if (report && error) showError(id, error);
  else if (report) clearError(id);
  return !error;
}

// Check every parameter before a request: what its number box holds (a value typed there and
// refused is still there), else the value given (a link's): false, with the message at each
// control whose value the entry does not accept. report: false only answers, leaving every
// message as it is (a second request must not clear what the first one's 422 put there).
export function checkParams(entry, values, prefix, { report = true } = {}) {
  let ok = true;
  for (const param of entry?.params ?? []) {
    const id = `${prefix}param-${param.name}`;
    const box = param.choices ? null : document.getElementById(id);
    if (box) ok = checkParam(param, box.value, id, report) && ok;
    else if (param.name in values) ok = checkParam(param, values[param.name], id, report) && ok;
  }
  return ok;
}

// Only the parameters the entry declares (a spec or file may carry others).
export function ownParams(entry, values) {
  const names = new Set((entry?.params ?? []).map((p) => p.name));
  return Object.fromEntries(Object.entries(values ?? {}).filter(([key]) => names.has(key)));
}

// A removable list of catalogue names with an "add" select: for pages that take several
// activations (Sweep, Gradient flow). onChange(names) fires after every add or remove.
export function chipList(container, catalogue, names, onChange, { prefix = "act" } = {}) {
  const labels = Object.fromEntries(catalogue.map((e) => [e.name, e.label]));
  const render = (current) => {
    const chips = current.map((name, i) => {
      const remove = element("button", { type: "button", class: "icon-button", "aria-label": `Remove ${labels[name] ?? name}` }, ["✕"]);
      remove.disabled = current.length === 1;
      remove.addEventListener("click", () => onChange(current.filter((_, j) => j !== i)));
      return element("li", { class: "row" }, [element("span", {}, [labels[name] ?? name]), remove]);
    });
    const select = element("select", { id: `${prefix}-add`, "aria-label": "Activation to add" },
      catalogue.filter((e) => !current.includes(e.name)).map((e) => element("option", { value: e.name }, [e.label])));
    const add = element("button", { type: "button", id: `${prefix}-add-button` }, ["Add"]);
    add.addEventListener("click", () => select.value && onChange([...current, select.value]));
    container.replaceChildren(
      element("ul", { class: "chips", id: `${prefix}-list` }, chips),
      element("div", { class: "row" }, [select, add]),
    );
  };
  render(names);
  return render;
}

// Number boxes and selects bound to state keys ({controlId: stateKey}). Each number box is
// checked against its rule (`rules`, by control id, from the server): a value the rule does not
// accept, an empty box or one that is not a number shows the message at the box and changes
// nothing, so no request goes out and no null lands in the URL.
// onRefuse(id): a box's value was refused (its message is shown); nothing changed.
export function bindFields({ numbers = {}, selects = {} }, onChange, rules = {}, onRefuse = () => {}) {
  for (const [id, key] of Object.entries(numbers)) {
    document.getElementById(id).addEventListener("change", () => {
      const value = checkBox(id, rules[id]);
      if (value !== undefined) onChange(key, value);
      else onRefuse(id);
    });
  }
  for (const [id, key] of Object.entries(selects)) {
    document.getElementById(id).addEventListener("change", (event) => onChange(key, event.target.value));
  }
}

// The box's value if its rule accepts it (null: an optional box left empty), else undefined
// with the message shown at the box.
export function checkBox(id, rule = { label: id }) {
  const { value, error } = checkNumber(document.getElementById(id).value, rule);
  if (error) {
    showError(id, error);
    return undefined;
  }
  clearError(id);
  return value;
}

// Every bound number box checked again (before a request): true when all of them are valid.
export function checkBoxes({ numbers = {} }, rules) {
  let ok = true;
  for (const id of Object.keys(numbers)) {
    const box = document.getElementById(id);
    if (!box.disabled) ok = checkBox(id, rules[id]) !== undefined && ok;
  }
  return ok;
}

// A list's length against its rule (at least / at most so many), shown at `id`.
export function checkCount(id, count, rule) {
  let error = null;
  if (rule.min_items !== undefined && count < rule.min_items) error = tooFew(rule);
  else if (rule.max_items !== null && rule.max_items !== undefined && count > rule.max_items) error = tooMany(rule);
  if (error) showError(id, error);
  else clearError(id);
  return !error;
}

// From below To: false, with the message at the box just changed (`changed`: "lo" or "hi").
export function checkOrder(loId, hiId, lo, hi, rules, changed = "hi") {
  if (lo < hi) return true;
  const [id, text] = changed === "lo"
    ? [loId, `${rules[loId].label} must be less than ${rules[hiId].label} (${hi})`]
    : [hiId, `${rules[hiId].label} must be greater than ${rules[loId].label} (${lo})`];
  showError(id, text);
  return false;
}

// An x range (the boxes #xmin and #xmax): either end changed, both boxes are read again, so
// fixing one clears the other's message; onRange(xmin, xmax) gets only a valid, ordered range.
export function bindRange(range, rules, onRange) {
  bindFields(range, (key) => {
    if (!checkBoxes(range, rules)) return;
    const xmin = Number(document.getElementById("xmin").value);
    const xmax = Number(document.getElementById("xmax").value);
    if (!checkOrder("xmin", "xmax", xmin, xmax, rules, key === "xmin" ? "lo" : "hi")) return;
    onRange(xmin, xmax);
  }, rules);
}

export function syncFields({ numbers = {}, selects = {} }, state) {
  for (const [id, key] of Object.entries({ ...numbers, ...selects })) {
    document.getElementById(id).value = state[key] ?? "";
  }
}

// --- classroom links: hide the controls a lesson names, and the panel that builds one ---------

// A declared field's control on the page: the element marked data-field="<id>" (a control made
// of several parts), else the .field around the element with that id; null when the page shows
// no control for it.
export function controlOf(id) {
  return document.querySelector(`[data-field="${id}"]`) ?? document.getElementById(id)?.closest(".field") ?? null;
}

// Hide exactly the controls the state's `<id>_hide` keys name (hidden leaves the layout and the
// tab order); the values stay in the state, so the run is the link's.
export function hideControls(fields, state) {
  for (const id of Object.keys(fields)) {
    const node = controlOf(id);
    if (node) node.hidden = state[hideKey(id)] === true;
  }
}

// "Share as a lesson": one checkbox per control the page shows (its declared fields), the link
// with the ticked ones hidden, and a copy button. current(): the page's URL state now. The
// panel's contents exist only while it is open, so a control's label names one element and a
// closed panel holds nothing but its summary.
export function lessonPanel(root, schema, fields, current) {
  // only a page whose schema declares the lesson keys (state.js lessonSchema) can share one
  // in the order the page shows them (the initial state's JSON has its keys sorted)
  const ids = Object.keys(fields).filter((id) => hideKey(id) in schema && controlOf(id))
    .sort((a, b) => (controlOf(a).compareDocumentPosition(controlOf(b)) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  if (!root || !ids.length) return null;
  const counts = {};
  for (const id of ids) counts[fields[id].label] = (counts[fields[id].label] ?? 0) + 1;
  const chosen = new Set(ids.filter((id) => current()[hideKey(id)] === true)); // from a lesson: its choices
  const checks = element("div", { class: "row" });
  const buildChecks = () => checks.replaceChildren(...ids.map((id) => {
    const box = element("input", { type: "checkbox", id: `lesson-hide-${id}`, value: id });
    box.checked = chosen.has(id);
    box.addEventListener("change", () => (box.checked ? chosen.add(id) : chosen.delete(id)));
    const label = fields[id].label ?? id;
    const text = counts[label] > 1 ? `${label} (${id})` : `${label}${fields[id].unit ? ` ${fields[id].unit}` : ""}`;
    return element("label", { class: "check" }, [box, ` ${text}`]);
  }));
  const link = element("input", { type: "text", id: "lesson-link", readonly: "", "aria-label": "Lesson link" });
  const copy = element("button", { type: "button", id: "lesson-copy" }, ["Copy link"]);
  const status = element("span", { class: "hint", id: "lesson-status", "aria-live": "polite" });
  const refresh = () => {
    link.value = lessonLink(schema, fields, current(), ids.filter((id) => chosen.has(id)), window.location);
  };
  const body = element("div", { class: "lesson-body" });
  const panel = element("details", { class: "lesson", id: "lesson" }, [
    element("summary", {}, ["Share as a lesson"]),
    body,
  ]);
  panel.addEventListener("toggle", () => {
    status.textContent = "";
    if (!panel.open) {
      body.replaceChildren();
      return;
    }
    buildChecks();
    body.replaceChildren(
      element("p", { class: "hint" }, ["Tick the controls a learner should not see. The link opens this exact view with them hidden; they keep the values shown now."]),
      element("fieldset", { class: "lesson-hide" }, [element("legend", {}, ["Hide"]), checks]),
      element("div", { class: "row lesson-share" }, [link, copy]),
      status,
    );
    refresh();
  });
  panel.addEventListener("change", () => setTimeout(refresh, 0));
  copy.addEventListener("click", async () => {
    refresh();
    try {
      await navigator.clipboard.writeText(link.value);
      status.textContent = "Link copied.";
    } catch {
      link.select(); // no clipboard here: the link is selected, ready for Ctrl+C
      status.textContent = "Select the link above and copy it (Ctrl+C).";
    }
  });
  // The page's state changes as a learner works: open, the link follows it.
  window.addEventListener("popstate", refresh);
  document.addEventListener("change", (event) => {
    if (!panel.contains(event.target)) setTimeout(refresh, 0);
  });
  root.append(panel);
  refresh();
  return panel;
}
