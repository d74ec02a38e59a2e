// An initial state shaped as app/web/routes/pages.py hands it to the Train page (field_rule,
// choice_rule), cut down to what the codec reads.
import { withIds } from "../../static/js/state.js";

const number = (overrides) => ({
  label: "", unit: "", scale: 1, integer: false, min: null, max: null, min_exclusive: false,
  max_exclusive: false, optional: false, default: 0, ...overrides,
});
const pick = (label, values, value = values[0]) => ({ label, choices: values.map((v) => [v, v.toUpperCase()]), default: value });

export const TRAIN_INIT = {
  fields: withIds({
    dataset: pick("Dataset", ["xor", "quadrants", "circle", "spiral3", "points"]),
    n_samples: number({ label: "Points", integer: true, min: 10, max: 2000, default: 500 }),
    noise: number({ label: "Noise", unit: "%", scale: 100, min: 0, max: 50, default: 0 }),
    train_fraction: number({ label: "Train", unit: "%", scale: 100, min: 10, max: 90, default: 50 }),
    data_seed: number({ label: "Data seed", integer: true, min: 0, max: 4294967295, default: 0 }),
    points: number({ label: "Points", default: null, min_items: 2, max_items: 2000 }),
    features: { ...number({ label: "Input features", default: ["x1", "x2"] }), min_items: 1, max_items: 7 },
    activation: pick("Hidden activation", ["identity", "tanh", "elu", "custom"], "tanh"),
    hidden_layers: number({ label: "Hidden layers", integer: true, min: 1, max: 64, default: [4], min_items: 0, max_items: 8 }),
    init: pick("Initialisation", ["xavier", "he"]),
    optimizer: pick("Optimizer", ["sgd", "adam"]),
    learning_rate: number({ label: "Learning rate", min: 0, min_exclusive: true, max: 10, default: 0.1 }),
    loss: pick("Loss", ["bce", "mse"]),
    batch_size: number({ label: "Batch size", integer: true, min: 1, optional: true, default: null }),
    regularization: pick("Regularisation", ["none", "l1", "l2"]),
    reg_rate: number({ label: "Regularisation rate", min: 0, max: 10, default: 0 }),
    epochs: number({ label: "Epochs", integer: true, min: 1, max: 20000, default: 2000 }),
    seed: number({ label: "Seed", integer: true, min: 0, max: 4294967295, default: 0 }),
  }),
  catalogue: [
    { name: "identity", label: "Identity", params: [] },
    { name: "tanh", label: "Tanh", params: [] },
    { name: "elu", label: "ELU", params: [{ name: "alpha", default: 1, min: 0, max: 5, min_exclusive: true, max_exclusive: false }] },
  ],
  n_classes: { xor: 2, quadrants: 2, circle: 2, spiral3: 3 },
  own_points: "points",
  fixed_datasets: ["xor"],
  expressions: { name: "custom", max_params: 16 },
  hidden_space: { every_layer: "all" },
};
