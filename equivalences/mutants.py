"""Deliberately wrong maps: the negative controls of the numeric replay and the mutation suite."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import canonical, is_zero, shift
from .derive import Map
from .printing import text
from .symbols import t, theta0


def _changed(a, b) -> bool:
    return not is_zero(a - b)


def control(mp: Map, method=None, setting: dict | None = None, *, changed=_changed) -> tuple[str, Map]:
    """The negative control: the derived map with its schedule one step off (``c_{t+1} -> c_{t+2}`` in the
    form's weight of the momentum, eta_a; late rather than early, so no schedule is read before its first step),
    or, for a method whose eta_a does not change with ``t``, with the decay (beta_a) 1% too small, or the weight
    of ``u`` (alpha_a) 1% too large.

    With ``method`` and ``setting`` (the replay's values), the first of these that still changes the map
    there is taken: at ``beta = 0`` Schedule-Free's eta_a is 0 and reading it late changes nothing.
    ``changed(a, b)`` decides whether a perturbation changes anything at all (default: symbolically; a
    library replay at constant schedules passes a numeric test)."""
    candidates = []
    (weight,), (on_u,), (decay,) = mp.form.on_buffers(), mp.form.on_input(), mp.form.decays()
    w, d, a = (getattr(mp, c.name) for c in (weight, decay, on_u))
    shifted = shift(w, 1)
    if changed(shifted, w):
        candidates.append((f"{weight.name} read one step late: {text(shifted)} for {text(w)}",
                           mp.replace(**{weight.name: shifted})))
    smaller = d * sp.Rational(99, 100)
    if changed(smaller, d):
        candidates.append((f"{decay.name} 1% too small", mp.replace(**{decay.name: smaller})))
    larger = a * sp.Rational(101, 100) + sp.Rational(1, 100)
    candidates.append((f"{on_u.name} 1% too large", mp.replace(**{on_u.name: larger})))
    if method is not None and setting is not None:
        for name, bad in candidates:
            if not identical(method, mp, bad, setting):
                return name, bad
    return candidates[0]


# -- the mutation suite -------------------------------------------------------------------------------
#
# One generic engine: every mutant is built from the derived map's expressions alone, for any method.
# A mutant that is mathematically the same map (decided exactly, with sympy) is not applicable; every
# other one must be rejected by the symbolic proof and by the numeric replay.

COEFFICIENTS = Map.form.names
"""The coefficients every mutant kind perturbs, one at a time: the form's (Eq. (1): beta_a, eta_a, alpha_a)."""
EXTRA = sp.Rational(101, 100)
KINDS = ("index shift", "dropped factor", "extra factor", "eta/alpha swap", "sign flip", "initial m",
         "averaging weight", "change of variables")


@dataclass
class Mutant:
    kind: str
    name: str
    map: Map


def _late(expr, f) -> sp.Expr:
    """``expr`` with every application of ``f`` read one step late (``f(t + k) -> f(t + k + 1)``);
    ``f = t`` shifts the bare step counter (``beta1**t -> beta1**(t + 1)``) and leaves applications alone."""
    if f is t:
        apps = sorted(expr.atoms(AppliedUndef), key=sp.default_sort_key)
        hide = {a: sp.Dummy() for a in apps}
        return expr.xreplace(hide).subs(t, t + 1).xreplace({d: a for a, d in hide.items()})
    return expr.replace(lambda e: isinstance(e, AppliedUndef) and e.func == f,
                        lambda e: e.func(*[a + 1 for a in e.args]))


def _time_varying(expr) -> list:
    """The schedules ``expr`` reads, then ``t`` if it also depends on the step outside them."""
    fs = sorted({a.func for a in expr.atoms(AppliedUndef)}, key=lambda f: f.__name__)
    bare = expr.xreplace({a: sp.Dummy() for a in expr.atoms(AppliedUndef)})
    return fs + ([t] if bare.has(t) else [])


def _factors(expr) -> list:
    """The non-numeric multiplicative factors of ``expr`` (its factored form), each once."""
    out = []
    for f in sp.factor(expr).as_ordered_factors():
        if not f.is_number and f not in out:
            out.append(f)
    return out


def mutants(method, mp: Map):
    """Named wrong maps for any method, built from ``mp``'s expressions (some may turn out identical:
    see :func:`identical`)."""
    for c in COEFFICIENTS:
        e = getattr(mp, c)
        for f in _time_varying(e):
            late = _late(e, f)
            what = "the step t" if f is t else f.__name__
            yield Mutant("index shift", f"{c}: {what} read one step late ({text(late)} for {text(e)})",
                         mp.replace(**{c: late}))
    for c in COEFFICIENTS:
        e = getattr(mp, c)
        for f in _factors(e):
            yield Mutant("dropped factor", f"{c} without its factor {text(f)}", mp.replace(**{c: canonical(e / f)}))
    for c in COEFFICIENTS:
        yield Mutant("extra factor", f"{c} times 101/100", mp.replace(**{c: getattr(mp, c) * EXTRA}))
    for a, b in mp.form.swaps():
        yield Mutant("eta/alpha swap", f"{a.name} and {b.name} swapped",
                     mp.replace(**{a.name: getattr(mp, b.name), b.name: getattr(mp, a.name)}))
    for c in COEFFICIENTS:
        yield Mutant("sign flip", f"{c} with its sign flipped", mp.replace(**{c: -getattr(mp, c)}))
    m = mp.form.buffers[0].name
    yield Mutant("initial m", f"initial momentum {m}(t0 - 1) = {text(mp.m_init + theta0)} for {text(mp.m_init)}",
                 mp.replace(m_init=mp.m_init + theta0))
    if mp.gamma_avg is not None:
        yield Mutant("averaging weight", "averaging weight times 101/100", mp.replace(gamma_avg=mp.gamma_avg * EXTRA))
        late = shift(mp.gamma_avg, 1)
        yield Mutant("averaging weight", f"averaging weight one step late ({text(late)})", mp.replace(gamma_avg=late))
    u = _input_part(method, mp)
    memory = mp.momentum - u
    yield Mutant("change of variables", f"{m} with its state part 101/100 too large",
                 mp.replace(momentum=u + memory * EXTRA))
    yield Mutant("change of variables", f"{m} without its gradient term", mp.replace(momentum=memory))


def _input_part(method, mp: Map) -> sp.Expr:
    """The term of the change of variables in the current (pre-transformed) gradient ``u(t)``."""
    u = method.input(t)
    return sp.diff(mp.momentum, u) * u


def _fields(method, mp: Map) -> dict:
    """What a map means: its coefficients, change of variables, the momentum it starts with, averaging."""
    out = {c.name: e for c, e in mp.coefficients()}
    out.update(momentum=mp.momentum, K=mp.K, start=mp.beta_a.subs(t, method.t0) * mp.m_init)
    if mp.gamma_avg is not None:
        out.update(gamma_avg=mp.gamma_avg, avg_init=mp.avg_init)
    return out


def identical(method, a: Map, b: Map, setting: dict | None = None) -> bool:
    """Exactly: do ``a`` and ``b`` mean the same map (after ``setting``, e.g. the replay's schedules)?"""
    from .algebra import specialise

    fa, fb = _fields(method, a), _fields(method, b)
    if fa.keys() != fb.keys() or a.post != b.post:
        return False
    return all(fa[k] == fb[k] or is_zero(specialise(fa[k] - fb[k], setting or {})) for k in fa)


@dataclass
class MutantResult:
    kind: str
    name: str
    applicable: bool
    """False: the mutant is the same map (proved exactly); counted as not applicable, not as caught."""
    symbolic: bool | None = None
    """Rejected by the proof (an identity that does not reduce to 0)."""
    failed_identities: tuple = ()
    numeric: bool | None = None
    """Rejected by the replay in a configuration where the derived map agrees; None: not replayed, or the
    mutant is the same map under the replayed schedules (``numeric_note`` says which)."""
    numeric_note: str = ""
    deviation: float | None = None
    independent: bool | None = None
    """Contradicted by the independent exact check (:mod:`equivalences.response`) at the defaults and a
    random point."""

    @property
    def escaped(self) -> bool:
        return self.applicable and (self.symbolic is False or self.numeric is False or self.independent is False)


@dataclass
class SuiteResult:
    method: str
    results: list = field(default_factory=list)
    configs: int = 0
    steps: int = 0
    seconds: float = 0.0

    def count(self, which: str) -> tuple[int, int]:
        """(caught, tried) for ``"symbolic"`` or ``"numeric"``."""
        tried = [r for r in self.results if r.applicable and getattr(r, which) is not None]
        return sum(bool(getattr(r, which)) for r in tried), len(tried)

    @property
    def not_applicable(self) -> int:
        return sum(not r.applicable for r in self.results)

    @property
    def ok(self) -> bool:
        return not any(r.escaped for r in self.results)

    def to_json(self) -> dict:
        sc, st = self.count("symbolic")
        nc, nt = self.count("numeric")
        ic, it = self.count("independent")
        return {"method": self.method, "ok": self.ok, "symbolic": {"caught": sc, "tried": st},
                "independent": {"caught": ic, "tried": it},
                "numeric": {"caught": nc, "tried": nt, "configs": self.configs, "steps": self.steps},
                "not_applicable": self.not_applicable, "seconds": round(self.seconds, 3),
                "mutants": [{"kind": r.kind, "name": r.name, "applicable": r.applicable, "symbolic": r.symbolic,
                             "failed_identities": list(r.failed_identities), "numeric": r.numeric,
                             "independent": r.independent,
                             "numeric_note": r.numeric_note or None, "deviation": r.deviation}
                            for r in self.results]}
