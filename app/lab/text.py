"""How the domain's constants are written where prose quotes them (docstrings, API descriptions)."""


def spelled(value: float) -> str:
    """A number as a person writes it: 0.01, 1e-6 (not Python's 1e-06), 20000."""
    text = f"{value:g}"
    mantissa, sep, exponent = text.partition("e")
    if not sep:
        return text
    sign = "-" if exponent.startswith("-") else ""
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
