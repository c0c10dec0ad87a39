"""Check the paper's printed statements literally, and correct the ones that fail.

A claim is checked in the paper's own setting (its stated assumptions, e.g. a
constant learning rate) and, when the declaration is more general (schedules),
in general too.  A failing claim gets its residual and a corrected statement:
for a coefficient, the derived value; otherwise the first single index shift
(``g_t -> g_(t-1)``, ``c_2 -> c_(t+1)``) that makes it hold, or the declared
candidate fix -- each correction is itself proved before it is shown.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import canonical, is_zero, nonzero_at_a_point, nice, offset, residual_of, specialise
from .claim_kinds import Undecided, check_statement, evaluator, is_kind, map_values
from .declare import Claim, Method, is_transform_application
from .derive import Map
from .printing import text
from .prove import bindings
from .symbols import MAP_FUNCTIONS, m, t
from .system import StepSystem


@dataclass
class ClaimResult:
    claim: Claim
    holds: bool
    """In the paper's setting (plus the claim's own assumptions)."""
    residual: sp.Expr
    holds_in_general: bool | None = None
    """Without the paper's setting (None when the declaration adds nothing to it)."""
    general_residual: sp.Expr | None = None
    correction: tuple[sp.Expr, sp.Expr] | None = None
    correction_how: str = ""
    general_correction: tuple[sp.Expr, sp.Expr] | None = None

    def __repr__(self) -> str:
        """``<ClaimResult Eq. (3): m_{a,t} = ...: holds as printed>``."""
        from .printing import equation

        if self.holds:
            what = "holds as printed" + (", only in the paper's setting" if self.holds_in_general is False else "")
        else:
            what = "fails as printed" + (f"; {self.correction_how}" if self.correction_how else "")
        return f"<ClaimResult {self.claim.ref}: {equation(self.claim.lhs, self.claim.rhs)}: {what}>"


class ClaimChecker:
    def __init__(self, method: Method, mp: Map, system: StepSystem | None = None):
        self.method, self.mp = method, mp
        self.system = system or StepSystem(method)  # the caller passes the derivation's
        self.table = bindings(method, mp)

    def residual(self, lhs, rhs, setting) -> sp.Expr:
        """0 when ``lhs = rhs`` holds in ``setting``, otherwise the difference in normal form."""
        return residual_of(self._difference(lhs, rhs, setting))

    def holds(self, lhs, rhs, setting) -> bool:
        """``lhs = rhs`` on every trajectory: first the cheap exact refutation (one rational point where the
        reduced difference is not 0 settles it), then the exact zero test."""
        diff = self._difference(lhs, rhs, setting)
        return is_zero(diff)

    def _difference(self, lhs, rhs, setting) -> sp.Expr:
        return specialise(self.system.reduce(lhs - rhs, self.table), setting)

    def check(self, claim: Claim) -> ClaimResult:
        if is_kind(claim):
            return check_kind(claim, map_values(self.mp), self.method.paper_setting)
        paper = {**self.method.paper_setting, **claim.assume}
        r = self.residual(claim.lhs, claim.rhs, paper)
        res = ClaimResult(claim, r == 0, nice(r) if r != 0 else r)
        if not res.holds:
            res.correction, res.correction_how = self.correct(claim, paper)
        if self.method.paper_setting:
            g_r = self.residual(claim.lhs, claim.rhs, dict(claim.assume))
            res.holds_in_general = g_r == 0
            res.general_residual = nice(g_r) if g_r != 0 else g_r
            if not res.holds_in_general:
                res.general_correction, _ = self.correct(claim, dict(claim.assume), shifts=False)
        return res

    # -- corrections -------------------------------------------------------
    def _derived_value(self, lhs, setting):
        """For a coefficient claim ``beta_a(k) = ...``: the derived value at ``k``."""
        if isinstance(lhs, AppliedUndef) and lhs.func in MAP_FUNCTIONS + (m,):
            value = self.system.expand(lhs, {f: v for f, v in self.table.items() if f in MAP_FUNCTIONS + (m,)})
            return nice(specialise(value, setting))
        return None

    def correct(self, claim: Claim, setting, shifts: bool = True):
        derived = self._derived_value(claim.lhs, setting)
        if shifts:
            for side in ("rhs", "lhs"):
                for old, new in _index_shifts(getattr(claim, side)):
                    lhs = claim.lhs.xreplace({old: new}) if side == "lhs" else claim.lhs
                    rhs = claim.rhs.xreplace({old: new}) if side == "rhs" else claim.rhs
                    if self.holds(lhs, rhs, setting):
                        return (lhs, rhs), f"index slip: {text(old)} should read {text(new)}"
        if claim.fix is not None and self.holds(*claim.fix, setting):
            return claim.fix, "corrected statement (proved)"
        if derived is not None:
            return (claim.lhs, derived), "the derived value (proved)"
        return None, ""


def check_kind(claim: Claim, coefficients: dict, paper_setting: dict) -> ClaimResult:
    """A limit, sum, for-all or explicitness statement (:mod:`equivalences.claim_kinds`), decided in the
    paper's setting plus the claim's assumptions and, when the paper's setting adds something and the
    statement can still be decided without it, in general."""
    try:
        d = check_statement(claim, coefficients, {**paper_setting, **claim.assume})
    except Undecided as err:  # reported as not shown to hold, with the reason; never as holding
        return ClaimResult(claim, False, sp.nan, correction_how=f"not decided: {err}")
    res = ClaimResult(claim, d.holds, d.residual, correction=d.correction, correction_how=d.how)
    if not d.holds and d.correction is None and claim.fix is not None:
        fixed = check_statement(type(claim)(claim.ref, *claim.fix, **_kind_fields(claim)), coefficients,
                                {**paper_setting, **claim.assume})
        if fixed.holds:
            res.correction, res.correction_how = claim.fix, f"{d.how}; corrected statement (decided)"
    if paper_setting:
        general, paper = (evaluator(coefficients, st) for st in (dict(claim.assume), {**paper_setting, **claim.assume}))
        shown = (claim.lhs, claim.rhs)
        in_general = [general(e) for e in shown]
        if in_general == [paper(e) for e in shown]:  # the paper's setting does not enter this statement
            res.holds_in_general, res.general_residual, res.general_correction = d.holds, d.residual, d.correction
            return res
        if any(e.atoms(AppliedUndef) for e in in_general):  # a free schedule: no limit, sum or sign to take
            return res
        try:
            g = check_statement(claim, coefficients, dict(claim.assume))
        except Undecided:
            return res
        res.holds_in_general, res.general_residual = g.holds, g.residual
        res.general_correction = g.correction
    return res


def _kind_fields(claim) -> dict:
    from dataclasses import fields

    skip = {"ref", "lhs", "rhs", "fix"}
    return {f.name: getattr(claim, f.name) for f in fields(claim) if f.name not in skip}


def _index_shifts(expr):
    """Single-atom index changes to try: f(t + k) -> f(t + k +- 1), f(2) -> f(t + j)."""
    atoms = [a for a in sp.sympify(expr).atoms(AppliedUndef) if not is_transform_application(a) and len(a.args) == 1]
    steps = sorted({offset(a.args[0]) for a in atoms if offset(a.args[0]) is not None})
    for a in sorted(atoms, key=sp.default_sort_key):
        k = offset(a.args[0])
        if k is None:
            for j in steps:
                yield a, a.func(t + j)
        else:
            for d in (-1, 1):
                yield a, a.func(t + k + d)
