"""Response sizes: what a request costs on the wire, with and without gzip.

Runs the app in-process (TestClient; default settings but a longer time limit) and prints, per
request, the size of the body as sent to a client that asks for identity and to one that
accepts gzip. The largest training responses: 8 x 64 hidden units on the 3-class spiral, with
200 snapshots (66 MB before the snapshot cap, a 422 now) and with the Train page's default 50
snapshots (the largest the cap admits). 60 epochs: the epoch count changes no size here once it
exceeds the snapshots.

    .venv/bin/python bench/bench_sizes.py
"""

import json

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

LOGITS_1000 = [round((i % 17) * 0.37 - 3, 2) for i in range(1000)]
CASES: list[tuple[str, str, str, object]] = [
    ("GET /api/activations", "GET", "/api/activations", None),
    ("GET curve, 601 points", "GET", "/api/activations/gelu/curve", None),
    ("GET curve, 20001 points", "GET", "/api/activations/gelu/curve?points=20001", None),
    ("POST softmax, 4 logits", "POST", "/api/softmax", {"logits": [2, 1, 0.1, -1]}),
    ("POST softmax, 1000 logits", "POST", "/api/softmax", {"logits": LOGITS_1000}),
    (
        "POST softmax, 1000 logits, jacobian: true",
        "POST",
        "/api/softmax",
        {"logits": LOGITS_1000, "jacobian": True},
    ),
    ("POST train, defaults (XOR)", "POST", "/api/train", {}),
    (
        "POST train, spiral3, 8 x 64, 200 snapshots (was the largest)",
        "POST",
        "/api/train",
        {
            "dataset": {"name": "spiral3"},
            "hidden_layers": [64] * 8,
            "epochs": 60,
            "snapshots": 200,
            "grid": 50,
        },
    ),
    (
        "POST train, spiral3, 8 x 64, default snapshots (the largest now)",
        "POST",
        "/api/train",
        {"dataset": {"name": "spiral3"}, "hidden_layers": [64] * 8, "epochs": 60},
    ),
    ("GET /", "GET", "/", None),
    ("GET /train", "GET", "/train", None),
    ("GET /openapi.json", "GET", "/openapi.json", None),
]


def main() -> None:
    # A loaded machine must not turn the largest run into a time-limit 422; the identity and
    # the gzip request are the same validated request, so the second comes from the cache.
    with TestClient(create_app(Settings(train_time_limit_s=600))) as client:
        print("| request | request bytes | status | identity bytes | gzip bytes |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for label, method, url, body in CASES:
            content = json.dumps(body).encode() if body is not None else b""
            sizes, status = [], 0
            for encoding in ("identity", "gzip"):
                headers = {"Accept-Encoding": encoding, "Content-Type": "application/json"}
                with client.stream(method, url, content=content or None, headers=headers) as r:
                    status = r.status_code
                    sizes.append(sum(len(chunk) for chunk in r.iter_raw()))
            print(f"| {label} | {len(content)} | {status} | {sizes[0]:,} | {sizes[1]:,} |")


if __name__ == "__main__":
    main()
