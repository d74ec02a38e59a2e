// The Train page's snapshot player: play, pause, step, scrub and reset through a run's
// snapshots of the decision boundary (the #play, #step-back, #step-forward, #reset and #frame
// controls). The page says how many frames there are and draws the one asked for.

// Time between frames while playing: 50 snapshots in 4 s.
const FRAME_MS = 80;

// ready(): a run is shown; count(): its snapshots; show(k): draw frame k; remember(k, last):
// the person stopped on frame k of 0..last (written to the URL).
export function snapshotPlayer({ ready, count, show, remember }) {
  const $ = (id) => document.getElementById(id);
  let frame = 0;
  let timer = null;

  function setFrame(k) {
    if (!ready()) return;
    frame = Math.max(0, Math.min(k, count() - 1));
    $("frame").value = frame;
    show(frame);
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    $("play").textContent = "▶";
    $("play").setAttribute("aria-label", "Play");
  }

  function play() {
    if (!ready() || count() < 2) return;
    if (frame >= count() - 1) setFrame(0);
    $("play").textContent = "⏸";
    $("play").setAttribute("aria-label", "Pause");
    timer = setInterval(() => {
      if (frame >= count() - 1) {
        stop();
        return;
      }
      setFrame(frame + 1);
    }, FRAME_MS);
  }

  const rememberFrame = () => ready() && remember(frame, count() - 1);
  $("play").addEventListener("click", () => (timer ? (stop(), rememberFrame()) : play()));
  $("step-back").addEventListener("click", () => { stop(); setFrame(frame - 1); rememberFrame(); });
  $("step-forward").addEventListener("click", () => { stop(); setFrame(frame + 1); rememberFrame(); });
  $("reset").addEventListener("click", () => { stop(); setFrame(0); rememberFrame(); });
  $("frame").addEventListener("input", (event) => { stop(); setFrame(Number(event.target.value)); });
  $("frame").addEventListener("change", rememberFrame);

  return {
    setFrame,
    play,
    stop,
    get frame() {
      return frame;
    },
    // A new run: the slider's range, then its first frame (playing) or frame k.
    load(k, { animate }) {
      const last = Math.max(0, count() - 1);
      $("frame").max = last;
      if (animate && last > 0) {
        setFrame(0);
        play();
      } else {
        setFrame(k >= 0 ? Math.min(k, last) : last);
      }
    },
  };
}
