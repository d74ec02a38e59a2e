// The start-up every page shares: its initial state from the server, back/forward through the
// URL state, the theme, the export buttons, the first render, and then Plotly. Each page's entry
// (static/js/pages/) declares its schema and handlers and calls startPage once.
import { hideControls, lessonPanel } from "./controls.js";
import { lessonControls, onNavigate, readState } from "./state.js";
import { initialState, onThemeChange, plotlyReady, wireExports } from "./ui.js";

// The page's data from app/web/routes/pages.py: catalogue, control rules by id, choices.
export const init = initialState();

// navigated(state): back/forward brought this URL state; themed(): the OS theme changed;
// start(): the first render, whose API requests go out before Plotly's 4.8 MB run.
// A schema that declares lesson keys (state.js lessonSchema) makes the page a classroom page: a
// link's `<field>_hide=1` hides that control, and "Share as a lesson" builds such links.
export function startPage({ schema, extraKeys, navigated, themed, start }) {
  const fields = lessonControls(init);
  const current = () => readState(schema, window.location.search, extraKeys);
  onNavigate(schema, (next) => {
    hideControls(fields, next);
    navigated(next);
  }, extraKeys);
  onThemeChange(themed);
  wireExports();
  hideControls(fields, current());
  lessonPanel(document.querySelector(".controls"), schema, fields, current);
  start();
  // The first requests are on their way: let the browser run Plotly while the server computes.
  setTimeout(plotlyReady, 0);
}
