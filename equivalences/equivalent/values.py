"""At given values: A's exact setting, B's under the verdict's relation, the methods made concrete, and their
exact difference there (the replay's values and its negative control are decided here, exactly)."""
from __future__ import annotations

import sympy as sp

from ..declare import Method
from .joint import Joint, linear_form, name_of as _name, related
from .verdict import Equivalence
from .witness import Difference, first_difference


def values_of(method: Method, overrides: dict | None = None) -> dict:
    """The method's exact setting: every constant a number, every schedule an expression of ``t`` only."""
    from ..convert import specialise
    from ..declare import setting

    full = setting(method, overrides)
    consts = {k: v for k, v in full.items() if isinstance(k, sp.Symbol)}
    return {**{k: specialise(v, full) for k, v in full.items() if not isinstance(k, sp.Symbol)}, **consts}


def b_values(r: Equivalence, a_values: dict, overrides: dict | None = None) -> dict:
    """B's exact setting that corresponds to A's ``a_values`` under the verdict's relation (keys: B's own objects):
    a related hyperparameter from the relation, a shared name from A, any other from B's defaults and
    ``overrides``."""
    from ..convert import specialise

    b = r.b
    own = values_of(b, overrides)
    by_name = {_name(k): v for k, v in a_values.items()}
    consts, scheds = r.substitution or ({}, {})
    rel = {_name(k): v for k, v in {**consts, **scheds}.items()}
    out = {}
    for k, v in own.items():
        n = _name(k)
        if n in rel:
            v = specialise(rel[n], a_values)
        elif n in by_name and n not in {_name(x) for x in (overrides or {})}:
            v = by_name[n]
        out[k] = v
    return out


def concrete(method: Method, values: dict) -> Method:
    """``method`` with every hyperparameter replaced by its value in ``values`` (``values_of``)."""
    return related(method, {k: v for k, v in values.items() if isinstance(k, sp.Symbol)},
                   {k: v for k, v in values.items() if not isinstance(k, sp.Symbol)})


def differ_at_values(a: Method, b: Method, delta: int = 0, steps: int = 12) -> Difference | None:
    """The first exact difference of the query points of two concrete methods within ``steps`` steps."""
    return first_difference(Joint(linear_form(a, "_A"), linear_form(b, "_B"), delta), steps)
