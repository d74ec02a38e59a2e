"""The expression grammar: a whitelist over Python's `ast`, turned into a sympy expression.

The text is only ever parsed (`ast.parse`), never evaluated: each node type the grammar allows is
translated to sympy explicitly, and every other node is refused with its position in the text.
Allowed: numbers, `x`, declared parameters, `+ - * / **`, unary minus, the functions in
FUNCTIONS, `where(cond, a, b)` whose cond is one comparison `< <= > >=`, and catalogue names.
"""

import ast
import keyword
import math
import re
from collections.abc import Callable, Collection, Mapping

import sympy as sp
from sympy.codegen.cfunctions import log1p

from app.lab.expressions.catalogue import available_functions
from app.lab.expressions.errors import ExpressionError, ParamNameError
from app.lab.expressions.functions import sigmoid, softplus
from app.lab.expressions.limits import (
    GRAMMAR_FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_PARAM_NAME,
    MAX_PARAMS,
    WHERE,
)

X = sp.Symbol("x", real=True)
VARIABLE = "x"


def _max(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    # As a where, not sympy's Max: its derivative is a Heaviside step (1/2 at a tie) and its
    # second a Dirac delta; as branches, each derivative is the derivative of the branch taken.
    return sp.Piecewise((a, sp.GreaterThan(a, b)), (b, True))


def _min(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    return sp.Piecewise((a, sp.LessThan(a, b)), (b, True))


# name -> (number of arguments, builder). `where` is handled apart: its first argument is a
# comparison, which the grammar allows nowhere else.
FUNCTIONS: dict[str, tuple[int, Callable[..., sp.Expr]]] = {
    "exp": (1, sp.exp),
    "log": (1, sp.log),
    "log1p": (1, log1p),
    "sqrt": (1, sp.sqrt),
    "abs": (1, sp.Abs),
    "sin": (1, sp.sin),
    "cos": (1, sp.cos),
    "tan": (1, sp.tan),
    "tanh": (1, sp.tanh),
    "sinh": (1, sp.sinh),
    "cosh": (1, sp.cosh),
    "arctan": (1, sp.atan),
    "erf": (1, sp.erf),
    "sigmoid": (1, sigmoid),
    "softplus": (1, softplus),
    "min": (2, _min),
    "max": (2, _max),
}
assert list(FUNCTIONS) == GRAMMAR_FUNCTIONS  # one list of names, without sympy, for the docs
COMPARISONS: dict[type[ast.cmpop], Callable[[sp.Expr, sp.Expr], sp.Basic]] = {
    ast.Lt: sp.StrictLessThan,
    ast.LtE: sp.LessThan,
    ast.Gt: sp.StrictGreaterThan,
    ast.GtE: sp.GreaterThan,
}
OPERATORS: dict[type[ast.operator], Callable[[sp.Expr, sp.Expr], sp.Expr]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
RESERVED = frozenset({VARIABLE, WHERE, *FUNCTIONS})
_PARAM_NAME = re.compile(rf"[A-Za-z][A-Za-z0-9_]{{0,{MAX_PARAM_NAME - 1}}}")

# Node types refused by name, with the reason a person needs to fix the text.
_REFUSED: dict[type[ast.AST], tuple[str, str]] = {
    ast.Attribute: ("attribute", "attribute access is not allowed"),
    ast.Subscript: ("subscript", "subscripts (indexing) are not allowed"),
    ast.Lambda: ("lambda", "lambdas are not allowed"),
    ast.ListComp: ("comprehension", "comprehensions are not allowed"),
    ast.SetComp: ("comprehension", "comprehensions are not allowed"),
    ast.DictComp: ("comprehension", "comprehensions are not allowed"),
    ast.GeneratorExp: ("comprehension", "comprehensions are not allowed"),
    ast.JoinedStr: ("string", "strings are not allowed"),
    ast.FormattedValue: ("string", "strings are not allowed"),
    ast.IfExp: ("conditional", "`a if c else b` is not allowed; write where(c, a, b)"),
    ast.BoolOp: ("boolean", "`and` / `or` are not allowed; nest where(...) instead"),
    ast.NamedExpr: ("assignment", "assignments are not allowed"),
    ast.Starred: ("starred", "starred arguments are not allowed"),
    ast.List: ("collection", "lists are not allowed"),
    ast.Tuple: ("collection", "tuples are not allowed (a stray comma?)"),
    ast.Set: ("collection", "sets are not allowed"),
    ast.Dict: ("collection", "dicts are not allowed"),
    ast.Slice: ("subscript", "slices are not allowed"),
}
_OPERATOR_HINTS: dict[type[ast.AST], str] = {
    ast.BitXor: "`^` is not a power here; write x**2",
    ast.UAdd: "unary + is not in the grammar; leave it out",
    ast.Not: "`not` is not allowed",
    ast.Invert: "`~` is not allowed",
}


def check_param_names(names: Collection[str]) -> None:
    """Raise ParamNameError for the first name that cannot be a parameter, saying why."""
    if len(names) > MAX_PARAMS:
        raise ParamNameError("params", f"at most {MAX_PARAMS} parameters, got {len(names)}")
    for name in names:
        if name == VARIABLE:
            raise ParamNameError(name, "x is the variable; a parameter may not be called x")
        if name in RESERVED or keyword.iskeyword(name) or name in catalogue_names():
            raise ParamNameError(name, f"`{name}` is a function name; choose another name")
        if not _PARAM_NAME.fullmatch(name):
            raise ParamNameError(
                name,
                f"a parameter name is a letter then up to {MAX_PARAM_NAME - 1} letters, "
                "digits or _ (ASCII)",
            )


def catalogue_names() -> frozenset[str]:
    """Catalogue entries callable by name (with their default parameters), and the refused ones."""
    from app.lab.expressions.catalogue import CATALOGUE_EXPRESSIONS, NOT_EXPRESSIBLE

    return frozenset(CATALOGUE_EXPRESSIONS) | frozenset(NOT_EXPRESSIBLE)


class _Source:
    """Maps ast positions (UTF-8 byte columns of one line) to character offsets in the text.

    The text is parsed without its leading blanks (Python would read them as an indent), so
    every offset is shifted back by their number.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.stripped = text.lstrip()
        self.shift = len(text) - len(self.stripped)

    def offset(self, byte_col: int) -> int:
        return self.shift + len(self.stripped.encode()[:byte_col].decode(errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, str]:
        start = self.offset(node.col_offset)  # type: ignore[attr-defined]
        end_col = getattr(node, "end_col_offset", None)
        end = self.offset(end_col) if end_col is not None else start + 1
        return start, self.text[start:end]

    def refuse(self, node: ast.AST, kind: str, reason: str) -> ExpressionError:
        position, text = self.span(node)
        return ExpressionError(kind, reason, position, text)


def _max_bracket_depth(text: str) -> tuple[int, int]:
    """The deepest bracket nesting and where it is first reached (before Python's own parser,
    whose limit of 200 nested parentheses would answer with a less helpful message)."""
    depth = deepest = where = 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, i
        elif char in ")]}":
            depth -= 1
    return deepest, where


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse(text: str, params: Collection[str]) -> sp.Expr:
    """The sympy expression for `text` in x and declared `params`; ExpressionError if refused."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            "too_long",
            f"longer than {MAX_LENGTH} characters ({len(text)})",
            MAX_LENGTH,
            text[MAX_LENGTH:],
        )
    if not text.strip():
        raise ExpressionError("empty", "the expression is empty", 0, text)
    control = _CONTROL.search(text)
    if control is not None:
        raise ExpressionError(
            "control_character",
            f"control character {control.group()!r} (one line of text, please)",
            control.start(),
            text[control.start() :],
        )
    deepest, where = _max_bracket_depth(text)
    if deepest > MAX_DEPTH:
        raise ExpressionError(
            "too_deep", f"brackets nested deeper than {MAX_DEPTH}", where, text[where:]
        )
    source = _Source(text)
    try:
        tree = ast.parse(source.stripped, mode="eval")
    except SyntaxError as err:
        position = min(source.shift + max((err.offset or 1) - 1, 0), len(text))
        raise ExpressionError(
            "syntax", f"syntax error: {err.msg}", position, text[position:]
        ) from None
    except (ValueError, RecursionError, MemoryError) as err:  # absurd nesting
        raise ExpressionError("syntax", f"not an expression ({err})", 0, text) from None
    return _Converter(source, frozenset(params)).convert(tree.body, 0)


class _Converter:
    def __init__(self, source: _Source, params: frozenset[str]) -> None:
        self.source = source
        self.params = params
        self.symbols = {name: sp.Symbol(name, real=True) for name in params}

    def convert(self, node: ast.AST, depth: int) -> sp.Expr:
        if depth > MAX_DEPTH:
            raise self.source.refuse(node, "too_deep", f"nested deeper than {MAX_DEPTH}")
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub):
                raise self.refuse_operator(node, node.op)
            return self.checked(node, -self.convert(node.operand, depth + 1))
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Compare):
            raise self.source.refuse(
                node, "comparison", "a comparison is allowed only as where's first argument"
            )
        if isinstance(node, ast.Attribute):  # point at the attribute's name: `__class__`
            start, text = self.source.span(node)
            position = start + len(text) - len(node.attr)
            raise ExpressionError(
                "attribute", "attribute access is not allowed", position, node.attr
            )
        for node_type, (kind, reason) in _REFUSED.items():
            if isinstance(node, node_type):
                raise self.source.refuse(node, kind, reason)
        raise self.source.refuse(node, "syntax", f"{type(node).__name__} is not in the grammar")

    def refuse_operator(self, node: ast.AST, op: ast.AST) -> ExpressionError:
        hint = _OPERATOR_HINTS.get(type(op), f"operator {type(op).__name__} is not allowed")
        return self.source.refuse(node, "operator", hint)

    def constant(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if isinstance(value, str | bytes):
            raise self.source.refuse(node, "string", "strings are not allowed")
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.source.refuse(node, "constant", f"{value!r} is not a number")
        if isinstance(value, complex):
            raise self.source.refuse(node, "constant", "complex numbers are not allowed")
        if isinstance(value, int):
            if value.bit_length() > 1024:  # beyond float64's largest finite value
                raise self.source.refuse(node, "constant", "number larger than float64 allows")
            return sp.Integer(value)
        if not math.isfinite(value):
            raise self.source.refuse(node, "constant", "number larger than float64 allows")
        return sp.Float(value)

    def name(self, node: ast.Name) -> sp.Expr:
        if node.id == VARIABLE:
            return X
        if node.id in self.symbols:
            return self.symbols[node.id]
        if node.id in FUNCTIONS or node.id == WHERE or node.id in catalogue_names():
            raise self.source.refuse(
                node, "unknown_name", f"`{node.id}` is a function: call it, {node.id}(...)"
            )
        declared = ", ".join(sorted(self.params)) or "none"
        raise self.source.refuse(
            node,
            "unknown_name",
            f"unknown name `{node.id}`: the variable is x, parameters must be declared "
            f"(declared: {declared})",
        )

    def binop(self, node: ast.BinOp, depth: int) -> sp.Expr:
        build = OPERATORS.get(type(node.op))
        if build is None:
            raise self.refuse_operator(node, node.op)
        left = self.convert(node.left, depth + 1)
        right = self.convert(node.right, depth + 1)
        if isinstance(node.op, ast.Pow) and not right.free_symbols:
            exponent = float(right)
            if abs(exponent) > MAX_EXPONENT:
                raise self.source.refuse(
                    node.right,
                    "exponent",
                    f"constant exponent {exponent:g} is beyond the limit of +-{MAX_EXPONENT}",
                )
        return self.checked(node, build(left, right))

    def checked(self, node: ast.AST, expr: sp.Expr) -> sp.Expr:
        """Refuse a constant (sub)expression that is not a finite real float64 number."""
        if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            raise self.source.refuse(node, "constant", "undefined (a division by zero?)")
        if expr.free_symbols:
            return expr
        try:
            value = complex(expr)
        except (TypeError, OverflowError, ValueError):
            raise self.source.refuse(node, "constant", "not a finite real number") from None
        if value.imag != 0.0:
            raise self.source.refuse(node, "constant", "not a real number")
        if not math.isfinite(value.real):
            raise self.source.refuse(node, "constant", "constant larger than float64 allows")
        return expr

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            if type(node.func) in _REFUSED:  # x.__class__(), f[0](): say what the callee is
                self.convert(node.func, depth + 1)
            raise self.source.refuse(node.func, "call", "only a function name can be called")
        name = node.func.id
        if name == VARIABLE or name in self.params:
            raise self.source.refuse(
                node.func, "call", f"`{name}` is a number, not a function (a missing * ?)"
            )
        if node.keywords:
            raise self.source.refuse(
                node.keywords[0], "keyword", "keyword arguments are not allowed"
            )
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.source.refuse(arg, "starred", "starred arguments are not allowed")
        if name == WHERE:
            return self.where(node, depth)
        if name in FUNCTIONS:
            arity, build = FUNCTIONS[name]
            self.check_arity(node, name, arity)
            args = [self.convert(arg, depth + 1) for arg in node.args]
            return self.checked(node, build(*args))
        from app.lab.expressions.catalogue import NOT_EXPRESSIBLE, catalogue_function

        if name in NOT_EXPRESSIBLE:
            raise self.source.refuse(node.func, "not_expressible", NOT_EXPRESSIBLE[name])
        function = catalogue_function(name)
        if function is None:
            raise self.source.refuse(
                node.func,
                "unknown_function",
                f"unknown function `{name}`; available: {', '.join(available_functions())}",
            )
        self.check_arity(node, name, 1)
        return self.checked(node, function(self.convert(node.args[0], depth + 1)))

    def check_arity(self, node: ast.Call, name: str, arity: int) -> None:
        if len(node.args) != arity:
            plural = "argument" if arity == 1 else "arguments"
            raise self.source.refuse(
                node, "arity", f"{name} takes {arity} {plural}, got {len(node.args)}"
            )

    def where(self, node: ast.Call, depth: int) -> sp.Expr:
        self.check_arity(node, WHERE, 3)
        cond, a, b = node.args
        if not isinstance(cond, ast.Compare):
            raise self.source.refuse(
                cond, "condition", "where's first argument must be a comparison such as x > 0"
            )
        if len(cond.ops) != 1:
            raise self.source.refuse(
                cond, "condition", "chained comparisons are not allowed; nest where(...)"
            )
        relation = COMPARISONS.get(type(cond.ops[0]))
        if relation is None:
            raise self.source.refuse(
                cond, "condition", "only < <= > >= compare (== and != are not allowed)"
            )
        lhs = self.convert(cond.left, depth + 2)
        rhs = self.convert(cond.comparators[0], depth + 2)
        condition = relation(lhs, rhs)
        return self.checked(
            node,
            sp.Piecewise(
                (self.convert(a, depth + 1), condition), (self.convert(b, depth + 1), True)
            ),
        )


def parse_trusted(text: str, values: Mapping[str, float]) -> sp.Expr:
    """A definition written in the grammar by this package, with parameters set to `values`."""
    expr = parse(text, values)
    return expr.xreplace({sp.Symbol(k, real=True): _number(v) for k, v in values.items()})


def _number(value: float) -> sp.Expr:
    return sp.Integer(int(value)) if float(value).is_integer() else sp.Float(value)
