"""TeX to MathML on the server, so pages show real math without a JavaScript math library."""

import re
from functools import lru_cache

from latex2mathml.converter import convert
from markupsafe import Markup

# latex2mathml keeps the escape in \text{negative\_slope}; TeX prints a plain underscore there.
_TEXT_BLOCK = re.compile(r"\\text\{([^{}]*)\}")


class FormulaError(ValueError):
    """latex2mathml could not convert this TeX."""


def _unescape_text(tex: str) -> str:
    return _TEXT_BLOCK.sub(lambda m: "\\text{" + m.group(1).replace(r"\_", "_") + "}", tex)


@lru_cache(maxsize=512)
def to_mathml(tex: str) -> Markup:
    """The MathML for `tex` as a display block, safe to insert into a template as is."""
    try:
        mathml = convert(_unescape_text(tex), display="block")
    except Exception as exc:  # latex2mathml raises many unrelated types for bad input
        raise FormulaError(f"cannot convert {tex!r}: {exc}") from exc
    return Markup(mathml)
