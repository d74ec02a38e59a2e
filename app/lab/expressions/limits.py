"""Every limit on a custom expression, declared once: the grammar, the API and docs read them."""

MAX_LENGTH = 500  # characters of expression text
MAX_DEPTH = 50  # operations nested along the deepest path of the syntax tree: `x` is 0, `sin(x)` 1,
# `-sin(x)` 2, `where(x > 0, x, 0)` 1 (its comparison's sides 2); brackets alone do not count
# A constant exponent above this in magnitude is refused before sympy builds the power, so
# `9**9**9` and `x**999999999` never reach the algebra (x**1000 still differentiates instantly).
MAX_EXPONENT = 1000
# Parsing, differentiating, simplifying, printing and compiling one expression: past this the
# work is interrupted and the expression refused (a 422), so a pathological one costs at most this.
TIME_BUDGET_S = 1.5
# Each of f, f', f'' gets at most this for sympy's simplify; past it that one keeps its plain
# form (the same values, a longer TeX). Three fit inside TIME_BUDGET_S with room to spare.
SIMPLIFY_BUDGET_S = 0.3
MAX_PARAMS = 16  # declared parameters per expression
MAX_PARAM_NAME = 32  # characters of a parameter name
PROBE_LIMIT = 1000.0  # properties are estimated on [-PROBE_LIMIT, PROBE_LIMIT]
CUSTOM_NAME = "custom"  # reserved: never a catalogue entry (a test keeps it so)
# The grammar's own functions, in the order the docs list them (grammar.FUNCTIONS maps each to
# sympy; kept here, without sympy, so the web layer can describe the grammar at start-up).
GRAMMAR_FUNCTIONS = (
    "exp log log1p sqrt abs sin cos tan tanh sinh cosh arctan erf sigmoid softplus min max"
).split()
WHERE = "where"
