"""TeX to MathML on the server, so pages show real math without a JavaScript math library."""

from functools import lru_cache

from latex2mathml.converter import convert
from markupsafe import Markup


class FormulaError(ValueError):
    """latex2mathml could not convert this TeX."""


@lru_cache(maxsize=512)
def to_mathml(tex: str) -> Markup:
    """The MathML for `tex` as a display block, safe to insert into a template as is."""
    try:
        mathml = convert(tex, display="block")
    except Exception as exc:  # latex2mathml raises many unrelated types for bad input
        raise FormulaError(f"cannot convert {tex!r}: {exc}") from exc
    return Markup(mathml)
