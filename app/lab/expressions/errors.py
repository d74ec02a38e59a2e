"""Refusals of an expression: what is wrong, and where in the text."""

SNIPPET_CHARS = 40  # an offending part longer than this is quoted up to here, then "..."


class ParamNameError(ValueError):
    """A declared parameter name cannot be used."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


class ExpressionError(ValueError):
    """The expression is refused: `kind` names the problem, `position` is the 0-based character
    offset of the offending part in the text and `text` is that part."""

    def __init__(self, kind: str, reason: str, position: int, text: str) -> None:
        if len(text) > SNIPPET_CHARS:
            text = text[:SNIPPET_CHARS] + "..."
        super().__init__(f"{reason} at column {position}: `{text}`")
        self.kind = kind
        self.reason = reason
        self.position = position
        self.text = text
