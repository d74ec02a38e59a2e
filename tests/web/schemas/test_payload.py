"""payload(): a body's keys are its model's fields, no more and no fewer."""

import pytest

from app.web.schemas.payload import PayloadError, payload
from app.web.schemas.training_results import GridAxes, QuartilesOut


def test_payload_keeps_the_values_and_their_order() -> None:
    body = payload(QuartilesOut, q75=3.0, q25=1.0, median=2.0)
    assert body == {"q75": 3.0, "q25": 1.0, "median": 2.0}
    assert list(body) == ["q75", "q25", "median"]  # the builder's order: the bytes' order


def test_an_undeclared_key_is_refused() -> None:
    with pytest.raises(PayloadError, match=r"GridAxes: undeclared keys \['x3'\]"):
        payload(GridAxes, x1=[0.0], x2=[1.0], x3=[2.0])


def test_a_missing_field_is_refused() -> None:
    with pytest.raises(PayloadError, match=r"missing fields \['median'\]"):
        payload(QuartilesOut, q25=1.0, q75=3.0)


def test_a_renamed_field_is_refused() -> None:
    with pytest.raises(
        PayloadError, match=r"undeclared keys \['mid'\], missing fields \['median'\]"
    ):
        payload(QuartilesOut, q25=1.0, mid=2.0, q75=3.0)
