"""TeX to MathML: every catalogue formula converts, fully, and bad TeX says so."""

import re

import pytest

from app.lab.activations import ACTIVATIONS, Activation
from app.web.formulas import FormulaError, formula_mathml, to_mathml


@pytest.mark.parametrize("act", ACTIVATIONS.values(), ids=lambda a: a.name)
def test_every_formula_and_derivative_converts_to_mathml(act: Activation) -> None:
    for tex in (act.formula, act.derivative):
        mathml = str(to_mathml(tex))
        assert mathml.startswith(
            '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">'
        )
        assert mathml.endswith("</math>")
        # A TeX command latex2mathml did not understand would be left in the text as "\name".
        assert "\\" not in mathml, re.findall(r"\\\w+", mathml)
        assert "<merror" not in mathml


def test_escaped_underscores_in_text_become_plain_underscores() -> None:
    assert "<mtext>negative_slope</mtext>" in to_mathml(r"\alpha = \text{negative\_slope}")


def test_fractions_and_cases_become_mathml_structures() -> None:
    mathml = to_mathml(r"f(x) = \begin{cases} \frac{1}{2} & x > 0 \\ 0 & x \le 0 \end{cases}")
    assert "<mfrac><mrow><mn>1</mn></mrow><mrow><mn>2</mn></mrow></mfrac>" in mathml
    assert mathml.count("<mtr>") == 2


def test_conversion_is_cached() -> None:
    assert to_mathml(r"e^{x}") is to_mathml(r"e^{x}")


@pytest.mark.parametrize("tex", [r"\frac{", r"x^{", r"\begin{cases"])
def test_broken_tex_raises_formula_error(tex: str) -> None:
    with pytest.raises(FormulaError, match="cannot convert"):
        to_mathml(tex)


@pytest.mark.parametrize(("tex", "prime"), [("f'(x)", "&#x02032;"), ("f''(x)", "&#x02033;")])
def test_a_prime_is_an_operator_at_text_size_not_a_superscript(tex: str, prime: str) -> None:
    # As <msup> the already-raised prime glyph was shrunk and raised again: a speck.
    mathml = to_mathml(tex + " = 1")
    assert f'<mrow><mi>f</mi><mo lspace="0" rspace="0">{prime}</mo><mo stretchy="false">' in mathml
    assert "<msup>" not in mathml


@pytest.mark.parametrize("act", ACTIVATIONS.values(), ids=lambda a: a.name)
def test_every_derivative_shows_its_prime_at_text_size(act: Activation) -> None:
    mathml = str(to_mathml(act.derivative))
    assert mathml.startswith(
        '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mrow><mi>f</mi>'
        '<mo lspace="0" rspace="0">&#x02032;</mo>'
    )
    assert "<mi>&#x02032;</mi>" not in mathml


@pytest.mark.parametrize("tex", [r"\frac{1}{", r"x \sigma\left(\beta x"])
def test_tex_latex2mathml_cannot_read_is_shown_as_text_not_raised(tex: str) -> None:
    with pytest.raises(FormulaError):
        to_mathml(tex)
    assert formula_mathml(tex) == f'<math display="block"><mtext>{tex}</mtext></math>'


def test_expression_tex_converts_as_the_catalogues_does() -> None:
    tex = r"f'(x) = \beta x \sigma\left(- \beta x\right) + 1"
    assert formula_mathml(tex) == str(to_mathml(tex))


def test_unreadable_tex_is_escaped_in_its_text_block() -> None:
    assert formula_mathml(r"<b> \begin{cases") == (
        r'<math display="block"><mtext>&lt;b&gt; \begin{cases</mtext></math>'
    )
