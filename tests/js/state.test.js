// The URL state codec (static/js/state.js): parse with fallbacks, write only what differs.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  accepts, bool, choice, controlsOf, HIDE_SUFFIX, hiddenIds, hideKey, lessonControls, lessonLink, lessonSchema, lessonState,
  list, many,
  num, readState, ruled, str, toSearch, withIds, writeState,
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

// --- classroom links (issue 9) ----------------------------------------------------------------

const fields = { epochs: rules.epochs, learning_rate: rules.learning_rate, optimizer: rules.optimizer };
const lessonful = { ...schema, ...lessonSchema(fields) };

test("a page's lesson keys are its declared fields with the Playground's _hide suffix", () => {
  assert.equal(HIDE_SUFFIX, "_hide");
  assert.deepEqual(Object.keys(lessonSchema(fields)), ["epochs_hide", "learning_rate_hide", "optimizer_hide"]);
  assert.equal(hideKey("learning_rate"), "learning_rate_hide");
});

test("a plain link hides nothing and writes no lesson key", () => {
  const state = readState(lessonful, "?epochs=50");
  assert.deepEqual(hiddenIds(fields, state), []);
  assert.equal(toSearch(lessonful, state), "?epochs=50");
});

test("learning_rate_hide=1 hides that control and keeps the link's value", () => {
  const state = readState(lessonful, "?lr=0.5&learning_rate_hide=1&optimizer_hide=true");
  assert.deepEqual(hiddenIds(fields, state), ["learning_rate", "optimizer"]); // the Playground writes true
  assert.equal(state.lr, 0.5);
  // the lesson survives the page writing its state back
  assert.equal(toSearch(lessonful, state), "?lr=0.5&learning_rate_hide=1&optimizer_hide=1");
});

test("a key for a control the page does not declare is ignored", () => {
  const state = readState(lessonful, "?seed_hide=1&foo_hide=1");
  assert.deepEqual(hiddenIds(fields, state), []);
  assert.equal(toSearch(lessonful, state), "");
});

test("the lesson link is the current view with exactly the ticked controls hidden", () => {
  const state = readState(lessonful, "?epochs=50&optimizer_hide=1");
  const where = { origin: "http://127.0.0.1:8000", pathname: "/train" };
  assert.equal(
    lessonLink(lessonful, fields, state, ["learning_rate", "epochs"], where),
    "http://127.0.0.1:8000/train?epochs=50&epochs_hide=1&learning_rate_hide=1",
  );
  assert.equal(lessonLink(lessonful, fields, state, [], where), "http://127.0.0.1:8000/train?epochs=50");
  // the state itself is not changed by building a link
  assert.deepEqual(hiddenIds(fields, state), ["optimizer"]);
  assert.deepEqual(hiddenIds(fields, lessonState(fields, state, ["epochs"])), ["epochs"]);
});

test("a lesson can also hide the controls that change only the view, which pins it", () => {
  const init = { fields, views: { frame: { label: "Snapshot player" } } };
  assert.deepEqual(Object.keys(lessonControls(init)), ["epochs", "learning_rate", "optimizer", "frame"]);
  const withViews = { ...schema, frame: num(-1), ...lessonSchema(lessonControls(init)) };
  const state = readState(withViews, "?frame=3&frame_hide=1");
  assert.equal(state.frame, 3);
  assert.deepEqual(hiddenIds(lessonControls(init), state), ["frame"]);
  assert.deepEqual(Object.keys(lessonControls({ fields })), Object.keys(fields)); // no views: the fields
});
