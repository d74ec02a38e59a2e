// The Train run's codec (static/js/train.js): URL state <-> POST /api/train body <-> run file.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readState, toSearch } from "../../static/js/state.js";
import {
  RUN_FORMAT, datasetOf, decodePoint, encodePoint, parseRunFile, runFile, runFileName, trainCodec,
} from "../../static/js/train.js";
import { TRAIN_INIT } from "./rules.js";

const codec = trainCodec(TRAIN_INIT);
const read = (search) => readState(codec.schema, search, codec.paramKeys);

test("a bare /train link asks for what POST /api/train {} trains", () => {
  assert.deepEqual(codec.requestBody(read("")), {
    dataset: "xor",
    features: ["x1", "x2"],
    activation: "tanh",
    activation_params: {},
    hidden_layers: [4],
    optimizer: "sgd",
    learning_rate: 0.1,
    epochs: 2000,
    batch_size: null,
    regularization: "none",
    reg_rate: 0,
    init: "xavier",
    seed: 0,
    loss: "bce",
    hidden_space: "all", // views only: the same training as without the field
  });
});

test("a network without hidden layers asks for no hidden space (the API would refuse it)", () => {
  assert.equal("hidden_space" in codec.requestBody(read("?layers=")), false);
});

test("the hidden-space layer is view state: 0 (the last) stays off the link, a foreign value is 0", () => {
  assert.equal(read("").hl, 0);
  assert.equal(read("?hl=2").hl, 2);
  assert.equal(read("?hl=abc").hl, 0);
  assert.equal(read("?hl=-1").hl, 0);
  assert.equal(read("?hl=99").hl, 0);
  assert.equal(toSearch(codec.schema, read("?hl=0")), "");
  assert.deepEqual(codec.requestBody(read("?hl=2")), codec.requestBody(read("")));
});

test("a generated data set is sent in the API's units (Noise % / 100)", () => {
  const body = codec.requestBody(read("?ds=circle&n=200&noise=15&split=70&dseed=3&bs=32&act=elu&alpha=2"));
  assert.deepEqual(body.dataset, { name: "circle", n_samples: 200, noise: 0.15, train_fraction: 0.7, seed: 3 });
  assert.equal(body.batch_size, 32);
  assert.deepEqual(body.activation_params, { alpha: "2" });
});

test("three classes leave the loss to the API (softmax with cross-entropy)", () => {
  assert.equal(codec.classesOf(read("?ds=spiral3")), 3);
  assert.equal("loss" in codec.requestBody(read("?ds=spiral3&loss=mse")), false);
  assert.equal(codec.requestBody(read("?ds=circle&loss=mse")).loss, "mse");
});

test("your own points travel in the URL to 3 decimals and count their classes", () => {
  assert.equal(encodePoint([0.12345, -1.5, 2]), "0.123_-1.5_2");
  assert.deepEqual(decodePoint("0.123_-1.5_2"), [0.123, -1.5, 2]);
  const s = read("?ds=points&pts=0_0_0,1_1_1,0.5_0.5_4");
  assert.equal(codec.classesOf(s), 5);
  assert.deepEqual(codec.requestBody(s).dataset, { points: [[0, 0, 0], [1, 1, 1], [0.5, 0.5, 4]] });
  assert.equal(codec.generated(s), false);
  assert.equal(codec.generated(read("?ds=xor")), false);
  assert.equal(codec.generated(read("?ds=circle")), true);
});

test("a saved request reads back as the state that made it", () => {
  for (const search of ["", "?ds=circle&n=200&noise=15&split=70&dseed=3", "?ds=points&pts=0_0_0,1_1_1",
    "?act=elu&alpha=2&layers=8,8&opt=adam&lr=0.05&loss=mse&bs=16&reg=l2&rr=0.01&epochs=300&seed=7&init=he"]) {
    const state = read(search);
    const back = codec.stateFromBody(codec.requestBody(state));
    assert.equal(toSearch(codec.schema, back), toSearch(codec.schema, state), search);
  }
});

test("an unknown optimizer is kept for the API to name; an unknown data set is not", () => {
  const s = read("?opt=rmsprop&ds=mnist");
  assert.equal(s.opt, "rmsprop");
  assert.equal(s.ds, "xor");
});

test("the run file round-trips and refuses anything else", () => {
  const request = codec.requestBody(read("?seed=4"));
  const result = { setup: { activation: "tanh" }, snapshots: [] };
  const text = JSON.stringify(runFile(request, result));
  assert.deepEqual(parseRunFile(text), { request, result });
  assert.equal(JSON.parse(text).format, RUN_FORMAT);
  assert.equal(runFileName(request, result), "activation-lab-run-tanh-seed4.json");
  assert.throws(() => parseRunFile(JSON.stringify({ format: "other", request, result })), /not a run/);
  assert.throws(() => parseRunFile("null"), /not a run/);
  assert.throws(() => parseRunFile("{"), SyntaxError);
});

test("the run's data set is named for the chart's words", () => {
  assert.equal(datasetOf({ dataset: "xor" }, "points"), "xor");
  assert.equal(datasetOf({ dataset: { name: "moons" } }, "points"), "moons");
  assert.equal(datasetOf({ dataset: { points: [] } }, "points"), "points");
});

test("your own activation is sent as the API's custom, with its expression and values", () => {
  const state = read("?act=custom&expr=beta:1.7|x*sigmoid(beta*x)&beta=3&utm_source=x");
  const body = codec.requestBody(state);
  assert.equal(body.activation, "custom");
  assert.equal(body.expression, "x*sigmoid(beta*x)");
  assert.deepEqual(body.activation_params, { beta: 1.7 }); // the definition's, not a stray ?beta=
  assert.equal(toSearch(codec.schema, state), "?act=custom&expr=beta:1.7|x*sigmoid(beta*x)");
  // a built-in's body carries no expression, and its link none either
  assert.equal("expression" in codec.requestBody(read("?act=tanh&expr=x")), false);
});

test("a saved custom run loads back into the same link", () => {
  const body = codec.requestBody(read("?act=custom&expr=a:1.3|where(x > 0, x, a * (exp(x) - 1))"));
  const back = codec.stateFromBody(body);
  assert.deepEqual(back.expr, { expression: "where(x > 0, x, a * (exp(x) - 1))", params: [["a", "1.3"]] });
  assert.deepEqual(codec.requestBody(back), body);
  assert.equal(codec.stateFromBody(codec.requestBody(read("?act=elu&alpha=2"))).expr, null);
});
