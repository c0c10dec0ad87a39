"""The preconditioner/sign rule: both sides must apply the same transforms at the same place, with the same
input and parameters (those become equations too)."""
from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import canonical, linear_coefficients
from ..declare import Method, Transform
from ..derive import Map
from ..symbols import g, t
from ..transform_kinds import words
from .target import Target


def _transform_signature(tr: Transform | None):
    if tr is None:
        return None
    return tr.kind


def structure_mismatch(method: Method, mp: Map, target: Target) -> str | None:
    """The preconditioner/sign rule: both sides apply the same kind of transform at the same place."""
    for where, ours, theirs in (("before the momentum (Pre)", method.pre, target.pre),
                                ("after the momentum (Post)", mp.post, target.post)):
        a, b = _transform_signature(ours), _transform_signature(theirs)
        if a == b:
            continue
        if a is None:
            return (f"{target.name} applies a {words(b)} {where} and {method.key} applies none: "
                    f"a method without it cannot reproduce one with it")
        if b is None:
            return (f"{method.key} applies a {words(a)} {where} and {target.name} applies none: "
                    f"a method with it never reproduces one without it")
        return f"{method.key} applies a {words(a)} {where}, {target.name} a {words(b)}"
    return None


def _transform_equations(ours: Transform | None, theirs: Transform | None, offset: int):
    """Equal parameters and equal input of two transforms of the same kind, as equations."""
    eqs = []
    if ours is None or theirs is None:
        return eqs
    for name in sorted(set(ours.params) | set(theirs.params)):
        if name in ours.params and name in theirs.params:
            eqs.append((sp.sympify(ours.params[name]) - sp.sympify(theirs.params[name]).subs(t, t + offset),
                        None, f"the {ours.kind} parameter {name}"))
    a = sp.sympify(ours.input if ours.input is not None else g(t))
    b = sp.sympify(theirs.input if theirs.input is not None else g(t)).subs(t, t + offset)
    diff = canonical(a - b.replace(lambda e: isinstance(e, AppliedUndef) and e.func == g,
                                   lambda e: g(e.args[0] - offset)))
    atoms = sorted(diff.atoms(AppliedUndef) & {x for x in diff.atoms(AppliedUndef) if x.func == g},
                   key=sp.default_sort_key)
    if atoms:
        coeffs, rest = linear_coefficients(diff, atoms)
        eqs += [(c, None, f"the input of the {ours.kind} transform") for c in coeffs.values()]
    return eqs
