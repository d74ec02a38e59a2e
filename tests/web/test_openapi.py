"""Every enum in /openapi.json is a domain tuple: names are declared once, in app/lab."""

from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.lab.activations.base import Continuity, Parity, Source
from app.lab.datasets import (
    DATASET_NAMES,
    FEATURE_FORMULAS,
    FEATURE_NAMES,
    FEATURES,
    GENERATED,
    GENERATORS,
    N_CLASSES,
)
from app.lab.nn.hidden_space import LAYER_KEYWORDS, PROJECTIONS
from app.lab.nn.initializers import INIT_NAMES, INITIALIZERS
from app.lab.nn.live import EDIT_KINDS
from app.lab.nn.mlp import (
    LOSS_NAMES,
    LOSSES_OF,
    OPTIMIZER_NAMES,
    OUTPUT_NAMES,
    REGULARIZATION_NAMES,
)
from app.lab.xor import Relation
from app.main import create_app

# The schema property an enum sits under -> the domain tuple it must equal, in its order.
DOMAIN: dict[str, tuple[str, ...]] = {
    "name": DATASET_NAMES,  # GeneratedDataset.name
    "dataset": DATASET_NAMES,
    "features": FEATURE_NAMES,
    "output": OUTPUT_NAMES,
    "loss": LOSS_NAMES,
    "optimizer": OPTIMIZER_NAMES,
    "regularization": REGULARIZATION_NAMES,
    "init": INIT_NAMES,
    "source": get_args(Source),
    "relation": get_args(Relation),
    "continuity": get_args(Continuity),
    "parity": get_args(Parity),
    "hidden_space": LAYER_KEYWORDS,
    "projection": PROJECTIONS,
    "kind": EDIT_KINDS,  # a history's edit commands (POST /api/train/replay)
}


def enums(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], list[str]]]:
    """(path, values) of every enum in the document."""
    found = []
    if isinstance(node, dict):
        if "enum" in node:
            found.append((path, node["enum"]))
        for key, value in node.items():
            found += enums(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += enums(value, (*path, str(i)))
    return found


def owner(path: tuple[str, ...]) -> str:
    """The property an enum belongs to: the name after the last "properties" in its path."""
    return path[len(path) - 1 - path[::-1].index("properties") + 1]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    with TestClient(create_app(Settings())) as client:
        openapi: dict[str, Any] = client.get("/openapi.json").json()
    return openapi


def test_every_enum_is_its_domain_tuple(document: dict[str, Any]) -> None:
    found = enums(document)
    assert found, "no enum at all: the walk is broken"
    for path, values in found:
        assert values == list(DOMAIN[owner(path)]), "/".join(path)


def test_every_domain_tuple_appears_in_the_schema(document: dict[str, Any]) -> None:
    assert {owner(path) for path, _ in enums(document)} == set(DOMAIN)


def test_the_domain_tables_cover_their_names() -> None:
    assert tuple(FEATURES) == tuple(FEATURE_FORMULAS) == FEATURE_NAMES
    assert tuple(N_CLASSES) == DATASET_NAMES and tuple(GENERATORS) == GENERATED
    assert tuple(INITIALIZERS) == INIT_NAMES
    assert tuple(LOSSES_OF) == OUTPUT_NAMES
    assert {loss for losses in LOSSES_OF.values() for loss in losses} == set(LOSS_NAMES)


def test_training_descriptions_carry_the_domains_semantics(document: dict[str, Any]) -> None:
    from app.lab.nn.training import SEMANTICS

    for path in ("/api/train", "/api/train/sweep"):
        description = document["paths"][path]["post"]["description"]
        assert SEMANTICS in description
        description = " ".join(description.split())
        # the drifted rule is gone; the code's margin and softmax tie rule are stated
        assert "where p > 0.5 (softmax: the argmax)" not in description
        assert "exceeds 1e-6" in description and "never right" in description
        assert "ACTLAB_TRAIN_MAX_EPOCHS" in description
