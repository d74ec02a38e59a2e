// Parameter controls built from a catalogue entry: a labelled slider plus a number box for each
// numeric parameter, a select for each choice parameter. Used by Explore and Compare.

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
function sliderBounds(param) {
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

// API field name -> control id, for inline errors.
export function paramFieldIds(entry, prefix) {
  return Object.fromEntries(entry.params.map((p) => [p.name, `${prefix}param-${p.name}`]));
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

// Number boxes and selects bound to state keys ({controlId: stateKey}). A number box that is
// empty or not a number reports null: the API then says what is wrong, next to the box.
export function bindFields({ numbers = {}, selects = {} }, onChange) {
  for (const [id, key] of Object.entries(numbers)) {
    document.getElementById(id).addEventListener("change", (event) => {
      const value = event.target.value === "" ? null : Number(event.target.value);
      onChange(key, Number.isFinite(value) ? value : null);
    });
  }
  for (const [id, key] of Object.entries(selects)) {
    document.getElementById(id).addEventListener("change", (event) => onChange(key, event.target.value));
  }
}

export function syncFields({ numbers = {}, selects = {} }, state) {
  for (const [id, key] of Object.entries({ ...numbers, ...selects })) {
    document.getElementById(id).value = state[key] ?? "";
  }
}
