"""How a check fails and reads a value: :class:`DeclarationProblem` (one line: the field, the problem, the fix),
the way a check raises it, shows a value, and reads a field as an exact sympy expression (text, floats and
non-finite values refused); and how a domain is written for a reader (:func:`set_text`)."""
from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction


class DeclarationProblem(ValueError):
    """A malformed declaration; the message (one line) names the field, the problem and the fix."""


def _fail(message: str):
    raise DeclarationProblem(message)


def _show(x) -> str:
    return sp.sstr(x) if isinstance(x, sp.Basic) else repr(x)


def _sympy(where: str, value, statement: bool = False) -> sp.Basic:
    """``value`` as a sympy object: strings, lists and other Python objects are refused, never parsed.
    ``statement``: a side of a claim, which may also be a relation (a "for all" statement) or involve
    infinity (a limit)."""
    if isinstance(value, str):
        _fail(f"{where} is given as text ({value!r}); write a sympy expression (sp.Rational(9, 10), not '0.9') "
              "-- text is never evaluated")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            _fail(f"{where} is the float {value!r}, not a finite number; write an exact one, e.g. sp.Rational(1, 10)")
        exact = sp.Rational(repr(value))
        _fail(f"{where} is the float {value!r}; write the exact number sp.Rational({exact.p}, {exact.q}): proofs are exact")
    if isinstance(value, bool) or not isinstance(value, (int, sp.Basic)):
        _fail(f"{where} is a {type(value).__name__} ({_show(value)}); write one sympy expression")
    value = sp.sympify(value)
    if statement and isinstance(value, sp.logic.boolalg.Boolean):
        return value
    if not isinstance(value, sp.Expr):
        _fail(f"{where} is {_kind(value)}, not an expression; write an expression of the declared names")
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) and not value.has(sp.Sum) and not statement:  # a Sum's limits are checked on their own
        _fail(f"{where} = {_show(value)} is not finite; write a finite expression")
    if value.has(sp.Float):
        _fail(f"{where} = {_show(value)} contains a floating-point number; write exact numbers "
              "(sp.Rational(9, 10), not 0.9): proofs are exact")
    return value


def set_text(dom: sp.Set) -> str:
    """A domain as a reader writes it: ``[0, 1)``, ``(0, ∞)``, ``{0, 1}``."""
    if isinstance(dom, sp.Interval):
        end = lambda x: "∞" if x == sp.oo else "-∞" if x == -sp.oo else sp.sstr(x)  # noqa: E731
        return f"{'(' if dom.left_open else '['}{end(dom.start)}, {end(dom.end)}{')' if dom.right_open else ']'}"
    if isinstance(dom, sp.FiniteSet):
        return "{" + ", ".join(sp.sstr(x) for x in dom.args) + "}"
    if isinstance(dom, sp.Union):
        return " ∪ ".join(set_text(a) for a in dom.args)
    return sp.sstr(dom)


def _is_function(f) -> bool:
    return isinstance(f, UndefinedFunction)


def _kind(f) -> str:
    if isinstance(f, AppliedUndef):
        return f"{f} (an applied function; give the function {f.func.__name__} itself)"
    if _is_function(f):
        return f"the function {f.__name__}"
    if isinstance(f, sp.Symbol):
        return f"the symbol {f.name}"
    if isinstance(f, sp.Expr):
        return f"the expression {sp.sstr(f)}"
    if isinstance(f, sp.Basic):
        return f"the {type(f).__name__} {sp.sstr(f)}"
    return f"the {type(f).__name__} {_show(f)}"
