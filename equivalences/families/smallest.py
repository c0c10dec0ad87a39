"""The smallest family of a method: the hierarchy walked from the bottom, each family below the method's order
refuted by the order's minor, each family at or above it asked to hold the method with a proved map."""
from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import sympy as sp

from ..declare import Method
from ..response import NotApplicable, Undefined, decide, default_steps, point_at, random_point, run
from . import eq1, filter as filter_, momentum, sgd
from ..symbols import t
from .family import Family, Fit, Placement
from .order import order
from .proof import prove
from .transfer import increment_transfer, partial_fractions


def hierarchy(top: int) -> list[Family]:
    """plain SGD (order 0) < Eq. (1) < filter of order 1 < 2-momentum < filter of order 2 < 3-momentum < ...:
    by the order (the state carried between steps), and at one order the momentum form before the general
    filter (a k-momentum form is a filter of order k)."""
    out = [sgd.FAMILY, eq1.FAMILY, filter_.family(1)]
    for k in range(2, top + 1):
        out += [momentum.family(k), filter_.family(k)]
    return out


class Subject:
    """A method with what the families ask of it: its runs, its order, its linear form and transfer function."""

    def __init__(self, method: Method, runs: bool = True):
        self.method = method
        self.steps = max(default_steps(method), 2 * len(method.state) + 4)
        self.runs, self.not_applicable = [], None
        for p in (point_at(method), random_point(method, 0)) if runs else ():
            try:
                self.runs.append(run(method, p, self.steps))
            except (NotApplicable, Undefined) as err:
                self.not_applicable = str(err)
        ranks = [(order(r), r) for r in self.runs]
        best = max(ranks, key=lambda x: x[0][0], default=None)
        self.order, self.minor = best[0] if best else (None, None)
        self.eq1_finding = decide(best[1]) if best else None

    @cached_property
    def linear(self):
        from ..equivalent import NotLinear, linear_form
        from ..system import DeclarationError

        try:
            return linear_form(self.method)
        except (NotLinear, DeclarationError) as err:
            self.not_linear = str(err)
            return None

    @cached_property
    def own(self) -> list:
        """The indices of the state that carries the method's past (kept older gradients included): all of it,
        less the query point when it only integrates its moves (it feeds nothing else).  Its size bounds the
        order from above."""
        L = self.linear
        n, c, M = L.n, [sp.sympify(x) for x in L.c], L.M
        hits = [i for i, x in enumerate(c) if x != 0]
        if len(hits) == 1 and c[hits[0]] == 1:
            i = hits[0]
            if all(sp.simplify(M[r, i] - (1 if r == i else 0)) == 0 for r in range(n)):
                return [j for j in range(n) if j != i]
        return list(range(n))

    def realization(self) -> tuple:
        """The method's own step read as a filter on ``x = S[own]``: ``(A_t, B_t, C_t, D_t)`` with
        ``x(t+1) = A_t x(t) + B_t u(t)`` and the move ``-(C_t x(t) + D_t u(t))``."""
        L, keep = self.linear, self.own
        c = sp.Matrix([L.c])
        C = c * (L.M - sp.eye(L.n))
        return L.M.extract(keep, keep), L.b.extract(keep, [0]), -C.extract([0], keep), -(c * L.b)[0]

    @cached_property
    def F(self):
        return None if self.linear is None else increment_transfer(self.linear)

    @cached_property
    def fractions(self):
        return partial_fractions(self.F)

    @cached_property
    def frozen(self):
        """``(Subject of the method with every schedule held at a constant, {constant: schedule(t)})``, or None
        (no schedule, or coefficients that still move with the step)."""
        from ..equivalent import constant_schedules

        if not self.method.schedules or self.linear is None:
            return None
        m_c = constant_schedules(self.method)
        back = dict(zip(m_c.constants[len(m_c.constants) - len(self.method.schedules):],
                        (f(t) for f in self.method.schedules)))
        sub = Subject(m_c, runs=False)
        return None if sub.F is None else (sub, back)


def _thawed(fam: Family, s: Subject) -> Fit | None:
    """A method with schedules: the family's map with the schedules held constant, each schedule put back at the
    step it is read (a guess), and proved again on the method itself -- sound whatever the guess."""
    if s.frozen is None:
        return None
    sub, back = s.frozen
    fit = fam.fit(sub)
    if not fit.holds:
        return None
    c = fit.candidate
    cand = replace(c, key=f"{s.method.key}:{fam.key}", updates=tuple(sp.Eq(e.lhs, e.rhs.xreplace(back)) for e in c.updates),
                   constants=tuple(x for x in c.constants if x not in back), schedules=s.method.schedules,
                   defaults={**{k: v for k, v in c.defaults.items() if k not in back},
                             **{f: v for f, v in s.method.defaults.items() if f in s.method.schedules}})
    coeffs = {k: sp.sympify(v).xreplace(back) for k, v in fit.coefficients.items()}
    return prove(s.method, cand, coeffs, fit.notes + ["the map found with the schedules held constant, each put back "
                                                      "at its step, and proved on the method itself"])


def _own_realization(s: Subject, keep: list) -> Fit:
    """The method's own step read as a filter on ``keep``: ``x = S[keep]``, ``x' = A x + B u``, move ``-(C x + D u)``."""
    A, B, C, D = s.realization()
    coeffs = {"x": [s.linear.names[j] for j in keep], "A_t": A.tolist(), "B_t": B.T.tolist()[0],
              "C_t": C.tolist()[0], "D_t": D}
    return Fit(True, f"its own step is a filter of order {len(keep)} on ({', '.join(coeffs['x'])}), read off the "
                     "declaration (no change of variables), and the minor rules out every smaller order", coeffs)


def _plain_sgd(fit: Fit) -> Fit:
    """Order 0: Eq. (1)'s proved map holds it as plain SGD only when ``eta_a = 0`` (then ``alpha_t = alpha_a``)."""
    if not fit.holds:
        return fit
    if sp.simplify(fit.coefficients["eta_a"]) == 0:
        return Fit(True, "Eq. (1)'s proved map has eta_a = 0: plain SGD (the engine's proof)",
                   {"alpha": fit.coefficients["alpha_a"]})
    return Fit(None, "order 0 at the points judged, but Eq. (1)'s proved map has eta_a != 0: not decided here")


def _through_transforms(method: Method, s: Subject) -> Placement | None:
    """A method with transforms, beyond Eq. (1): the smallest family of its linear part (:mod:`.transformed`),
    with the same transforms around the family's member; None where it has no linear part or that has no family
    with a proved map (the caller then says the families take linear methods)."""
    from .transformed import LinearPart, linear_part

    lp = linear_part(method)
    if not isinstance(lp, LinearPart):
        s.not_linear = f"{s.not_linear} ({lp})"
        return None
    inner = place(lp.method)
    if inner.family is None or not inner.proved:
        return None
    out = replace(inner, method=method, order=s.order, order_witness=s.minor, transfer=None,
                  transforms=lp.words, notes=list(inner.notes))
    out.notes.insert(0, f"read through its linear part ({lp.words} taken out): no state that feeds the direction "
                        "reads the transform's output, so the direction is the same function of the inputs in both; "
                        "the family's member with the same transforms around it steps as the method does (the map "
                        "and proof below are the linear part's)")
    return out


def place(method: Method, overrides: dict | None = None) -> Placement:
    """The smallest family of ``method`` (with ``overrides``, ``{symbol: value}``, substituted first)."""
    from ..trajectory import specialised

    for sym, value in (overrides or {}).items():
        method = specialised(method, sym, value)
    if getattr(method, "calls", ()):
        from ..oracles import judged

        if judged(method) is not None:
            return place(judged(method))
        out = Placement(method, None)
        out.notes.append("the method makes several gradient calls per step; the families take one call per step "
                         "(docs/equivalent.md: verify equivalent compares such methods)")
        return out
    s = Subject(method)
    out = Placement(method, s.order, s.minor)
    if s.order is None:
        out.notes.append(f"the declaration cannot be run on linear forms ({s.not_applicable})")
        return out
    if s.linear is not None:
        keep = s.own
        top = out.bound = len(keep)
    else:
        composed = _through_transforms(method, s) if s.order >= 2 else None
        if composed is not None:
            return composed
        out.notes.append(f"{s.not_linear}: the families beyond Eq. (1) take linear methods")
        top = 1
    out.transfer = s.F
    for fam in hierarchy(max(top, s.order, 1)):
        if fam.order < s.order:  # the minor is the witness against it
            out.below.append(fam)
            if fam.key == "eq1" and s.eq1_finding is not None:
                out.against.append((fam, f"on the run judged, {s.eq1_finding.sentence()}"))
            continue
        if fam.order > max(s.order, 1) or fam.order > top and fam.key != "eq1":
            break  # a proof in a family of larger order would not show it is the smallest: stop at the order
        fit = fam.fit(s)
        if s.order == 0 and fam.key == "eq1":
            fit = _plain_sgd(fit)
            fam = sgd.FAMILY if fit.holds else fam
        if not fit.holds and s.F is None:
            fit = _thawed(fam, s) or fit
        if fit.holds:
            out.family, out.fit = fam, fit
            return out
        out.against.append((fam, fit.reason))
        out.fit = fit
    if s.F is None and s.linear is not None and s.order == top:  # order >= r by the minor, <= r by its own state
        out.family, out.fit = filter_.family(s.order), _own_realization(s, keep)
    return out
