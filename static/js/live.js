// The live training client (WS /api/train/live, see GET /api/train/live/schema and README's
// "Live training"): connect, send commands, decode the server's binary frames into typed arrays.
// No DOM here: a page wires a LiveSession to its controls and draws the frames it gets.
import { api } from "./api.js";

export const FRAME_MAGIC = "ALF1";
const ALIGN = 8;
const pad = (n) => (ALIGN - (n % ALIGN)) % ALIGN;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const TYPES = { float32: Float32Array, float64: Float64Array };

// A frame (an ArrayBuffer, or a typed array over one) -> { header, arrays: { name: typed array } }.
// Arrays view the buffer in place (each starts at a multiple of 8); on a big-endian machine
// they are copied through a DataView instead.
export function decodeFrame(data) {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== FRAME_MAGIC) throw new Error(`not an Activation Lab frame (${JSON.stringify(magic)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + size)));
  const start = 8 + size + pad(8 + size);
  const arrays = {};
  for (const { name, dtype, shape, offset } of header.arrays) {
    const Type = TYPES[dtype];
    if (!Type) throw new Error(`unknown dtype ${dtype} of ${name}`);
    const count = shape.reduce((a, b) => a * b, 1);
    const at = start + offset;
    if (at + count * Type.BYTES_PER_ELEMENT > bytes.byteLength) throw new Error(`frame too short for ${name}`);
    if (LITTLE_ENDIAN && (bytes.byteOffset + at) % Type.BYTES_PER_ELEMENT === 0) {
      arrays[name] = new Type(bytes.buffer, bytes.byteOffset + at, count);
    } else {
      const copy = new Type(count);
      const get = dtype === "float32" ? (i) => view.getFloat32(at + 4 * i, true) : (i) => view.getFloat64(at + 8 * i, true);
      for (let i = 0; i < count; i += 1) copy[i] = get(i);
      arrays[name] = copy;
    }
  }
  return { header, arrays };
}

// Row r of a (rows, cols) array stored row-major: the 2-D grids and weight matrices of a frame.
export function rows(array, shape) {
  const cols = shape[shape.length - 1];
  const out = [];
  for (let r = 0; r < array.length / cols; r += 1) out.push(array.subarray(r * cols, (r + 1) * cols));
  return out;
}

// One session over one socket. Callbacks: onFrame({header, arrays}), onMessage(json) for
// started/error/history/closing, onClose({code, reason}). `socket` may be given (tests).
// Every frame is acknowledged once onFrame has taken it.
export class LiveSession {
  constructor({ url = null, socket = null, onFrame = () => {}, onMessage = () => {}, onClose = () => {} } = {}) {
    this.socket = socket ?? new WebSocket(url ?? api.liveSocketUrl());
    this.socket.binaryType = "arraybuffer";
    this.pending = [];
    this.historyWaiters = [];
    this.socket.addEventListener("open", () => {
      for (const text of this.pending.splice(0)) this.socket.send(text);
    });
    this.socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") {
        const message = JSON.parse(event.data);
        if (message.type === "history") for (const resolve of this.historyWaiters.splice(0)) resolve(message.history);
        onMessage(message);
      } else {
        try {
          onFrame(decodeFrame(event.data));
        } finally {
          // Flow control: the server sends the next frame only for this ack (at most two in
          // flight), so frames wait at the server, replaced by newer ones, not in the socket's
          // buffers, and what the page shows is never seconds behind (a pause shows at once).
          this.send({ type: "ack" });
        }
      }
    });
    this.socket.addEventListener("close", (event) => onClose({ code: event.code, reason: event.reason }));
  }

  send(command) {
    const text = JSON.stringify(command);
    if (this.socket.readyState === 1) this.socket.send(text);
    else this.pending.push(text);
  }

  start(body) { this.send({ type: "start", body }); }
  play() { this.send({ type: "play" }); }
  pause() { this.send({ type: "pause" }); }
  step(n = 1) { this.send({ type: "step", n }); }
  speed(epochsPerFrame) { this.send({ type: "speed", epochs_per_frame: epochsPerFrame }); }
  set(changes) { this.send({ type: "set", ...changes }); }
  editWeight(layer, fromUnit, toUnit, value) {
    this.send({ type: "edit", layer, kind: "weight", from_unit: fromUnit, to_unit: toUnit, value });
  }
  editBias(layer, toUnit, value) { this.send({ type: "edit", layer, kind: "bias", to_unit: toUnit, value }); }
  reset(seed = null) { this.send(seed === null ? { type: "reset" } : { type: "reset", seed }); }
  regenerate(dataSeed = null) {
    this.send(dataSeed === null ? { type: "regenerate" } : { type: "regenerate", data_seed: dataSeed });
  }
  replay(history) { this.send({ type: "replay", history }); }
  // The session's history (start body and every command at its epoch), as the server keeps it.
  exportHistory() {
    return new Promise((resolve) => {
      this.historyWaiters.push(resolve);
      this.send({ type: "export" });
    });
  }
  close() { this.socket.close(1000); }
}
