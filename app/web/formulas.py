"""TeX to MathML on the server, so pages show real math without a JavaScript math library."""

import re
from functools import lru_cache

from latex2mathml.converter import convert
from markupsafe import Markup, escape

# latex2mathml keeps the escape in \text{negative\_slope}; TeX prints a plain underscore there.
_TEXT_BLOCK = re.compile(r"\\text\{([^{}]*)\}")
# latex2mathml writes f' as <msup><mi>f</mi><mi>&#x02032;</mi></msup>. The prime glyph is already
# drawn raised and small, so as a superscript it is shrunk and raised again: a barely visible
# speck. As an operator right after its base it is drawn at the text's size, where TeX puts it.
_PRIMED = re.compile(
    r"<msup>(<mi>[^<]*</mi>)(?:<mrow>)?<mi>(&#x0203[234];)</mi>(?:</mrow>)?</msup>"
)
_PRIME_OPERATOR = r'\1<mo lspace="0" rspace="0">\2</mo>'


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
    return Markup(_PRIMED.sub(_PRIME_OPERATOR, mathml))


def formula_mathml(tex: str) -> str:
    """MathML for TeX that sympy printed from someone's expression: the conversion, or, should
    latex2mathml not understand it, the TeX itself as text inside a math block (never a 500)."""
    try:
        return str(to_mathml(tex))
    except FormulaError:
        return f'<math display="block"><mtext>{escape(tex)}</mtext></math>'
