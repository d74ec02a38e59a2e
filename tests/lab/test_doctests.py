"""The examples in app/lab's docstrings run, and say what they print."""

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import app.lab


def lab_modules() -> list[ModuleType]:
    names = [m.name for m in pkgutil.walk_packages(app.lab.__path__, "app.lab.")]
    return [importlib.import_module(name) for name in ["app.lab", *names]]


@pytest.mark.parametrize("module", lab_modules(), ids=lambda m: m.__name__)
def test_the_docstring_examples_hold(module: ModuleType) -> None:
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert failed == 0


def test_there_are_examples_to_run() -> None:
    finder = doctest.DocTestFinder()
    examples = sum(len(t.examples) for m in lab_modules() for t in finder.find(m))
    assert examples >= 4
