"""What building response bodies through their models (app.web.schemas.payload) costs.

The default POST /api/train answer (XOR, 2-4-1 tanh, 2000 epochs, 50 snapshots) is trained once;
then its bytes are built from the run, alternately with payload()'s key checks and with them
replaced by a bare dict (the code as it was before), best of many repeats each. Prints the ratio
of the two body builds and of the whole uncached answer (training + body), checked / bare.

    .venv/bin/python bench/bench_payload.py
"""

import time
from collections.abc import Callable
from typing import Any

from app.lab.nn.training import train
from app.web.responses import dumps
from app.web.schemas import training_results
from app.web.schemas.training import TrainRequest

REPEATS = 200


def best(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare(model: object, /, **values: Any) -> dict[str, Any]:
    return values


def main() -> None:
    request = TrainRequest()
    config = request.to_config()
    start = time.perf_counter()
    result = train(config, request.seed)
    train_s = time.perf_counter() - start
    train_s = min(train_s, best(lambda: train(config, request.seed), 5))
    checked = training_results.payload

    def build() -> bytes:
        return dumps(training_results.train_payload(config, result))

    body = build()
    checked_s = bare_s = float("inf")
    for _ in range(5):  # interleaved, so drift on a shared machine hits both alike
        training_results.payload = checked
        checked_s = min(checked_s, best(build))
        training_results.payload = bare  # type: ignore[assignment]
        bare_s = min(bare_s, best(build))
        assert build() == body  # the same bytes either way
    training_results.payload = checked
    print(f"default /api/train: {len(body)} bytes, training {train_s * 1e3:.1f} ms")
    print(f"body build: checked {checked_s * 1e3:.3f} ms, bare {bare_s * 1e3:.3f} ms")
    print(f"  ratio checked / bare: {checked_s / bare_s:.3f}")
    whole = (train_s + checked_s) / (train_s + bare_s)
    print(f"whole answer (training + body), checked / bare: {whole:.4f}")


if __name__ == "__main__":
    main()
