"""Live training frames: bytes per frame and the server's cost of one, in-process, in one run.

    .venv/bin/python bench/bench_live.py

For XOR 2-4-1 and the spiral with two hidden layers of 8 on 500 points (a 50 x 50 grid, the
default): the frame's size (app/web/live_frames.py: JSON header + float32 grids + float64
weights), and per frame the time to train 1 epoch, to measure the state (loss, accuracy, grid,
thumbnails) and to encode it, best of several repeats (the machine is shared: compare ratios).
Prints a Markdown table.
"""

import time
from collections.abc import Callable
from typing import Any

from app.lab.nn.live import LiveSession
from app.web.live_frames import encode_frame
from app.web.schemas.training import TrainRequest

CASES: dict[str, dict[str, Any]] = {
    "XOR 2-4-1": {"dataset": "xor", "hidden_layers": [4]},
    "spiral 8-8, 500 points": {
        "dataset": {"name": "spiral", "n_samples": 500},
        "hidden_layers": [8, 8],
        "batch_size": 10,
    },
}
REPEATS = 200


def best_us(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1e6


def main() -> None:
    print("| network | bytes per frame | header bytes | train 1 epoch | measure | encode |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, body in CASES.items():
        req = TrainRequest.model_validate(body)
        session = LiveSession(req.to_config(), req.seed, 1_000_000)
        state = session.state()
        frame = encode_frame(state, True, 0)
        header = int.from_bytes(frame[4:8], "little")
        step = best_us(lambda: session.step(1))  # noqa: B023 - called before the next loop
        measure = best_us(session.state)
        encode = best_us(lambda: encode_frame(state, True, 0))  # noqa: B023 - likewise
        times = f"{step:.0f} us | {measure:.0f} us | {encode:.0f} us"
        print(f"| {name} | {len(frame)} | {header} | {times} |")


if __name__ == "__main__":
    main()
