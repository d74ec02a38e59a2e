"""The live frame format (app/web/live_frames.py): round trip, layout, and the fixture that
static/js/live.js's decoder is tested against (tests/js/live.test.js)."""

import os
from pathlib import Path

import numpy as np
import orjson
import pytest

from app.lab.nn.live import LiveSession
from app.web.live_frames import MAGIC, decode_frame, encode_frame
from app.web.schemas.training import TrainRequest

DATA = Path(__file__).resolve().parent.parent / "data"
FIXTURE = DATA / "live_frame.bin"
EXPECTED = DATA / "live_frame.json"


def xor_frame() -> bytes:
    """XOR 2-4-1 tanh after 10 epochs of lr 0.5, on a 6-point grid: a small, exact fixture."""
    req = TrainRequest.model_validate({"learning_rate": 0.5, "grid": 6})
    session = LiveSession(req.to_config(), req.seed, 100)
    session.step(10)
    return encode_frame(session.state(), playing=False, epochs_trained=10)


def test_a_frame_round_trips_through_the_reference_decoder() -> None:
    req = TrainRequest.model_validate({"learning_rate": 0.5})
    session = LiveSession(req.to_config(), 0, 100)
    session.step(3)
    state = session.state()
    frame = encode_frame(state, playing=True, epochs_trained=3)
    header, arrays = decode_frame(frame)
    assert frame[:4] == MAGIC
    assert header["epoch"] == 3 and header["playing"] is True and header["loss"] == state.loss
    np.testing.assert_array_equal(arrays["output"], state.output.astype(np.float32))
    np.testing.assert_array_equal(arrays["hidden.0"], state.hidden[0].astype(np.float32))
    for i, (w, b) in enumerate(state.weights):
        np.testing.assert_array_equal(arrays[f"W.{i}"], w)  # float64: exact
        np.testing.assert_array_equal(arrays[f"b.{i}"], b)


def test_every_array_starts_at_a_multiple_of_8() -> None:
    frame = xor_frame()
    size = int.from_bytes(frame[4:8], "little")
    start = 8 + size + (-(8 + size) % 8)
    header = orjson.loads(frame[8 : 8 + size])
    assert start % 8 == 0
    assert all(item["offset"] % 8 == 0 for item in header["arrays"])
    last = header["arrays"][-1]
    assert len(frame) == start + last["offset"] + 8 * int(np.prod(last["shape"]))


def test_the_js_fixture_is_what_the_encoder_writes() -> None:
    """The committed fixture has a fresh encoding's layout and numbers, and decodes to the
    committed JSON exactly (ACTLAB_WRITE_FIXTURES=1 rewrites both). The numbers agree to
    rounding, not to the bit: numpy's exp and tanh differ in the last place between CPUs
    (AVX-512 machines take other SIMD paths), and ten epochs carry that along."""
    frame = xor_frame()
    header, arrays = decode_frame(frame)
    if os.environ.get("ACTLAB_WRITE_FIXTURES"):
        expected = {"header": header, "arrays": {n: a.ravel().tolist() for n, a in arrays.items()}}
        FIXTURE.write_bytes(frame)
        EXPECTED.write_bytes(orjson.dumps(expected, option=orjson.OPT_INDENT_2))
    fixture = FIXTURE.read_bytes()
    saved_header, saved_arrays = decode_frame(fixture)
    assert len(fixture) == len(frame)
    assert saved_header["arrays"] == header["arrays"]  # names, dtypes, shapes, offsets
    numbers = ("loss", "accuracy", "test_loss", "test_accuracy")
    assert {k: v for k, v in saved_header.items() if k not in numbers} == {
        k: v for k, v in header.items() if k not in numbers
    }
    for key in numbers:
        if header[key] is None:
            assert saved_header[key] is None
        else:
            assert saved_header[key] == pytest.approx(header[key], rel=1e-9, abs=1e-12)
    for name, array in arrays.items():
        rtol = 1e-5 if array.dtype == np.float32 else 1e-9
        np.testing.assert_allclose(saved_arrays[name], array, rtol=rtol, atol=1e-9)
    # what tests/js/live.test.js expects of the decoder: the fixture's own decoding, exactly
    assert orjson.loads(EXPECTED.read_bytes()) == {
        "header": saved_header,
        "arrays": {name: a.ravel().tolist() for name, a in saved_arrays.items()},
    }
