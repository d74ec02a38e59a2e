// The Train page's live session: the "Live training" panel's buttons, one LiveSession
// (static/js/live.js, WS /api/train/live) and the frames it brings, drawn through the page's one
// view renderer. The page owns the controls and the URL; this owns the socket, the live curves
// and the panel's readout. While a session is live it replaces the recorded run's snapshot
// player; "Back to the recorded run" (or Train) closes it and shows the recorded run again.
import { ApiError } from "./api.js";
import { LiveSession } from "./live.js";
import { frameView, LiveCurves, liveChange } from "./live-view.js";
import { $, checkNumber, clearError, download, fmt, showError } from "./ui.js";

// The screen-reader readout while playing: at most one announcement this often (30 frames a
// second would be noise); a pause or a step is announced at once.
const ANNOUNCE_MS = 5000;
// How often a busy server is asked again before the panel gives up (each wait is its Retry-After).
const MAX_BUSY_RETRIES = 10;

// page: {
//   body(): the POST /api/train body the controls give, or null (a control is refused: its
//     message is already at the control),
//   dataFor(body): Promise of {data, n_classes} for the body's data (the points to draw),
//   draw(view): Promise, draws {run, snapshot, request, live: true} (the page's one renderer),
//   entered(on): the panel went live (true) or back to the recorded run (false),
//   report(error): an ApiError from the socket, to the control it names,
//   regenerated(): the page moved its data seed on (Regenerate) and returns the new body,
// }
export function liveController(page, rules) {
  let session = null;
  let body = null; // what the session started from (or was last set to)
  let active = false; // live mode: the panel's session replaces the recorded player
  let playing = false;
  let wantPlay = false; // play once the started session is there (Start live on a new socket)
  let epoch = 0;
  let data = null; // {data, n_classes} of the session's points
  let dataBody = null;
  let latest = null; // the newest frame not yet drawn
  let drawing = false;
  let view = null; // the last frame drawn, as a view
  let busyTries = 0;
  let lastAnnounced = 0;
  let generation = 0; // a newer session's data wins over an older one's
  const curves = new LiveCurves();

  const status = (text) => {
    $("#live-status").textContent = text;
  };

  function readout(header) {
    const parts = [`loss ${header.loss === null ? "— (diverged)" : fmt(header.loss)}`];
    if (header.accuracy !== null) parts.push(`accuracy ${fmt(header.accuracy * 100, 1)} %`);
    if (header.test_accuracy !== null) parts.push(`test accuracy ${fmt(header.test_accuracy * 100, 1)} %`);
    if (header.diverged_epoch !== null) parts.push(`diverged at epoch ${header.diverged_epoch}: Reset weights or edit one to revive it`);
    $("#live-epoch").textContent = String(header.epoch);
    $("#live-metrics").textContent = parts.join(" · ");
    const now = performance.now();
    if (!header.playing || now - lastAnnounced > ANNOUNCE_MS) {
      lastAnnounced = now;
      $("#live-announce").textContent = `Epoch ${header.epoch}, ${parts.join(", ")}${header.playing ? "" : ", paused"}.`;
    }
  }

  function showPlaying(on) {
    playing = on;
    const button = $("#live-play");
    button.textContent = on ? "Pause live" : "▶ Start live";
    button.setAttribute("aria-pressed", String(on));
  }

  function enter() {
    if (active) return;
    active = true;
    page.entered(true);
  }

  // A session on a socket, started from `from`; `then` commands follow the start in order.
  function start(from, { play = false, then = () => {} } = {}) {
    const mine = ++generation;
    enter();
    clearError("live");
    body = from;
    curves.clear();
    latest = null;
    wantPlay = play;
    if (!session) session = connect();
    session.start(from);
    then(session);
    if (play) session.play();
    const key = JSON.stringify(from.dataset);
    if (key !== dataBody) {
      data = null;
      dataBody = key;
      page.dataFor(from).then((points) => {
        if (mine !== generation && JSON.stringify(body.dataset) !== key) return; // a newer session's data
        data = points;
        drawLatest();
      }).catch((error) => page.report(error));
    }
  }

  function connect() {
    const socket = new LiveSession({
      onFrame: (frame) => {
        if (session !== socket) return;
        busyTries = 0;
        curves.add(frame.header);
        epoch = frame.header.epoch;
        showPlaying(frame.header.playing);
        readout(frame.header);
        latest = frame;
        drawLatest();
      },
      onMessage: (message) => {
        if (session !== socket) return;
        if (message.type === "started") status("");
        else if (message.type === "error" && !message.retry_after) page.report(new ApiError(422, message.detail));
        else if (message.type === "closing") {
          status(`The server ended this live session: ${message.msg} Press Start live (or Step) to begin a new one from the controls.`);
        }
      },
      onClose: ({ code, reason }) => {
        if (session !== socket) return;
        session = null;
        showPlaying(false);
        if (code === 1013 && busyTries < MAX_BUSY_RETRIES) {
          busyTries += 1;
          retryWhenFree(retryAfterOf(reason));
        } else if (code === 1013) {
          status("Every live session is taken: try again in a minute.");
        } else if (code !== 1000 && code !== 1012) {
          status(`The live connection closed (code ${code}). Press Start live (or Step) to begin a new session from the controls.`);
        }
      },
    });
    return socket;
  }

  // "Busy, retrying in N s", as api.js counts down for HTTP 503, then the same start again.
  function retryWhenFree(seconds) {
    let left = seconds;
    const tick = () => {
      if (session || !active) return; // a newer start, or back to the recorded run
      if (left <= 0) {
        status("");
        start(body, { play: wantPlay });
        return;
      }
      status(`Busy, retrying in ${left} s`);
      left -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  }

  async function drawLatest() {
    if (drawing || !latest || !data) return;
    drawing = true;
    try {
      while (latest) {
        const frame = latest;
        latest = null; // a frame that comes while this one draws replaces any other waiting
        const shown = frameView(frame);
        const run = {
          setup: { n_classes: data.n_classes, features: body.features, activation: body.activation },
          data: data.data,
          grid: shown.grid,
          thumbnail_grid: shown.thumbnailGrid,
          weights: shown.layers,
          ...curves.asRun(),
          diverged: frame.header.diverged_epoch !== null,
        };
        view = { run, snapshot: shown.snapshot, request: body, live: true };
        await page.draw(view);
        performance.mark("actlab:live-frame", { detail: { epoch: frame.header.epoch } });
      }
    } finally {
      drawing = false;
    }
  }

  // The panel's box in its own units, or undefined (its message is at the box).
  function boxValue(id, rule) {
    clearError(id);
    const checked = checkNumber($(`#${id}`).value, rule);
    if (checked.error !== undefined) {
      showError(id, checked.error);
      return undefined;
    }
    return checked.value;
  }

  // A session to send to: the one there is, or a new one from the controls (paused).
  function ensure() {
    if (session) return true;
    const from = page.body();
    if (!from) return false;
    start(from);
    return true;
  }

  $("#live-play").addEventListener("click", () => {
    if (playing) {
      session?.pause();
      showPlaying(false);
      return;
    }
    const speed = boxValue("live-speed", rules.speed);
    if (speed === undefined) return;
    if (!session) {
      const from = page.body();
      if (!from) return;
      start(from, { play: true, then: (s) => s.speed(speed) });
    } else {
      session.speed(speed);
      session.play();
    }
    showPlaying(true);
  });
  $("#live-step").addEventListener("click", () => {
    const n = boxValue("live-step-n", rules.step);
    if (n === undefined || !ensure()) return;
    session.step(n);
    showPlaying(false);
  });
  $("#live-speed").addEventListener("change", () => {
    const speed = boxValue("live-speed", rules.speed);
    if (speed !== undefined && session) session.speed(speed);
  });
  $("#live-step-n").addEventListener("change", () => boxValue("live-step-n", rules.step));
  $("#live-reset").addEventListener("click", () => {
    if (!ensure()) return;
    session.reset(); // the seed after the current one: new weights, epoch 0
    curves.clear();
  });
  $("#live-regenerate").addEventListener("click", () => {
    if (!ensure()) return;
    const next = page.regenerated();
    if (!next) return;
    session.regenerate(next.dataset.seed);
    body = { ...body, dataset: next.dataset };
    data = null;
    dataBody = JSON.stringify(next.dataset);
    const mine = generation;
    page.dataFor(body).then((points) => {
      if (mine !== generation) return;
      data = points;
      drawLatest();
    }).catch((error) => page.report(error));
  });
  $("#live-save").addEventListener("click", async () => {
    if (!session) {
      showError("live", "No live session to save: press Start live or Step first.");
      return;
    }
    const history = await session.exportHistory();
    download(`activation-lab-live-${body.activation}-epoch${history.epoch}.json`, JSON.stringify(history), "application/json");
  });
  $("#live-back").addEventListener("click", () => leave());

  // Back to the recorded run: the socket closes (the server frees its worker at once). quiet:
  // the page draws a run of its own next (Train, a loaded run), so nothing is redrawn here.
  function leave({ quiet = false } = {}) {
    if (!active) return;
    generation += 1;
    active = false;
    session?.close();
    session = null;
    view = null;
    latest = null;
    showPlaying(false);
    status("");
    page.entered(false, { quiet });
  }

  return {
    get active() {
      return active;
    },
    get view() {
      return view;
    },
    get epoch() {
      return epoch;
    },
    get playing() {
      return playing;
    },
    start,
    leave,
    // The controls changed while live: a `set` (weights kept) or a new session.
    apply(next) {
      if (!active) return;
      const change = liveChange(body, next);
      if (change.restart || !session) start(next, { play: playing });
      else if (Object.keys(change.set).length) {
        session.set(change.set);
        body = next;
        const what = Object.entries(change.set).map(([key, value]) => `${key} = ${value ?? "full batch"}`).join(", ");
        status(`From epoch ${epoch} on: ${what}; the weights and the optimiser state are kept.`);
      } else body = next;
    },
    // An edit of the diagram: to this session, or (recorded run) a new one from `from`.
    edit(command, from = null) {
      const send = (s) => (command.kind === "weight"
        ? s.editWeight(command.layer, command.from_unit, command.to_unit, command.value)
        : s.editBias(command.layer, command.to_unit, command.value));
      if (session && active) send(session);
      else if (from) start(from, { then: send });
    },
    redraw() {
      if (view) return page.draw(view);
      return null;
    },
  };
}

function retryAfterOf(reason) {
  try {
    const seconds = Number(JSON.parse(reason).retry_after);
    return Number.isFinite(seconds) && seconds > 0 ? seconds : 1;
  } catch {
    return 1;
  }
}
