"""Response bodies built from their models: the model declares the keys, the builder the values.

Routes serialise plain dicts of numpy arrays with orjson (app.web.responses), which is many times
faster than validating and dumping a model. `payload(Model, **values)` keeps that speed and makes
the model the one definition of the keys: a value for a key the model does not declare, or a
declared field left out, raises at once (a bug, caught by the first test that builds that body).
The keys keep the builder's order: that order is part of the bytes the API has always sent.
A field the model gives a default may be left out: it is then absent from the JSON (the
regression metrics, which only regression answers carry, so the others keep their bytes).
"""

from typing import Any

from pydantic import BaseModel

_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}
_REQUIRED: dict[type[BaseModel], tuple[str, ...]] = {}


class PayloadError(KeyError):
    """A body built with keys other than its response model's fields."""


def fields_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The model's field names in order, read once (pydantic's model_fields is slow to access)."""
    names = _FIELDS.get(model)
    if names is None:
        names = _FIELDS[model] = tuple(model.model_fields)
    return names


def required_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields without a default: a body must give each of them."""
    names = _REQUIRED.get(model)
    if names is None:
        fields = model.model_fields
        names = _REQUIRED[model] = tuple(n for n in fields_of(model) if fields[n].is_required())
    return names


def payload(model: type[BaseModel], /, **values: Any) -> dict[str, Any]:
    """The JSON object `model` documents, from one value per field (optional fields may be
    left out)."""
    names = fields_of(model)
    if len(values) != len(names) or not all(name in values for name in names):
        extra = sorted(set(values) - set(names))
        missing = [name for name in required_of(model) if name not in values]
        if not extra and not missing:
            return values
        raise PayloadError(f"{model.__name__}: undeclared keys {extra}, missing fields {missing}")
    return values
