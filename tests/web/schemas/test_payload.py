"""payload(): a body's keys are its model's fields, no more and no fewer."""

import pytest

from app.web.schemas.payload import PayloadError, payload
from app.web.schemas.training_results import Final, GridAxes, QuartilesOut


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


def test_a_field_with_a_default_may_be_left_out_and_is_then_absent() -> None:
    # Final's r2 and test_r2 are for regression answers only
    body = payload(Final, epoch=3, loss=0.5, accuracy=1.0, test_loss=None, test_accuracy=None)
    assert "r2" not in body and "test_r2" not in body
    full = payload(
        Final, epoch=3, loss=0.5, accuracy=None, test_loss=None, test_accuracy=None, r2=0.9
    )
    assert full["r2"] == 0.9 and "test_r2" not in full
    with pytest.raises(PayloadError, match=r"missing fields \['loss'\]"):
        payload(Final, epoch=3, accuracy=1.0, test_loss=None, test_accuracy=None)
