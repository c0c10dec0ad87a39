"""The candidate settings of one method for the identified sequences: the inverse's closed form, the same
snapped to short decimals, then the schedules solved step by step where the closed form leaves a recurrence."""
from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from .. import fit as F
from .ranges import _in_domain
from .run import _value
from .target import _decimal


MATCH_TOLERANCE = 1e-6
"""The inverse's own check (relative, per coefficient and step) only proposes candidates: a coefficient 2000 times
smaller than ``eta_a + alpha_a`` (AdEMAMix's ``(1 - beta3)`` weight) carries the fit's 1e-15 as ~1e-9 of itself.
What decides is the replay of the declared method against the class, at the replay's tolerance."""
SNAP_CANDIDATE = 1e-9
"""A solved value is also tried as the shortest decimal within this (relative): ``0.99899999999996 -> 0.999``."""


INCONSISTENT = "inconsistent"
"""What :func:`_stepwise` returns when an equation left without unknowns fails before any free choice was made: no
choice can help."""


def _stepwise(method, mp, constants: dict, hint: dict, eq: F.Eq1, first_free=(0, None)) -> tuple | None:
    """The schedule values solved from the identified coefficients, the constants held. At a restart (step t0, or
    ``beta_a = 0``: Schedule-Free's ``c = 1``) only the whole move ``K (eta_a + alpha_a)`` is identified and the
    momentum's weight ``K eta_a beta_a`` is 0; elsewhere ``K eta_a``, ``K alpha_a``, ``beta_a``; and ``gamma_avg``.
    Equations are taken fewest unknowns first, each solved for one unknown; where every equation left has two or more,
    the earliest unknown takes the inverse's value (``hint``), else the nearest solved value of its schedule. The first
    time, ``first_free = (rank, value)`` picks which of the candidates (in order: earliest step, with a hint, declared
    order) and which value (None: as above): the equations then have a family of solutions (AdEMAMix's start), and
    the caller tries points of it until one lies in the method's domain. This
    solves what the closed-form inverse leaves as a recurrence (torch's dampening skipped at the first step:
    ``beta_a,2 = mu (1 - tau_1) / (1 - tau_2)``); equations left without unknowns are checks, which the replay
    makes: ``(tables, the values chosen where the equations left them free)``, None when an equation has no solution
    at this choice (or a check fails after it), :data:`INCONSISTENT` when an equation without unknowns misses its
    value by more than ``MATCH_TOLERANCE`` (relative to the coefficient's size, or to ``max(eta_a + alpha_a)`` for a
    small one) before any free choice."""
    from sympy.core.function import AppliedUndef

    from equivalences.symbols import t

    t0 = method.t0
    fixed = {method.hyperparameter(k): sp.Rational(v) for k, v in constants.items() if v is not None}
    fixed = {k: v for k, v in fixed.items() if isinstance(k, sp.Symbol)}
    funcs = set(method.schedules)
    order = {f: i for i, f in enumerate(method.schedules)}
    unknown: dict = {}  # (schedule, step) -> Dummy
    d = lambda x: sp.Rational(_decimal(x))  # noqa: E731

    def at(expr, step):
        e = sp.sympify(expr).subs(t, step).xreplace(fixed)
        subs = {a: unknown.setdefault((a.func, int(a.args[0])), sp.Dummy(f"{a.func.__name__}{a.args[0]}"))
                for a in e.atoms(AppliedUndef) if a.func in funcs and a.args[0].is_Integer}
        return e.xreplace(subs)

    scale = float(np.nanmax(np.abs(eq.eta + eq.alpha))) or 1.0
    eqs, sizes = [], []  # each equation with the size its misfit is judged against

    def add(expr, value, size=None):
        eqs.append(at(expr, step) - d(value))
        sizes.append(abs(float(value)) if size is None else size)

    for k in range(len(eq.eta)):
        step = t0 + k
        if k == 0 or eq.beta[k] == 0:
            add(mp.K * (mp.eta_a + mp.alpha_a), eq.eta[k] + eq.alpha[k])
            if k:
                add(mp.K * mp.eta_a * mp.beta_a, 0.0, scale)
        else:
            add(mp.K * mp.eta_a, eq.eta[k], scale)
            add(mp.K * mp.alpha_a, eq.alpha[k], scale)
            if np.isfinite(eq.beta[k]):
                add(mp.beta_a, eq.beta[k])
        if mp.gamma_avg is not None and eq.gamma is not None:
            step += 1
            add(mp.gamma_avg, eq.gamma[k])
    names = {v: key for key, v in unknown.items()}
    sol: dict = {}
    chosen = []
    while True:
        pairs = [(e.xreplace(sol), size) for e, size in zip(eqs, sizes)]
        for e, size in pairs:  # an equation with no unknown left is a check: the method cannot produce the class
            if not (e.free_symbols & names.keys()) and e.is_number and abs(complex(e)) > MATCH_TOLERANCE * size:
                return None if chosen else INCONSISTENT  # before any free choice: no choice can help
        pairs = [(e, size) for e, size in pairs if e.free_symbols & names.keys()]
        eqs, sizes = [e for e, _ in pairs], [size for _, size in pairs]
        if not eqs:
            break
        e = min(eqs, key=lambda e: len(e.free_symbols))
        free = sorted(e.free_symbols & names.keys(), key=lambda x: (names[x][1], order[names[x][0]]))
        if len(free) > 1:  # every equation ties two or more: fix the earliest unknown
            def given(x):
                f, k = names[x]
                return hint.get(f.__name__, {}).get(k)

            ranked = sorted({x for e in eqs for x in e.free_symbols if x in names},
                            key=lambda x: (names[x][1], given(x) is None, order[names[x][0]]))
            rank, value = first_free if first_free is not None else (0, None)
            if rank >= len(ranked):
                return None
            x = ranked[rank]
            first_free = None
            f, k = names[x]
            value = given(x) if value is None else value
            if value is None:  # the nearest value the inverse or the elimination has for this schedule
                near = [(abs(kk - k), v) for kk, v in hint.get(f.__name__, {}).items() if v is not None]
                near += [(abs(kk - k), sol[xx]) for (ff, kk), xx in unknown.items() if ff == f and xx in sol
                         and not sol[xx].free_symbols]
                value = min(near, key=lambda p: p[0])[1] if near else sp.Integer(0)
            sol = {y: v.xreplace({x: sp.Rational(value)}) for y, v in sol.items()}
            sol[x] = sp.Rational(value)
            chosen.append(f"{f.__name__}({k}) = {_value(sp.Rational(value))}")
            continue
        try:
            roots = sp.solve(e, free[0])
        except Exception:  # noqa: BLE001 -- the solver gives up: no stepwise solution
            return None
        roots = [r for r in roots if r.is_real is not False]
        if not roots:
            return None
        sol = {y: v.xreplace({free[0]: roots[0]}) for y, v in sol.items()}
        sol[free[0]] = roots[0]
    tables: dict = {}
    for (f, k), x in unknown.items():
        v = sol.get(x)
        if v is None or v.free_symbols or not v.is_finite:
            continue  # never needed by an equation: the replay takes the nearest value
        tables.setdefault(f.__name__, {})[k] = v if v.is_Rational else sp.nsimplify(v)
    return (tables, chosen) if tables else None


def _candidates(sm, method, mp, eq: F.Eq1, deviation, tol: float, tried: set):
    """The solved values as the inverse gives them, then snapped to the shortest decimals within
    ``SNAP_CANDIDATE`` (constants, then schedules too), then the schedules solved step by step with the constants
    held (:func:`_stepwise`, its free points tried until one lies in the method's range): yields ``(constants,
    schedules, chosen, deviation)``; the replay (``deviation``) decides. ``tried`` keeps a family from being solved
    twice."""
    snap = lambda v: v if v is None else sp.Rational(_decimal(float(v), SNAP_CANDIDATE))  # noqa: E731
    snapped = lambda tables: {n: {k: snap(v) for k, v in vals.items()} for n, vals in tables.items()}  # noqa: E731
    constants = {k: snap(v) for k, v in sm.constants.items()}
    if sm.matched:
        for consts, tables in ((sm.constants, sm.schedules), (constants, sm.schedules), (constants, snapped(
                sm.schedules))):
            if _in_domain(method, tables, consts):
                yield consts, tables, [], deviation(consts, tables)
    hint = sm.schedules if sm.matched else {}
    for consts in (constants, sm.constants) if sm.constants else ({},):
        key = (tuple(sorted((k, str(v)) for k, v in consts.items())), str(hint))
        if key in tried:
            continue
        tried.add(key)
        given_up = set()  # ranks whose family is inconsistent
        for rank, value in itertools.product(range(3), FREE_POINTS):
            if rank in given_up:
                continue
            try:
                found = _stepwise(method, mp, consts, hint, eq, (rank, value))
            except Exception:  # noqa: BLE001 -- a solve that fails proposes nothing; matching goes on
                found = None
            if found is INCONSISTENT:
                given_up.add(rank)
                continue
            if found is None or not _in_domain(method, found[0], consts):
                continue  # the next free point
            tables, chosen = found
            yield consts, snapped(tables), chosen, deviation(consts, snapped(tables))
            yield consts, tables, chosen, deviation(consts, tables)
            break


FREE_POINTS = (None, sp.Integer(0), sp.Rational(1, 2), sp.Rational(1, 10), sp.Rational(9, 10))
"""Values tried for the first unknown the equations leave free (None: the inverse's or the nearest value)."""
