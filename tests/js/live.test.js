// The live client (static/js/live.js): its frame decoder against bytes the Python encoder wrote
// (tests/data/live_frame.bin, kept equal to a fresh encoding by tests/web/test_live_frames.py),
// and its commands on a stand-in socket.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { api } from "../../static/js/api.js";
import { LiveSession, decodeFrame, rows } from "../../static/js/live.js";

const bin = readFileSync(new URL("../data/live_frame.bin", import.meta.url));
const expected = JSON.parse(readFileSync(new URL("../data/live_frame.json", import.meta.url), "utf8"));

test("the decoder reads the Python encoder's header", () => {
  const { header } = decodeFrame(bin);
  assert.deepEqual(header, expected.header);
  assert.equal(header.epoch, 10);
  assert.equal(header.grid.points, 6);
});

test("the decoder's arrays hold the encoder's numbers, float32 grids and float64 weights", () => {
  const { arrays } = decodeFrame(bin);
  assert.deepEqual(Object.keys(arrays), Object.keys(expected.arrays));
  for (const [name, values] of Object.entries(expected.arrays)) {
    assert.deepEqual(Array.from(arrays[name]), values, name);
  }
  assert.ok(arrays.output instanceof Float32Array && arrays["W.0"] instanceof Float64Array);
  assert.equal(arrays.output.length, 36);
  assert.equal(arrays["hidden.0"].length, 4 * 2 * 2);
});

test("a frame inside a larger buffer decodes the same (copied when misaligned)", () => {
  const shifted = new Uint8Array(bin.length + 3);
  shifted.set(bin, 3);
  const { arrays } = decodeFrame(shifted.subarray(3));
  assert.deepEqual(Array.from(arrays["W.1"]), expected.arrays["W.1"]);
});

test("bytes that are not a frame are refused", () => {
  assert.throws(() => decodeFrame(new Uint8Array(16)), /not an Activation Lab frame/);
  assert.throws(() => decodeFrame(new Uint8Array(bin).subarray(0, bin.length - 8)), /too short/);
});

test("rows splits a row-major matrix by its shape", () => {
  const { arrays, header } = decodeFrame(bin);
  const w = header.arrays.find((a) => a.name === "W.0");
  const matrix = rows(arrays["W.0"], w.shape);
  assert.equal(matrix.length, 2);
  assert.deepEqual(Array.from(matrix[1]), expected.arrays["W.0"].slice(4, 8));
});

class FakeSocket extends EventTarget {
  constructor() { super(); this.readyState = 0; this.sent = []; }
  send(text) { this.sent.push(JSON.parse(text)); }
  open() { this.readyState = 1; this.dispatchEvent(new Event("open")); }
  receive(data) { const e = new Event("message"); e.data = data; this.dispatchEvent(e); }
}

test("commands queue until the socket opens and carry the protocol's field names", async () => {
  const socket = new FakeSocket();
  const frames = [];
  const live = new LiveSession({ socket, onFrame: (f) => frames.push(f) });
  live.start({ dataset: "xor" });
  socket.open();
  live.step(5);
  live.speed(3);
  live.set({ learning_rate: 0.3 });
  live.editWeight(0, 1, 2, 0.5);
  live.editBias(1, 0, -1);
  live.reset();
  live.regenerate(4);
  const history = live.exportHistory();
  socket.receive(JSON.stringify({ type: "history", history: { epoch: 5 } }));
  socket.receive(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  assert.deepEqual(socket.sent, [
    { type: "start", body: { dataset: "xor" } },
    { type: "step", n: 5 },
    { type: "speed", epochs_per_frame: 3 },
    { type: "set", learning_rate: 0.3 },
    { type: "edit", layer: 0, kind: "weight", from_unit: 1, to_unit: 2, value: 0.5 },
    { type: "edit", layer: 1, kind: "bias", to_unit: 0, value: -1 },
    { type: "reset" },
    { type: "regenerate", data_seed: 4 },
    { type: "export" },
    { type: "ack" }, // the frame, acknowledged once onFrame took it
  ]);
  assert.deepEqual(await history, { epoch: 5 });
  assert.equal(frames[0].header.epoch, 10);
});

test("the socket URL is same-origin, wss behind https", () => {
  assert.equal(api.liveSocketUrl("https://lab.example.org/train?x=1"), "wss://lab.example.org/api/train/live");
  assert.equal(api.liveSocketUrl("http://127.0.0.1:8000/"), "ws://127.0.0.1:8000/api/train/live");
});
