"""The paper's claims: each a :class:`~equivalences.declare.Claim` whose sides and assumptions use the method's names,
the engine's ``t`` and ``theta_0``, and the bound variables of the statement kinds (:data:`_BOUND`)."""
from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from ..declare import Claim, Method
from ..symbols import MAP_FUNCTIONS, m, t, theta0, w
from .names import _Names, _uses
from .problem import _fail, _is_function, _kind, _show, _sympy


def _bound_names() -> set[str]:
    from ..claim_kinds import N_, POSITIVE_CONSTANT, T_, j_, s_

    return {x.name for x in (s_, j_, T_, N_, POSITIVE_CONSTANT)}


_BOUND = _bound_names()
"""The summation, product and limit variables the statement kinds of :mod:`equivalences.claim_kinds` use."""


def _claims(method: Method, names: _Names):
    accelerated = {f.__name__ for f in MAP_FUNCTIONS} | {m.__name__, w.__name__}
    functions = names.sequences | accelerated
    free = names.values | {t.name, theta0.name}
    free |= {s.name for v in method.paper_setting.values() if isinstance(v, sp.Basic) for s in v.free_symbols}
    for i, claim in enumerate(method.claims, 1):
        if not isinstance(claim, Claim):
            _fail(f"claims: item {i} is {_kind(claim)}; write Claim(ref, lhs, rhs)")
        where = f"claim {claim.ref!r}"
        for field in ("ref", "printed", "note"):
            if not isinstance(getattr(claim, field), str):
                _fail(f"{where}: {field} is a {type(getattr(claim, field)).__name__}; write it as text (a str)")
        if not isinstance(claim.assume, Mapping):
            _fail(f"{where}: assume is a {type(claim.assume).__name__}; write a dict, e.g. assume={{beta: 0}}")
        allowed = free | {getattr(k, "name", "") for k in claim.assume} | _BOUND
        allowed |= {x.name for v in claim.assume.values() if isinstance(v, sp.Basic) for x in v.free_symbols}
        var = getattr(claim, "var", None)  # a for-all or limit statement's own variable
        if isinstance(var, sp.Symbol):
            allowed |= {var.name}
        sides = [("lhs", claim.lhs, False), ("rhs", claim.rhs, False)]
        if claim.fix is not None:
            if not isinstance(claim.fix, tuple) or len(claim.fix) != 2:
                _fail(f"{where}: fix must be a pair (lhs, rhs)")
            sides += [("fix lhs", claim.fix[0], True), ("fix rhs", claim.fix[1], True)]
        for side, expr, is_fix in sides:
            expr = _sympy(f"{where} {side}", expr, statement=True)
            if claim.fix is None or is_fix:
                # A statement with a fix is recorded as printed, known to be wrong: it may use the paper's
                # stray names (MARS prints q_t for g_t).  Anywhere else an undeclared name is a typo that would
                # make the claim fail for the wrong reason.
                _uses(f"{where} ({side})", expr, names, allowed, functions, scalar_claim=True)
        for key, value in claim.assume.items():
            name = key.__name__ if _is_function(key) else getattr(key, "name", None)
            if name not in names.values and name not in names.schedules:
                _fail(f"{where}: assume key {_show(key)} is not a constant or schedule of the method")
            _sympy(f"{where}: assume[{name}]", value)
