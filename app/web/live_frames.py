"""The binary frame of a live session (WS /api/train/live): a JSON header, then raw arrays.

A frame is one binary WebSocket message:

    bytes 0-3     b"ALF1" (Activation Lab Frame, version 1)
    bytes 4-7     H, the header's length in bytes, uint32 little-endian
    bytes 8-8+H   the header, UTF-8 JSON (below)
    zero bytes up to the next multiple of 8: the array section starts there, at offset A
    the arrays, each at A + its `offset` (a multiple of 8, so a Float64Array or Float32Array
    can view it in place), little-endian, C order (last index fastest)

The header:

    {"type": "frame", "epoch": 120, "epochs_trained": 120, "playing": true,
     "loss": 0.31, "accuracy": 0.75, "test_loss": null, "test_accuracy": null,
     "diverged_epoch": null, "converged_epoch": null,
     "grid": {"x1": [lo, hi], "x2": [lo, hi], "points": 50},
     "thumbnails": {"x1": [lo, hi], "x2": [lo, hi], "points": 10},
     "arrays": [{"name": "output", "dtype": "float32", "shape": [1, 50, 50], "offset": 0}, ...]}

Metrics are JSON numbers (float64, exact) or null (no test set; the network diverged). The
grid's points are numpy.linspace(lo, hi, points) along each axis. Arrays, in this order:

- `output` float32 (output units, n, n): the output probability; [u][i][j] at (x1[j], x2[i]);
- `hidden.<l>` float32 (units, t, t) for each hidden layer l: each unit's output over the
  thumbnail grid, same indexing;
- `W.<l>` float64 (in, out) and `b.<l>` float64 (out,) for each layer l, hidden layers then the
  output layer: the weights, exact.

- only for a session started with `hidden_space` (app.lab.nn.hidden_space), for the k-th chosen
  layer: `hidden_space.<k>.train` float32 (training points, dims) and `hidden_space.<k>.test`
  float32 (test points, dims) when there is a test set, the points in that layer's coordinates;
  for a linear output `hidden_space.<k>.values` (and `.test_values`) float32 (points,), the
  network's value at each point.

Such a session's header adds `"hidden_space": [...]`, one entry per chosen layer, in order:
null for a state that is not finite (diverged), else {"layer", "width", "projection"
("identity" | "pca"), "axes", "explained_variance" (pca: two shares; else null), "boundary"
(null, or [{"classes": [i, j], "coefficients": [...], "offset"}], float64 JSON numbers)}, as
/api/train's snapshot `hidden_space`; a pca basis is the frame's own, its signs aligned to the
session's first state's so the picture does not mirror between frames (and a replay gives the
same bytes).

The float32 grids halve the bytes and are far finer than a colour scale; weights stay float64 so
a client (and the replay test) sees the numbers the server holds.
"""

from typing import Any

import numpy as np
import orjson

from app.lab.nn.hidden_space import HiddenSpace
from app.lab.nn.live import LiveState
from app.lab.nn.training import Grid

MAGIC = b"ALF1"
ALIGN = 8


def _pad(n: int) -> int:
    return -n % ALIGN


def grid_header(grid: Grid) -> dict[str, Any]:
    return {
        "x1": [float(grid.x1[0]), float(grid.x1[-1])],
        "x2": [float(grid.x2[0]), float(grid.x2[-1])],
        "points": len(grid.x1),
    }


def hidden_space_header(space: HiddenSpace | None) -> dict[str, Any] | None:
    """A view's header entry: everything but the points' arrays (float64 JSON numbers)."""
    if space is None:
        return None
    ratio = space.explained_variance
    return {
        "layer": space.layer,
        "width": space.width,
        "projection": space.projection,
        "axes": list(space.axes),
        "explained_variance": None if ratio is None else ratio.tolist(),
        "boundary": None
        if space.boundaries is None
        else [
            {
                "classes": list(b.classes),
                "coefficients": b.coefficients.tolist(),
                "offset": b.offset,
            }
            for b in space.boundaries
        ],
    }


def hidden_space_arrays(k: int, space: HiddenSpace | None) -> list[tuple[str, Any]]:
    if space is None:
        return []
    parts = {
        "train": space.train,
        "test": space.test,
        "values": space.values,
        "test_values": space.test_values,
    }
    return [
        (f"hidden_space.{k}.{name}", array.astype("<f4"))
        for name, array in parts.items()
        if array is not None
    ]


def encode_frame(state: LiveState, playing: bool, epochs_trained: int) -> bytes:
    """The frame of this state, in the format of the module docstring."""
    arrays: list[tuple[str, np.ndarray[Any, Any]]] = [("output", state.output.astype("<f4"))]
    arrays += [(f"hidden.{i}", h.astype("<f4")) for i, h in enumerate(state.hidden)]
    for i, (w, b) in enumerate(state.weights):
        arrays += [(f"W.{i}", w.astype("<f8")), (f"b.{i}", b.astype("<f8"))]
    for k, space in enumerate(state.hidden_spaces):
        arrays += hidden_space_arrays(k, space)
    described = []
    offset = 0
    for name, array in arrays:
        described.append(
            {
                "name": name,
                "dtype": "float32" if array.dtype.itemsize == 4 else "float64",
                "shape": list(array.shape),
                "offset": offset,
            }
        )
        offset += array.nbytes + _pad(array.nbytes)
    extra: dict[str, Any] = {}
    if state.hidden_spaces:  # asked for at start; frames of other sessions keep their bytes
        extra["hidden_space"] = [hidden_space_header(v) for v in state.hidden_spaces]
    header = orjson.dumps(
        {
            "type": "frame",
            "epoch": state.epoch,
            "epochs_trained": epochs_trained,
            "playing": playing,
            "loss": state.loss,
            "accuracy": state.accuracy,
            "test_loss": state.test_loss,
            "test_accuracy": state.test_accuracy,
            "diverged_epoch": state.diverged_epoch,
            "converged_epoch": state.converged_epoch,
            "grid": grid_header(state.grid),
            "thumbnails": grid_header(state.thumbnails),
            **extra,
            "arrays": described,
        }
    )
    parts = [MAGIC, len(header).to_bytes(4, "little"), header, bytes(_pad(8 + len(header)))]
    for _, array in arrays:
        parts += [np.ascontiguousarray(array).tobytes(), bytes(_pad(array.nbytes))]
    return b"".join(parts)


def decode_frame(frame: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray[Any, Any]]]:
    """The header and the arrays of a frame (the reference decoder; static/js/live.js is the
    browser's)."""
    if frame[:4] != MAGIC:
        raise ValueError("not an Activation Lab frame")
    size = int.from_bytes(frame[4:8], "little")
    header: dict[str, Any] = orjson.loads(frame[8 : 8 + size])
    start = 8 + size + _pad(8 + size)
    arrays = {}
    for item in header["arrays"]:
        dtype = np.dtype("<f4" if item["dtype"] == "float32" else "<f8")
        count = int(np.prod(item["shape"]))
        at = start + item["offset"]
        arrays[item["name"]] = np.frombuffer(frame, dtype, count, at).reshape(item["shape"])
    return header, arrays
