"""Entries from the wider literature (Keras 3, the classic activation tables)."""

from app.activations.base import Activation

LITERATURE: tuple[Activation, ...] = ()
