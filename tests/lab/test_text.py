"""spelled(): constants as prose quotes them."""

import pytest

from app.lab.text import spelled


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.01, "0.01"), (1e-6, "1e-6"), (1e-8, "1e-8"), (20000, "20000"), (2e9, "2e9"), (0.5, "0.5")],
)
def test_spelled_writes_numbers_as_people_do(value: float, text: str) -> None:
    assert spelled(value) == text
