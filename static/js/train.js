// A Train run in its three forms: the page's URL state, the API's request body (POST
// /api/train), and the file "Export run" saves. Everything here is pure (no DOM, no window), so
// Node's test runner checks it (tests/js/train.test.js); the page entry is pages/train.js.
//
// The facts come from the server's initial state (app/web/routes/pages.py): every control's
// rule in `fields` (defaults, bounds, choices, in the control's units), the class count of each
// generated data set, and the name of "your own points". A bare /train link therefore trains
// what POST /api/train {} trains.
import { ownParams } from "./controls.js";
import { paramValues } from "./expressions.js";
import { bool, choice, definition, int, lessonControls, lessonSchema, list, paramNames, readState, ruled } from "./state.js";

export const RUN_FORMAT = "activation-lab/train-run";
export const RUN_VERSION = 1;

// A point in the URL: "x1_x2_label", coordinates to 3 decimals (a click is not more precise).
export const encodePoint = ([x1, x2, label]) => `${+x1.toFixed(3)}_${+x2.toFixed(3)}_${label}`;
export const decodePoint = (text) => text.split("_").map(Number);

// 0.1 x 100 is 10.000000000000002: the box shows 10.
const inUnits = (value, rule) =>
  value === null || value === undefined ? rule.default : Number((value * rule.scale).toPrecision(12));

// The codec for one page's initial state `init`: {fields, catalogue, n_classes, own_points,
// fixed_datasets, expressions}. Your own activation (act=custom) is `expr`, its definition.
export function trainCodec(init) {
  const rules = init.fields;
  const byName = Object.fromEntries(init.catalogue.map((e) => [e.name, e]));
  const own = init.own_points;
  const custom = init.expressions.name;
  // The URL's keys. Those declared from a rule are bound to the control of the rule's id.
  // A name outside the choices (activation, init, optimizer) is kept, so the API's answer is
  // shown at the control; a bad data set, loss or regularisation falls back to the default.
  const schema = {
    ds: choice(rules.dataset),
    n: ruled(rules.n_samples),
    noise: ruled(rules.noise),
    split: ruled(rules.train_fraction),
    dseed: ruled(rules.data_seed),
    pts: list([]),
    feats: list(rules.features.default),
    act: choice(rules.activation, { strict: false }),
    expr: definition({ maxParams: init.expressions.max_params }),
    layers: list(rules.hidden_layers.default, Number),
    init: choice(rules.init, { strict: false }),
    opt: choice(rules.optimizer, { strict: false }),
    lr: ruled(rules.learning_rate),
    loss: choice(rules.loss),
    bs: int(0, { min: 0 }), // 0: full batch (the API's null)
    reg: choice(rules.regularization),
    rr: ruled(rules.reg_rate),
    epochs: ruled(rules.epochs),
    seed: ruled(rules.seed),
    frame: int(-1, { min: -1 }), // -1: the last snapshot
    test: bool(true), // "Show test data" on the boundary chart
    disc: bool(false), // "Discretize output": the decided class instead of the probability
    xor: bool(false), // the "Linear vs non-linear on XOR" section is open
    hl: int(0, { min: 0, max: rules.hidden_layers.max_items }), // the hidden-space layer, 1-based; 0: the last
    ...lessonSchema(lessonControls(init)), // <field>_hide=1: a lesson link hides that control
  };
  // The link's keys read besides the schema's: the chosen activation's own parameters.
  const paramKeys = (s) => paramNames(byName[s.act]);

  // A generated data set with knobs (not the fixed truth table, not your own points).
  const generated = (s) => s.ds !== own && !init.fixed_datasets.includes(s.ds);

  // Classes in the data: the server's count for a generated set, the labels for your own points.
  function classesOf(s) {
    if (s.ds === own) return Math.max(2, ...s.pts.map((p) => decodePoint(p)[2] + 1));
    return init.n_classes[s.ds] ?? 2;
  }

  function requestBody(s) {
    let dataset;
    if (s.ds === own) dataset = { points: s.pts.map(decodePoint) };
    else if (!generated(s)) dataset = s.ds;
    else {
      dataset = {
        name: s.ds, n_samples: s.n, noise: s.noise / rules.noise.scale,
        train_fraction: s.split / rules.train_fraction.scale, seed: s.dseed,
      };
    }
    const body = {
      dataset,
      features: s.feats,
      activation: s.act,
      activation_params: s.act === custom ? paramValues(s.expr ?? { params: [] }) : ownParams(byName[s.act], s.extra),
      hidden_layers: s.layers,
      optimizer: s.opt,
      learning_rate: s.lr,
      epochs: s.epochs,
      batch_size: s.bs > 0 ? s.bs : null,
      regularization: s.reg,
      reg_rate: s.rr,
      init: s.init,
      seed: s.seed,
    };
    if (s.act === custom) body.expression = s.expr?.expression ?? "";
    // Every hidden layer's view, so the hidden-space picker switches layers without training
    // again; the field only adds views, the run is the same one (README "Hidden space").
    if (s.layers.length) body.hidden_space = init.hidden_space.every_layer;
    // More classes than two: a softmax output, whose loss is cross-entropy (the API's default).
    if (classesOf(s) === 2) body.loss = s.loss;
    return body;
  }

  // The state a saved request stands for (Load run): the inverse of requestBody.
  function stateFromBody(body) {
    const d = body.dataset ?? schema.ds.fallback;
    const next = readState(schema, "");
    if (typeof d === "string") next.ds = d;
    else if (d.points) {
      next.ds = own;
      next.pts = d.points.map(encodePoint);
    } else {
      Object.assign(next, {
        ds: d.name, n: inUnits(d.n_samples, rules.n_samples), noise: inUnits(d.noise, rules.noise),
        split: inUnits(d.train_fraction, rules.train_fraction), dseed: inUnits(d.seed, rules.data_seed),
      });
    }
    const losses = rules.loss.choices.map(([value]) => value);
    Object.assign(next, {
      feats: body.features ?? next.feats,
      act: body.activation ?? next.act,
      extra: body.activation === custom ? {} : Object.fromEntries(Object.entries(body.activation_params ?? {}).map(([k, v]) => [k, String(v)])),
      expr: body.activation === custom
        ? { expression: String(body.expression ?? ""), params: Object.entries(body.activation_params ?? {}).map(([k, v]) => [k, String(v)]) }
        : null,
      layers: body.hidden_layers ?? next.layers,
      opt: body.optimizer ?? next.opt,
      lr: body.learning_rate ?? next.lr,
      loss: losses.includes(body.loss) ? body.loss : next.loss,
      bs: body.batch_size ?? 0,
      reg: body.regularization ?? next.reg,
      rr: body.reg_rate ?? next.rr,
      epochs: body.epochs ?? next.epochs,
      seed: body.seed ?? next.seed,
      init: body.init ?? next.init,
    });
    return next;
  }

  return { schema, paramKeys, generated, classesOf, requestBody, stateFromBody };
}

// The run's data set by name, for the chart's words ("cannot separate XOR").
export function datasetOf(body, own) {
  const d = body?.dataset;
  if (typeof d === "string") return d;
  return d?.name ?? own;
}

// --- the exported file ------------------------------------------------------------------------

export const runFile = (request, result) => ({ format: RUN_FORMAT, version: RUN_VERSION, request, result });

export const runFileName = (request, result) =>
  `activation-lab-run-${result.setup.activation}-seed${request.seed}.json`;

// A file's text as {request, result}, or an Error saying why it is not a run from this page.
export function parseRunFile(text) {
  const saved = JSON.parse(text);
  if (saved?.format !== RUN_FORMAT || !saved.request || !saved.result?.snapshots) {
    throw new Error("not a run exported from this page");
  }
  return { request: saved.request, result: saved.result };
}
