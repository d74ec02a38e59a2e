// The only module that knows endpoint paths. Every call resolves to parsed data or throws
// ApiError, whose `errors` list ({field, msg}) lets a page put each message next to its control.

export class ApiError extends Error {
  constructor(status, detail, retryAfter = null) {
    const errors = normaliseDetail(detail, status);
    super(errors.map((e) => (e.field ? `${e.field}: ${e.msg}` : e.msg)).join("; "));
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
    this.retryAfter = retryAfter; // seconds, from a 503's Retry-After header
  }
}

// A 503 means every training worker is busy (or this replica is shutting down): wait the
// Retry-After the server sent, counting down where the page shows its status, and send again.
const MAX_BUSY_RETRIES = 30;

function retryAfterOf(value) {
  const seconds = Number.parseInt(value ?? "", 10);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 1;
}

async function retryingWhenBusy(send, signal) {
  for (let tries = 0; ; tries += 1) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 503 || tries >= MAX_BUSY_RETRIES) throw error;
      await countdown(error.retryAfter ?? 1, signal);
    }
  }
}

// The status line: a running request's progress text, else a notice of api.js's own.
function statusLine() {
  const progress = document.querySelector(".progress:not([hidden]) .progress-text");
  if (progress) return { line: progress, restore: progress.textContent };
  let line = document.getElementById("api-busy");
  if (!line) {
    line = document.createElement("p");
    line.id = "api-busy";
    line.className = "notice";
    line.setAttribute("role", "status");
    (document.querySelector("main") ?? document.body).prepend(line);
  }
  line.hidden = false;
  return { line, restore: null };
}

function countdown(seconds, signal) {
  return new Promise((resolve, reject) => {
    const { line, restore } = statusLine();
    let left = seconds;
    const show = () => {
      line.textContent = `Busy, retrying in ${left} s`;
    };
    const finish = (settle, value) => {
      clearInterval(timer);
      signal?.removeEventListener("abort", onAbort);
      if (restore === null) line.hidden = true;
      else line.textContent = restore;
      settle(value);
    };
    const onAbort = () => finish(reject, new DOMException("cancelled", "AbortError"));
    const timer = setInterval(() => {
      left -= 1;
      if (left <= 0) finish(resolve);
      else show();
    }, 1000);
    show();
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function normaliseDetail(detail, status) {
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const loc = Array.isArray(d.loc) ? d.loc : [];
      // The field is the last named part of loc: ["query", "alpha"], ["body", "params", "alpha"].
      const named = loc.filter((part) => typeof part === "string" && part !== "body");
      // ctx: where a refused expression goes wrong ({position, text}), for the editor to mark.
      return { field: named.length > 1 ? named[named.length - 1] : named[0] ?? "", loc, msg: d.msg, type: d.type, ctx: d.ctx ?? null };
    });
  }
  const msg = typeof detail === "string" ? detail : `request failed (HTTP ${status})`;
  return [{ field: "", loc: [], msg, type: "" }];
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function failure(response) {
  const retryAfter = response.status === 503 ? retryAfterOf(response.headers.get("Retry-After")) : null;
  return new ApiError(response.status, detailOf(await response.text(), response.status), retryAfter);
}

async function getJSON(path, signal) {
  const response = await fetch(path, { headers: { Accept: "application/json" }, signal });
  if (!response.ok) throw await failure(response);
  return response.json();
}

function postJSON(path, body, signal) {
  return retryingWhenBusy(async () => {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    if (!response.ok) throw await failure(response);
    return response.json();
  }, signal);
}

// POST a body and read Server-Sent Events back: `progress` events go to onProgress, the
// `result` event's data resolves the promise. Aborting `signal` stops the server's work too.
// XMLHttpRequest rather than fetch: its progress events expose the stream as it arrives, and
// Chromium reports a fetch body read to the end through a reader as an aborted request.
function postStream(path, body, options = {}) {
  return retryingWhenBusy(() => streamOnce(path, body, options), options.signal);
}

function streamOnce(path, body, { onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let offset = 0;
    let settled = false;
    const settle = (fn, value) => {
      if (!settled) {
        settled = true;
        fn(value);
      }
    };
    const consume = () => {
      const text = xhr.responseText;
      let end;
      while (!settled && (end = text.indexOf("\n\n", offset)) >= 0) {
        const event = parseEvent(text.slice(offset, end));
        offset = end + 2;
        if (event.type === "progress" && onProgress) onProgress(JSON.parse(event.data));
        else if (event.type === "result") settle(resolve, JSON.parse(event.data));
        else if (event.type === "error") {
          const data = JSON.parse(event.data);
          settle(reject, new ApiError(data.status ?? 422, data.detail ?? event.data));
        }
      }
    };
    xhr.open("POST", path);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.setRequestHeader("Accept", "text/event-stream");
    xhr.onprogress = () => xhr.status === 200 && consume();
    xhr.onload = () => {
      if (xhr.status !== 200) {
        const retryAfter = xhr.status === 503 ? retryAfterOf(xhr.getResponseHeader("Retry-After")) : null;
        settle(reject, new ApiError(xhr.status, detailOf(xhr.responseText, xhr.status), retryAfter));
        return;
      }
      consume();
      settle(reject, new ApiError(0, "the stream ended without a result"));
    };
    xhr.onerror = () => settle(reject, new ApiError(0, "the connection to the server failed"));
    xhr.onabort = () => settle(reject, new DOMException("cancelled", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(JSON.stringify(body));
  });
}

function detailOf(text, status) {
  try {
    return JSON.parse(text).detail;
  } catch {
    return `request failed (HTTP ${status})`;
  }
}

function parseEvent(block) {
  let type = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return { type, data: data.join("\n") };
}

const enc = encodeURIComponent;

export const api = {
  activations: () => getJSON("/api/activations"),
  activation: (name, params) => getJSON(`/api/activations/${enc(name)}${query(params)}`),
  curve: (name, params, { xMin, xMax, points }) =>
    getJSON(`/api/activations/${enc(name)}/curve${query({ x_min: xMin, x_max: xMax, points, ...params })}`),
  // Your own activation: its TeX, MathML and estimated properties, or a 422 saying where it is wrong.
  describeExpression: (expression, params) => postJSON("/api/expressions", { expression, params, mathml: true }),
  customCurve: (expression, params, { xMin, xMax, points }) =>
    getJSON(`/api/activations/custom/curve${query({ expression, x_min: xMin, x_max: xMax, points, ...params })}`),
  evaluate: (name, x, params) => postJSON(`/api/activations/${enc(name)}/evaluate`, { x, params }),
  softmax: (logits, temperature) => postJSON("/api/softmax", { logits, temperature, jacobian: true }),
  // The formula card is HTML rendered on the server (MathML), not JSON.
  card: async (name, params) => {
    const response = await fetch(`/explore/card/${enc(name)}${query(params)}`);
    if (!response.ok) throw await failure(response);
    return response.text();
  },
  train: (body, signal) => postJSON("/api/train", body, signal),
  trainStream: (body, options) => postStream("/api/train/stream", body, options),
  // A saved live session (its history: {version, start, commands, epoch}) trained again as a
  // recorded run: the same answer as POST /api/train.
  replayRun: (history, { signal } = {}) => postJSON("/api/train/replay", history, signal),
  sweep: (body, signal) => postJSON("/api/train/sweep", body, signal),
  sweepStream: (body, options) => postStream("/api/train/sweep/stream", body, options),
  gradientFlow: (body, signal) => postJSON("/api/gradient-flow", body, signal),
  xorLinear: () => getJSON("/api/xor/linear"),
  xorSolution: () => getJSON("/api/xor/solution"),
  // The live training WebSocket (static/js/live.js speaks its protocol): same origin, ws or wss.
  liveSocketUrl: (base = globalThis.location.href) => {
    const url = new URL("/api/train/live", base);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.href;
  },
};
