// The network diagram's click-to-edit box (the Playground's): a small number box over the
// link or bias clicked, holding its current value. Enter checks the value against the server's
// bound (the page's init.live.value rule) and hands it on; Escape (or leaving it) cancels; a
// bad value is said at the box and nothing is sent. One box at a time, outside the SVG, so a
// live frame redrawing the diagram leaves it alone.
import { element } from "./controls.js";
import { checkNumber } from "./ui.js";

export const EDIT_ID = "net-edit";

// container: the diagram's box (position: relative); anchor: the SVG element clicked.
// onCommit(value) may return a message to show at the box instead of closing it.
export function openEditBox(container, anchor, { label, value, rule, onCommit }) {
  closeEditBox(container);
  const input = element("input", {
    type: "text", inputmode: "decimal", id: EDIT_ID, autocomplete: "off", "aria-describedby": `${EDIT_ID}-hint ${EDIT_ID}-error`,
  });
  input.value = String(Number(value.toPrecision(6)));
  const error = element("span", { class: "error", id: `${EDIT_ID}-error`, role: "alert" });
  error.hidden = true;
  const box = element("div", { class: "net-edit", role: "group", "aria-label": label }, [
    element("label", { for: EDIT_ID }, [label]),
    input,
    element("span", { class: "hint", id: `${EDIT_ID}-hint` }, [`Enter to apply (${rule.min} to ${rule.max}), Escape to cancel.`]),
    error,
  ]);
  const where = anchor.getBoundingClientRect();
  const origin = container.getBoundingClientRect();
  const left = Math.max(0, Math.min(where.left - origin.left + container.scrollLeft, container.clientWidth - 220));
  box.style.left = `${left}px`;
  box.style.top = `${where.bottom - origin.top + 4}px`;
  const close = () => {
    box.remove();
    anchor.focus?.();
  };
  const fail = (message) => {
    error.textContent = message;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Enter") {
      event.preventDefault();
      const checked = checkNumber(input.value, rule);
      if (checked.error !== undefined) return fail(checked.error);
      const refused = onCommit(checked.value);
      if (refused) fail(refused);
      else close();
    }
  });
  input.addEventListener("blur", () => {
    // a click elsewhere cancels, as Escape does; the box's own label keeps it open
    setTimeout(() => {
      if (box.isConnected && !box.contains(document.activeElement)) box.remove();
    }, 0);
  });
  container.append(box);
  input.focus();
  input.select();
  return box;
}

export function closeEditBox(container) {
  container.querySelector(".net-edit")?.remove();
}
