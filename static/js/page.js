// The start-up every page shares: its initial state from the server, back/forward through the
// URL state, the theme, the export buttons, the first render, and then Plotly. Each page's entry
// (static/js/pages/) declares its schema and handlers and calls startPage once.
import { onNavigate } from "./state.js";
import { initialState, onThemeChange, plotlyReady, wireExports } from "./ui.js";

// The page's data from app/web/routes/pages.py: catalogue, control rules by id, choices.
export const init = initialState();

// navigated(state): back/forward brought this URL state; themed(): the OS theme changed;
// start(): the first render, whose API requests go out before Plotly's 4.8 MB run.
export function startPage({ schema, extraKeys, navigated, themed, start }) {
  onNavigate(schema, navigated, extraKeys);
  onThemeChange(themed);
  wireExports();
  start();
  // The first requests are on their way: let the browser run Plotly while the server computes.
  setTimeout(plotlyReady, 0);
}
