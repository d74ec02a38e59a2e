// The URL state codec (static/js/state.js): parse with fallbacks, write only what differs.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  accepts, bool, choice, controlsOf, list, many, num, readState, ruled, str, toSearch, withIds, writeState,
} from "../../static/js/state.js";

const rules = withIds({
  epochs: { integer: true, min: 1, max: 20000, default: 2000 },
  learning_rate: { integer: false, min: 0, min_exclusive: true, max: 10, default: 0.1 },
  optimizer: { choices: [["sgd", "SGD"], ["adam", "Adam"]], default: "sgd" },
});
const schema = {
  epochs: ruled(rules.epochs),
  lr: ruled(rules.learning_rate),
  opt: choice(rules.optimizer),
  loose: choice(rules.optimizer, { strict: false }),
  layers: list([4], Number),
  f: many(["relu", "tanh"]),
  on: bool(false),
  x: num(-6, { min: -1000, max: 1000 }),
  name: str("gelu"),
};

test("a bare link reads every default", () => {
  assert.deepEqual(readState(schema, ""), {
    epochs: 2000, lr: 0.1, opt: "sgd", loose: "sgd", layers: [4], f: ["relu", "tanh"], on: false, x: -6, name: "gelu", extra: {},
  });
});

test("values a rule refuses fall back to its default", () => {
  const s = readState(schema, "?epochs=0&lr=0&opt=rmsprop&x=1e9&layers=&on=1");
  assert.equal(s.epochs, 2000); // below min 1
  assert.equal(s.lr, 0.1); // exclusive minimum 0
  assert.equal(s.opt, "sgd"); // not a choice
  assert.equal(s.x, -6);
  assert.deepEqual(s.layers, []);
  assert.equal(s.on, true);
  assert.equal(readState(schema, "?epochs=2.5").epochs, 2000); // integer rule
  assert.equal(readState(schema, "?epochs=20000").epochs, 20000);
});

test("a loose choice keeps an unknown name so the API can name it", () => {
  assert.equal(readState(schema, "?loose=rmsprop").loose, "rmsprop");
});

test("only what differs from the defaults is written, readably", () => {
  const s = { ...readState(schema, ""), epochs: 300, layers: [4, 4], f: ["elu(alpha:2)"], extra: { alpha: "1.5" } };
  const search = toSearch(schema, s);
  assert.equal(search, "?epochs=300&layers=4,4&f=elu(alpha:2)&alpha=1.5");
  const back = readState(schema, search, () => ["alpha"]);
  assert.deepEqual(back, s);
});

test("foreign keys in a link are not read", () => {
  const s = readState(schema, "?utm_source=x&alpha=2&fbclid=y", () => ["alpha"]);
  assert.deepEqual(s.extra, { alpha: "2" });
  assert.equal(toSearch(schema, s), "?alpha=2");
});

test("properties declared from rules are bound to the controls of the rules' ids", () => {
  assert.deepEqual(controlsOf(schema), {
    numbers: { epochs: "epochs", learning_rate: "lr" },
    selects: { optimizer: "loose" },
  });
  // Two properties on one control: the last one declared wins, so a page declares one.
  assert.deepEqual(controlsOf({ opt: schema.opt }).selects, { optimizer: "opt" });
});

test("accepts follows exclusive bounds and integers", () => {
  assert.equal(accepts(rules.learning_rate, 10), true);
  assert.equal(accepts(rules.learning_rate, 0), false);
  assert.equal(accepts(rules.epochs, 1.5), false);
  assert.equal(accepts({ min: null, max: null }, -1e300), true);
});

test("writeState pushes a new entry or replaces the current one, never a same URL", () => {
  const calls = [];
  const where = {
    location: { pathname: "/train", search: "", hash: "#x" },
    history: {
      pushState: (_, __, url) => calls.push(["push", url]),
      replaceState: (_, __, url) => calls.push(["replace", url]),
    },
  };
  const s = { ...readState(schema, ""), epochs: 5 };
  writeState(schema, s, { push: true }, where);
  writeState(schema, s, {}, where);
  where.location.search = "?epochs=5";
  writeState(schema, s, { push: true }, where);
  assert.deepEqual(calls, [["push", "/train?epochs=5#x"], ["replace", "/train?epochs=5#x"]]);
});
