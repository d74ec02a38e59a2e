"""Record the exact bytes of /openapi.json and of a broad set of API answers, to diff two trees.

A regroup or a de-duplication must not change what the API says. Run this before and after:

    .venv/bin/python scripts/api_fingerprint.py /tmp/before
    ... change the code ...
    .venv/bin/python scripts/api_fingerprint.py /tmp/after
    diff -r /tmp/before /tmp/after

It reads the catalogue and each entry's parameters from the API itself, so it depends on nothing
but `app.main.create_app`. Pages are left out: their HTML carries asset digests that change with
any edit to static/; so are the progress events of streams, which depend on the clock.
"""

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.main import create_app


def non_default(params: list[dict[str, Any]]) -> dict[str, Any]:
    """Each parameter moved off its default, staying strictly inside its bounds."""
    given: dict[str, Any] = {}
    for p in params:
        if p["choices"]:
            given[p["name"]] = p["choices"][
                (p["choices"].index(p["default"]) + 1) % len(p["choices"])
            ]
            continue
        end = p["max"] if p["max"] is not None and p["max"] != p["default"] else p["min"]
        given[p["name"]] = p["default"] + 1.0 if end is None else (p["default"] + end) / 2.0
    return given


def requests(client: TestClient) -> list[tuple[str, str, Any]]:
    """(method, path with query, JSON body or None), in a fixed order."""
    out: list[tuple[str, str, Any]] = [
        ("GET", "/openapi.json", None),
        ("GET", "/healthz", None),
        ("GET", "/api/activations", None),
        ("GET", "/api/xor/linear", None),
        ("GET", "/api/xor/solution", None),
        ("GET", "/api/activations/nope", None),
        ("GET", "/api/activations/relu/curve?x_min=3&x_max=1", None),
        ("GET", "/api/activations/relu/curve?points=1", None),
        ("GET", "/api/activations/elu/curve?alpha=-1", None),
        ("GET", "/api/activations/elu/curve?alpha=abc&points=50", None),
    ]
    catalogue = client.get("/api/activations").json()["activations"]
    for entry in catalogue:
        name = entry["name"]
        out.append(("GET", f"/api/activations/{name}", None))
        out.append(("GET", f"/api/activations/{name}/curve", None))
        given = non_default(entry["params"])
        query = "&".join(f"{k}={v}" for k, v in given.items())
        out.append(
            ("GET", f"/api/activations/{name}/curve?x_min=-3&x_max=4&points=77&{query}", None)
        )
        xs = [-5.0, -1.0, -0.25, 0.0, 0.25, 1.0, 5.0, 40.0]
        out.append(("POST", f"/api/activations/{name}/evaluate", {"x": xs}))
        out.append(("POST", f"/api/activations/{name}/evaluate", {"x": xs, "params": given}))
        tiny = {"activation": name, "activation_params": given, "epochs": 30, "hidden_layers": [3]}
        out.append(("POST", "/api/train", tiny))
        out.append(("POST", "/api/gradient-flow", {"activation": name, "depth": 3, "width": 8}))
    names = [e["name"] for e in catalogue]
    out += [
        ("POST", "/api/activations/relu/evaluate", {"x": []}),
        ("POST", "/api/activations/relu/evaluate", {"x": ["a"]}),
        ("POST", "/api/softmax", {"logits": [2.0, 1.0, 0.1]}),
        ("POST", "/api/softmax", {"logits": [2.0, 1.0, 0.1], "temperature": 0.3}),
        ("POST", "/api/softmax", {"logits": list(range(70))}),
        ("POST", "/api/softmax", {"logits": list(range(70)), "jacobian": True}),
        ("POST", "/api/softmax", {"logits": [1.0]}),
        ("POST", "/api/softmax", {"logits": [1000.0, -1000.0], "temperature": 1e-6}),
        ("POST", "/api/gradient-flow", {}),
        (
            "POST",
            "/api/train/replay",  # a saved live session: a set midway
            {
                "start": {"hidden_layers": [3], "snapshots": 3},
                "commands": [{"epoch": 9, "command": {"type": "set", "learning_rate": 0.7}}],
                "epoch": 30,
            },
        ),
        ("POST", "/api/gradient-flow", {"activations": names[:10], "depth": 5, "width": 16}),
        ("POST", "/api/gradient-flow", {"activation": "relu", "init": "he", "seed": 3}),
        ("POST", "/api/gradient-flow", {"activation": "relu", "activations": ["tanh"]}),
        ("POST", "/api/train", {}),
        ("POST", "/api/train", {"activation": "identity"}),
        ("POST", "/api/train", {"dataset": "spiral", "hidden_layers": [8, 8], "epochs": 200}),
        (
            "POST",
            "/api/train",
            {
                "dataset": {"name": "spiral3", "n_samples": 300, "noise": 0.2, "seed": 4},
                "features": ["x1", "x2", "x1_squared", "sin_x1"],
                "hidden_layers": [6, 5],
                "optimizer": "adam",
                "regularization": "l2",
                "reg_rate": 0.001,
                "batch_size": 10,
                "epochs": 60,
                "init": "he",
            },
        ),
        (
            "POST",
            "/api/train",
            {"dataset": {"points": [[0, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1]]}, "epochs": 50},
        ),
        ("POST", "/api/train", {"dataset": "circle", "output": "softmax", "loss": "bce"}),
        ("POST", "/api/train", {"epochs": 0}),
        ("POST", "/api/train", {"hidden_layers": [65]}),
        ("POST", "/api/train", {"learning_rate": "fast"}),
        ("POST", "/api/train", {"dataset": "nope"}),
        ("POST", "/api/train", {"unknown_key": 1}),
        ("POST", "/api/train/sweep", {"seeds": 5, "epochs": 100}),
        (
            "POST",
            "/api/train/sweep",
            {
                "activations": [
                    {"name": "relu"},
                    {"name": "elu", "params": {"alpha": 0.5}},
                    {"name": "tanh"},
                ],
                "seeds": 3,
                "epochs": 80,
                "dataset": "moons",
            },
        ),
        ("POST", "/api/train/sweep", {"seeds": 0}),
        ("POST", "/api/train/stream", {"epochs": 40}),
        ("POST", "/api/train/sweep/stream", {"seeds": 2, "epochs": 40}),
    ]
    return out


def main() -> None:
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    index = []
    with TestClient(create_app()) as client:
        for number, (method, path, body) in enumerate(requests(client)):
            response = client.request(method, path, json=body)
            content = response.content
            if path == "/openapi.json":  # pretty-printed so a diff reads well
                content = json.dumps(response.json(), indent=1, sort_keys=True).encode()
            if path.endswith("/stream"):  # progress events come with the clock: keep the rest
                events = content.split(b"\n\n")
                content = b"\n\n".join(e for e in events if not e.startswith(b"event: progress"))
            (target / f"{number:04d}.out").write_bytes(
                f"{response.status_code} {response.headers.get('content-type')}\n".encode()
                + content
            )
            digest = hashlib.sha256(content).hexdigest()[:16]
            index.append(f"{number:04d} {response.status_code} {digest} {method} {path}")
    (target / "index.txt").write_text("\n".join(index) + "\n")
    print(f"{len(index)} answers in {target}")


if __name__ == "__main__":
    main()
