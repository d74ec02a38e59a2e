"""Activation Lab: see and measure what activation functions do to a neural network."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("activation-lab")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
