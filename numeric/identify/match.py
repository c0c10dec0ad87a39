"""Which registered methods produce the identified coefficients, at which settings, confirmed by a replay.

For every registered method whose transforms fit the verdict (none for *in-family*; its own diagonal
preconditioner for *preconditioned*, whose parameters the probe pins and therefore cannot identify), the shared
inverse of a map (:func:`equivalences.inverse.invert_sequences`, numeric-sequence mode) solves the method's
map = the identified sequences for its constants and schedule values. The identified values enter as exact
decimals: the shortest within 2e-14 of each value (the fit is good to a few 1e-15, so this changes nothing that
matters and keeps rounding noise such as ``tau = -4e-16`` out of the exact domain checks). Candidates
(:func:`_candidates`): the inverse's closed form, the same snapped to short decimals, then the schedules solved step
by step where the closed form leaves a recurrence or a restart's split (:func:`_stepwise`), inside the method's
range (:func:`schedule_range`). Below epsilon the method's preconditioner is left out and replayed as the identity.
A solution counts as a match only when the declared method, run in its own variables with those values, replays
the class on a held-out probe within the replay tolerance.
"""
from __future__ import annotations

import functools
import itertools
from fractions import Fraction

import numpy as np
import sympy as sp

from . import fit as F
from . import probe as P
from .verdict import TINY

MATCH_TOLERANCE = 1e-6
"""The inverse's own check (relative, per coefficient and step) only proposes candidates: a coefficient 2000 times
smaller than ``eta_a + alpha_a`` (AdEMAMix's ``(1 - beta3)`` weight) carries the fit's 1e-15 as ~1e-9 of itself.
What decides is the replay of the declared method against the class, at the replay's tolerance."""
SNAP_CANDIDATE = 1e-9
"""A solved value is also tried as the shortest decimal within this (relative): ``0.99899999999996 -> 0.999``."""


def _derived(key):
    """A registered method's (cached by key) or a given Method's (``verify identify --expect EQUATIONS``)
    declaration, step system and map."""
    from equivalences.declare import Method

    return _derive(key) if isinstance(key, Method) else _derived_key(key)


@functools.lru_cache(maxsize=None)
def _derived_key(key: str):
    from equivalences.registry import get

    return _derive(get(key))


def _derive(method):
    from equivalences.derive import derive
    from equivalences.system import StepSystem

    system = StepSystem(method)
    return method, system, derive(method, system)


SNAP_RELATIVE = 2e-14
"""How far (relative) the shortest decimal may be from an identified value: the fit is good to a few 1e-15."""


def _decimal(x: float, relative: float = SNAP_RELATIVE) -> Fraction:
    """The shortest decimal within ``relative`` of ``x`` (``0.0009000000000000001 -> 9/10000``), exact: so the
    rounding noise of the fit does not reach the inverse's exact domain checks (``tau = -1e-15 < 0``)."""
    x = float(x) if np.isfinite(x) else 0.0
    for digits in range(1, 17):
        text = format(x, f".{digits}g")
        if abs(float(text) - x) <= relative * abs(x):
            return Fraction(text)
    return Fraction(x)


def _target(eq: F.Eq1, method, mp, preconditioned: bool, first: int = 0, step_size=None):
    """The identified sequences as the inverse's numeric target, from step ``first`` on."""
    from equivalences.inverse import Target

    t0, K = method.t0, len(eq.eta)
    seq = lambda a, shift=0: {t0 + k + shift: _decimal(a[k]) for k in range(first, len(a))}  # noqa: E731
    beta = eq.beta.copy()
    # beta at t0 multiplies the zero start: not identifiable, and the inverse compares beta from t0 + 1 on; a
    # neutral continuation keeps a schedule solved from it (e.g. beta1(t0)) from showing a spurious value
    beta[0] = beta[1] if len(beta) > 1 and np.isfinite(beta[1]) else 0.0
    gamma = seq(eq.gamma, 1) if eq.gamma is not None else None  # gamma[k] forms e after step k
    if step_size is not None:  # sign: K_t must match, (eta_a, alpha_a) up to a positive factor
        return Target.sequences(seq(beta), seq(eq.eta), seq(eq.alpha), t0=t0, K=seq(step_size[:len(eq.eta)]),
                                post=mp.post)
    return Target.sequences(seq(beta), seq(eq.eta), seq(eq.alpha), t0=t0, gamma_avg=gamma,
                            post=mp.post if preconditioned else None, pre=method.pre if preconditioned else None)


def _forget_targets():
    """The inverse caches a target's shifted values by ``id``; a new target may reuse a collected one's id."""
    from equivalences.inverse import forget_targets

    forget_targets()


def _fits_structure(method, mp, verdict: str) -> bool:
    transforms = [tr for tr in (method.pre, mp.post) if tr is not None]
    if verdict == "in-family":
        return not transforms
    if verdict == "preconditioned":
        return bool(transforms) and all(tr.kind != "sign" for tr in transforms)
    if verdict == "sign":
        return mp.post is not None and mp.post.kind == "sign" and method.pre is None
    return False


def _schedule_expr(name: str, values: dict):
    """A matched schedule ``{step: value}`` as a sympy expression of ``t``; steps the sequences do not determine
    (the trajectory does not depend on them there) take the nearest determined value."""
    from numeric.libraries.driver import sequence

    known = sorted((int(k), float(v)) for k, v in values.items() if v is not None)

    def table(n):
        out = []
        for s in range(n + 1):
            out.append(min(known, key=lambda kv: abs(kv[0] - s))[1] if known else 0.0)
        return out

    return sequence(f"{name}_identified", table)


def method_config(method, constants: dict, schedules: dict):
    """A numeric configuration of ``method`` at matched values (constants, and schedules as step tables)."""
    from numeric.compile import Config

    overrides = {}
    for name, value in constants.items():
        sym = method.hyperparameter(name)
        if sym is not None and value is not None:
            overrides[sym] = float(value)
    for name, values in schedules.items():
        f = method.hyperparameter(name)
        if f is not None and values:
            overrides[f] = _schedule_expr(name, values)
    return Config.from_method(method, overrides)


def map_sequences(method, mp, cfg, steps: int) -> dict:
    """The method's derived map at this configuration: ``K eta_a``, ``K alpha_a``, ``beta_a`` (and ``gamma_avg``)
    for steps ``k = 0..steps-1`` (for the plot beside the identified ones)."""
    from numeric.compile import tabulate

    ts = np.arange(method.t0, method.t0 + steps)
    out = {"beta_a": tabulate(mp.beta_a, cfg, ts)[:, 0], "eta_a": tabulate(mp.K * mp.eta_a, cfg, ts)[:, 0],
           "alpha_a": tabulate(mp.K * mp.alpha_a, cfg, ts)[:, 0]}
    if mp.gamma_avg is not None:
        out["gamma_avg"] = tabulate(mp.gamma_avg, cfg, ts + 1)[:, 0]
    return out


def _epsilon_one(method) -> dict:
    """Every transform's ``eps`` set to 1: for gradients ~1e-30 the declared preconditioner is then the identity to
    ~1e-30 (``d / (sqrt(v_hat) + 1)``), which is how the below-epsilon coefficients are written (units of g)."""
    return {tr.params["eps"].name: 1 for tr in method.transforms
            if isinstance(tr.params.get("eps"), sp.Symbol)}


def replay_method(method, system, constants: dict, schedules: dict, driver: P.Driver, G: np.ndarray) -> float:
    """The declared method in its own variables with these values, fed the gradients ``G`` (open loop) from 0,
    against the class on the same gradients: max relative deviation of query (and evaluation) points."""
    import torch

    from numeric.forms import Coefficients, MethodForm

    cfg = method_config(method, constants, schedules)
    T, D = G.shape
    ts = np.arange(method.t0, method.t0 + T)
    coeffs = Coefficients()
    form = MethodForm(method, cfg, ts, coeffs, system)
    C = coeffs.stack(torch.float64, "cpu")
    truth = driver.run(G)
    s = form.start(torch.zeros(1, D, dtype=torch.float64))
    q = np.empty((T + 1, D))
    e = np.empty((T + 1, D)) if truth.e is not None else None
    grads = torch.as_tensor(G, dtype=torch.float64)
    for k in range(T + 1):
        ck = C[min(k, T - 1)]
        q[k] = form.query(ck, s)[0].numpy()
        if e is not None:
            ev = form.evaluate(ck, s)
            e[k] = (ev if ev is not None else form.query(ck, s))[0].numpy()
        if k < T:
            s = form.step(ck, s, grads[k][None])
    dev = F.deviation(q, truth.q)
    if e is not None:
        dev = max(dev, F.deviation(e, truth.e))
    return dev


def describe_schedule(values: dict):
    """A matched schedule ``{step: value}`` for people: one number when constant, ``"1/(t - 1) for t = 2..15"`` when
    it is ``a/(t + b)`` with small integers, ``"0.0001/(1 - 0.9^t)"`` when it is ``a/(1 - b^t)`` (each checked at
    every step to 1e-9), else the table."""
    pts = sorted((int(k), float(v)) for k, v in values.items() if v is not None)
    if not pts:
        return None
    vals = [v for _, v in pts]
    close = lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))  # noqa: E731
    if all(close(v, vals[0]) for v in vals):
        return _value(vals[0])
    span = f"t = {pts[0][0]}..{pts[-1][0]}"
    for b in range(-3, 4):
        for a_num in range(1, 10):
            for a_den in (1, 2, 4, 5, 10):
                if all((k + b) != 0 and close(v, a_num / a_den / (k + b)) for k, v in pts):
                    a = f"{a_num}" if a_den == 1 else f"{a_num}/{a_den}"
                    den = "t" if b == 0 else f"t {'+' if b > 0 else '-'} {abs(b)}"
                    return f"{a}/({den}) for {span}"
    if pts[0][0] == 1 and len(pts) > 2 and vals[1] != 0:  # a / (1 - b^t): a bias correction (Adam's eta_t)
        b = vals[0] / vals[1] - 1
        a = vals[0] * (1 - b)
        if 0 < b < 1 and all(close(v, a / (1 - b ** k)) for k, v in pts):
            return f"{_value(a)}/(1 - {_value(b)}^t) for {span}"
    runs = []  # piecewise constant: "0 at t = 1, then 0.3 for t = 2..15" (torch's dampening skipped at step 1)
    for k, v in pts:
        if runs and close(v, runs[-1][2]):
            runs[-1][1] = k
        else:
            runs.append([k, k, v])
    if len(runs) <= 3:
        return ", then ".join(f"{_value(v)} " + (f"at t = {a}" if a == b else f"for t = {a}..{b}")
                              for a, b, v in runs)
    return {str(k): _value(v) for k, v in pts}


def _value(v):
    from fractions import Fraction as Fr

    try:
        if hasattr(v, "is_Integer") and v.is_Integer:
            return int(v)
        if isinstance(v, Fr) and v.denominator == 1:
            return int(v)
        x = float(format(float(v), ".12g"))  # for display; the replay used the full values
        return int(x) if x.is_integer() else x
    except (TypeError, ValueError):
        return str(v)


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


def _in_domain(method, tables: dict, constants: dict | None = None) -> bool:
    """Every solved constant inside its declared domain, every schedule value inside the schedule's range
    (:func:`schedule_range`)."""
    for name, value in (constants or {}).items():
        sym = method.hyperparameter(name)
        dom = method.domain.get(sym) if isinstance(sym, sp.Symbol) else None
        if dom is not None and value is not None and dom.contains(sp.Rational(value)) == sp.false:
            return False
    for name, values in tables.items():
        f = method.hyperparameter(name)
        dom = schedule_range(method, f) if f is not None else None
        if dom is None:
            continue
        for v in values.values():
            if dom.contains(sp.Rational(v)) == sp.false:
                return False
    return True


def schedule_range(method, f) -> sp.Set | None:
    """Where a schedule's values lie: its declared domain (a bare parameter, numbers), else read off its default
    body at sampled points of its parameters' domains and steps 1..1000 -- only the sign and the bound 1 are kept
    (``(0, 1)`` for AdEMAMix's beta3 warmup, ``(0, oo)`` for its alpha ramp), so a matched schedule is a value the
    method can take, not merely one that solves its equations."""
    from equivalences.inverse import schedule_domain

    dom = schedule_domain(method, f)
    if dom is not None:
        return dom
    default = method.defaults.get(f)
    if default is None:
        return None
    body = sp.sympify(default)
    return _sampled_range(body, tuple((k, v) for k, v in method.domain.items() if k in body.free_symbols))


@functools.lru_cache(maxsize=None)
def _sampled_range(body, domains: tuple) -> sp.Set | None:
    from equivalences.symbols import t

    doms = dict(domains)
    params = sorted(body.free_symbols - {t}, key=lambda x: x.name)
    rng = np.random.default_rng(0)

    def draws(dom):
        if isinstance(dom, sp.FiniteSet):
            return [float(x) for x in dom]
        if isinstance(dom, sp.Interval):
            a, b = float(dom.start), float(dom.end)
            if np.isfinite(a) and np.isfinite(b):
                return [a + (b - a) * u for u in (1e-3, 0.1, 0.5, 0.9, 0.999)]
            base = a if np.isfinite(a) else 0.0
            return [base + x for x in (1e-3, 0.5, 1.0, 10.0, 1e3)]
        return None

    pools = [draws(doms.get(p)) for p in params]
    if any(pool is None for pool in pools):
        return None
    fn = sp.lambdify([t, *params], body, modules="math")
    values = []
    for _ in range(200):
        args = [pool[rng.integers(len(pool))] for pool in pools]
        for step in (1, 2, 3, 5, 10, 100, 1000):
            try:
                values.append(float(fn(step, *args)))
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                continue
    values = [v for v in values if np.isfinite(v)]
    if not values:
        return None
    lo, hi = min(values), max(values)
    low = sp.Interval.open(0, sp.oo) if lo > 0 else sp.Interval(0, sp.oo) if lo >= 0 else sp.Reals
    high = sp.Interval.open(-sp.oo, 1) if hi < 1 else sp.Interval(-sp.oo, 1) if hi <= 1 else sp.Reals
    return low & high


def _needed(method, mp) -> set:
    """The constants the map's coefficients depend on (a preconditioner's beta2 and eps are not among them)."""
    coefficients = [sp.sympify(e) for e in (mp.beta_a, mp.eta_a, mp.alpha_a, mp.K, mp.gamma_avg) if e is not None]
    return {c.name for c in method.constants if any(e.has(c) for e in coefficients)}


def _probe_for(res, T: int, D: int, seed: int) -> np.ndarray:
    """Gradients in the regime the coefficients were identified in (``res.probe_scale``)."""
    if res.verdict == "preconditioned" and res.regime.startswith("g/|g|"):
        return P.signs(T, D, seed, res.probe_scale)
    return P.gaussian(T, D, seed, res.probe_scale if res.verdict != "sign" else 1.0)


def match(res, cls, kwargs: dict, methods=None, seed: int = 0, budget_s: float | None = None) -> list[dict]:
    """The registered methods that produce ``res``'s coefficients, each confirmed by a replay. With ``budget_s``,
    methods not reached within that many seconds are skipped and named in ``res.unmatched_note``.

    Below epsilon (coefficients in units of g, the preconditioner the constant ``1/epsilon``) a method matches when
    its momentum recursion does: its own preconditioner is left out of the solve and replayed with ``epsilon = 1``
    (the identity there), so its ``eta`` carries the class's ``1/epsilon``."""
    import time
    from dataclasses import replace

    start = time.perf_counter()
    from equivalences import registry
    from equivalences.inverse import invert_sequences

    if res.verdict not in ("in-family", "preconditioned", "sign") or res.eq is None:
        return []
    sign = res.verdict == "sign"
    driver = P.Driver(cls, dict(kwargs), res.rows)
    T, D = len(res.eq.eta) - 1, 16  # identified steps, less the last (its schedule values may need the next step)
    preconditioned = res.verdict == "preconditioned"
    below_eps = preconditioned and res.probe_scale == TINY
    G = _probe_for(res, T, D, seed + 7)
    tol = F.tolerance(T)
    out = []
    keys = list(methods or registry.names())
    for i, key in enumerate(keys):
        if budget_s is not None and time.perf_counter() - start > budget_s:
            res.unmatched_note = f"matching stopped after {budget_s:g} s; not tried: {', '.join(getattr(k, 'key', k) for k in keys[i:])}"
            break
        try:
            method, system, mp = _derived(key)
        except Exception:  # noqa: BLE001 -- a method that does not derive matches nothing
            continue
        if not _fits_structure(method, mp, res.verdict):
            continue
        solved, solved_mp = (replace(method, pre=None), mp.replace(post=None)) if below_eps else (method, mp)
        found, tried = None, set()

        def deviation(constants, schedules):
            """The declared method at these values replayed against the class (inf where it cannot run)."""
            if below_eps:
                constants = {**constants, **_epsilon_one(method)}
            try:
                return replay_method(method, system, constants, schedules, driver, G)
            except Exception:  # noqa: BLE001 -- an unreplayable match is not confirmed
                return float("inf")

        # first every identified step; then from t0 + 1 on, the start solved from the first move (at a restart
        # the split of B_0 into eta and alpha is a convention, wrong where alpha_a varies with t)
        for first in (0, 1):
            _forget_targets()
            sm = invert_sequences(solved, _target(res.eq, solved, solved_mp, preconditioned and not below_eps, first,
                                                  res.step_size if sign else None), mp=solved_mp,
                                  tolerance=MATCH_TOLERANCE)
            if not sm.matched and not _needed(solved, solved_mp) <= set(sm.constants):
                continue  # no closed form, and constants the step-by-step solve would need are missing
            for constants, schedules, chosen, dev in _candidates(sm, solved, solved_mp, res.eq, deviation, tol,
                                                                 tried):
                if dev <= tol:
                    found = ({**constants, **_epsilon_one(method)} if below_eps else constants, schedules, dev,
                             chosen)
                    break
            if found:
                break
        if found is None:
            continue
        constants, schedules, dev, chosen = found
        hyper = {k: _value(v) for k, v in constants.items()}
        for name, values in schedules.items():
            hyper[name] = describe_schedule(values)
        if chosen:
            hyper["chosen"] = (", ".join(chosen) + ": chosen (the coefficients fix only a combination of the "
                               "values there; other choices can give the same trajectory)")
        if below_eps:
            hyper["preconditioner"] = ("below epsilon the class's preconditioner is the constant 1/epsilon: the "
                                       "momentum recursion matches, replayed with epsilon = 1 (eta carries 1/epsilon)")
        elif preconditioned:
            hyper["preconditioner"] = "its own, parameters not identified (the probe pins it)"
        out.append({"method": method.key, "hyperparameters": hyper, "max_rel_deviation": dev})
        try:
            res.map_sequences[method.key] = map_sequences(method, mp, method_config(method, constants, schedules),
                                                          T + 1)
        except Exception:  # noqa: BLE001 -- only the plot uses them
            pass
    return out
