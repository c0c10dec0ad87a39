"""Every constant's number and every schedule's expression: the ``with`` clause, then ``values``."""
from __future__ import annotations

import sympy as sp

from ..declare import Method
from ..symbols import t
from .builder import _Builder, _check_power
from .errors import EquationError, _Source
from .grammar import _Parser, _statements
from .tokens import FUNCTIONS, THETA0, _tokens


# -- values ------------------------------------------------------------------------------------------------


def _values(b: _Builder):
    """Every constant's number and every schedule's expression of t: the ``with`` clause, then ``values``."""
    src, s = b.src, b.step
    given: dict[str, tuple] = {}  # name -> (node, source, pos)
    for lhs, value, vsrc in b.text.values:
        nm = lhs[1]
        if lhs[0] == "at":
            kind, k = b._offset(lhs[2], nm)
            if (kind, k) != ("rel", 0):
                vsrc.fail(lhs[-1], f"with gives {nm} at {s}", f"write {nm}[{s}] = ... (a schedule as an expression of {s})")
            if nm in b.constants:
                vsrc.fail(lhs[-1], f"{nm} is a constant of the equations, not a schedule", f"write {nm} = VALUE")
        if nm in given:
            vsrc.fail(lhs[-1], f"with gives {nm} twice", "give each value once")
        given[nm] = (value, vsrc, lhs[-1])
    for nm, raw in (b.values or {}).items():
        vsrc = _Source(str(raw), f"--set {nm}={raw}")
        toks = _tokens(vsrc)
        stmts = _statements(toks)
        if len(stmts) != 1:
            raise EquationError(f"--set {nm}={raw}: give one value (a number, or for a schedule an expression of {s})")
        p = _Parser(vsrc, stmts[0])
        node = p.expr()
        if p.peek().kind != "end":
            p._unexpected(p.peek())
        given[nm] = (node, vsrc, 0)
    known = set(b.constants) | set(b.schedules)
    # schedules first: their expressions may name parameters (a warmup length), which then need values too
    defaults, params = {}, {}
    for nm, f in b.schedules.items():
        if nm in given:
            node, vsrc, pos = given[nm]
            defaults[f] = _value_expr(node, vsrc, b, params, schedule=True)
    for nm in list(b.constants) + list(params):
        if nm in given:
            node, vsrc, pos = given[nm]
            v = _value_expr(node, vsrc, b, params, schedule=False)
            if not (v.is_number and v.is_real and v.is_finite):
                vsrc.fail(pos, f"the value of {nm} is {sp.sstr(v)}, not a number",
                          f"give {nm} one number (exact: 0.9 is 9/10)")
            defaults[b.constants.get(nm) or params[nm]] = v
    unknown = [nm for nm in given if nm not in known and nm not in params]
    if unknown:
        nm = unknown[0]
        node, vsrc, pos = given[nm]
        names = ", ".join(sorted(known | set(params))) or "none"
        what = "a state or a definition (it follows from the equations)" if nm in b.updates or nm in b.defs else \
            "not a name of the equations"
        raise EquationError(f"{vsrc.where(pos) if vsrc.label else src.where(pos)}: {nm} is {what}; values are for "
                            f"constants and schedules ({names})")
    missing = [nm for nm in list(b.constants) + list(b.schedules) + list(params)
               if (b.constants.get(nm) or b.schedules.get(nm) or params.get(nm)) not in defaults]
    if missing:
        sets = " ".join(f"--set {n}={'EXPR' if n in b.schedules else 'VALUE'}" for n in missing)
        sched = [n for n in missing if n in b.schedules]
        hint = f" (a schedule's value is an expression of {s}, e.g. 1/{s} or 0.1)" if sched else ""
        raise EquationError(f"{' and '.join([', '.join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)} "
                            f"{'has' if len(missing) == 1 else 'have'} no value: add {sets}{hint}, or "
                            f"`with {', '.join(f'{n}=...' for n in missing)}` at the end of the equations",
                            missing=tuple(missing))
    return tuple(b.constants.values()), tuple(b.schedules.values()), defaults


def _value_expr(node, vsrc: _Source, b: _Builder, params: dict, schedule: bool):
    kind = node[0]
    rec = lambda n: _value_expr(n, vsrc, b, params, schedule)  # noqa: E731
    if kind == "num":
        return node[1]
    if kind == "neg":
        return -rec(node[1])
    if kind in ("+", "-", "*", "/", "^"):
        x, y = rec(node[1]), rec(node[2])
        if kind == "/" and y == 0:
            vsrc.fail(node[3], "division by zero", "check the value")
        if kind == "^":
            _check_power(x, y, node[3], vsrc)
        return {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y,
                "^": lambda: x ** y}[kind]()
    if kind == "call" and node[1] in FUNCTIONS:
        fn, _ = FUNCTIONS[node[1]]
        return fn(*[rec(a) for a in node[2]])
    if kind == "name":
        nm = node[1]
        if nm == b.step:
            if not schedule:
                vsrc.fail(node[2], f"a constant's value cannot depend on the step {nm}",
                          f"write {nm} in a schedule's value (name[{nm}] in the equations)")
            return t
        if not schedule:
            vsrc.fail(node[2], f"a constant's value is a number, not {nm}", "write a number, e.g. 0.9")
        if nm in b.constants:
            return b.constants[nm]
        if nm in b.schedules or nm in b.updates or nm in b.defs or nm in THETA0 or nm == "g":
            vsrc.fail(node[2], f"a schedule's value may use the step, numbers and constants, not {nm}",
                      f"write an expression of {b.step}, e.g. 1/{b.step}")
        b._reserved(nm, node[2])
        return params.setdefault(nm, sp.Symbol(nm))
    vsrc.fail(node[-1], "a value is a number (or, for a schedule, an expression of the step)",
              f"write e.g. 0.9 or 1/{b.step}")


def _checked(method: Method) -> None:
    """The declaration's own checks (:func:`equivalences.registry.checked`), in the notation's words."""
    from ..registry import BadModule, checked

    try:
        checked(method, "the equations")
    except BadModule as err:
        raise EquationError(str(err)) from None
