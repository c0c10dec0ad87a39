"""The gradient response of the unrolled trajectory: an independent, exact second decision on every verdict.

The derivation (:mod:`equivalences.derive`, :mod:`equivalences.trajectory`) reasons about the declaration
symbolically, in ``t``.  This module does not share its assumptions, its step system or its algebra: it
*runs* the declaration as written -- its updates in the authors' order, its definitions, its start -- at
exact rational values (every constant, every schedule value at every step ``t0 .. T``), with a free symbol
``u_k`` for each gradient.  The query point's increments are then linear forms

    q_(k+1) - q_k = -( sum_(s <= k) H[k, s] u_s  +  sum_sigma H[k, sigma] sigma )        (sigma: start symbols)

(for a step ``-K_k Post_k(D_k)`` the row is ``D_k``: a row scale changes nothing below).  Eq. (1) with any
coefficients -- zeros included, so restarts (``beta = 0``) and idle steps (``eta = 0``) -- gives

    H[k, k] = eta_k + alpha_k  (free),     H[k, s] = eta_k prod_(j = s+1 .. k) beta_j   (s < k),

and the start acts through ``m_a(t0 - 1)``: every start column is a multiple of ``eta_k prod_(j = t0..k) beta_j``.
Write the start as one extra column ``t0 - 1``.  Then, exactly and with every zero pattern:

    Eq. (1) holds on steps t0..T  <=>  for each j = t0..T: there is a scalar b_j with
        H[k, j - 1] = b_j H[k, j]   for every row k >= j + 1,   and   H[j, j - 1] = 0 where b_j is forced to 0

(``b_j = beta_j``; ``eta_k = H[k, k-1] / beta_k``).  A row that breaks it is a *witness*: a step, a gradient
term and its exact coefficient at these values, which no choice of ``beta_a, eta_a, alpha_a`` and start can
produce.  Given a derived map, the check also runs Eq. (1) with the map's coefficients at the same values and
compares every row exactly, and the averaged sequence against the map's weights.

The decision is plain linear algebra over QQ (Python's ``Fraction``); SymPy only evaluates the numbers of
each step.  Nothing numeric (torch, numpy) is imported here.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp
from sympy.core.function import AppliedUndef

from .declare import Method, setting
from .symbols import t

ZERO = Fraction(0)


class NotApplicable(Exception):
    """The unrolled step is not linear in the gradients (or not one transformed direction): no response."""


class Undefined(Exception):
    """A number of the declaration (or of the map) is undefined at a step (a division by 0 there)."""

    def __init__(self, step: int, what: str):
        super().__init__(f"{what} is undefined at step t = {step}")
        self.step, self.what = step, what


# -- linear forms over the gradients and the start ---------------------------------------------------------
Form = dict  # atom -> Fraction; atoms: ("u", k), ("start", name), ("P", name, k, i)


def _add(a: Form, b: Form, c: Fraction = Fraction(1)) -> Form:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, ZERO) + c * v
    return {k: v for k, v in out.items() if v != 0}


def _scale(a: Form, c: Fraction) -> Form:
    return {} if c == 0 else {k: c * v for k, v in a.items()}


def _fraction(x) -> Fraction:
    x = sp.sympify(x)
    if x.is_Rational:
        return Fraction(int(x.p), int(x.q))
    raise ValueError(x)


def term_name(atom) -> str:
    if atom[0] == "u":
        return f"g({atom[1]})"
    if atom[0] == "start":
        return atom[1]
    return f"{atom[1]}({atom[2]}, ...)"


# -- the values being judged ----------------------------------------------------------------------------
@dataclass
class Point:
    """Exact values: every constant, and every schedule either as a body in ``t`` or as one value per step."""

    label: str
    constants: dict
    schedules: dict
    """schedule -> an expression of ``t`` (its body at these constants) or ``{step: value}`` (drawn on first use)."""
    rng: random.Random | None = field(default=None, repr=False, compare=False)

    def describe(self) -> str:
        parts = [f"{k} = {v}" for k, v in sorted(self.constants.items(), key=lambda kv: str(kv[0]))]
        for f, v in self.schedules.items():
            parts.append(f"{f.__name__}_t = {v}" if not isinstance(v, dict) else f"{f.__name__}_t random")
        return ", ".join(parts)


def point_at(method: Method, overrides: dict | None = None, label: str = "defaults") -> Point:
    """The method's defaults with ``overrides`` (``{symbol: value}``): the values a user runs."""
    values = setting(method, overrides)
    consts = {k: v for k, v in values.items() if isinstance(k, sp.Symbol)}
    scheds = {}
    for f in method.schedules:
        if f in values:
            scheds[f] = sp.sympify(values[f]).subs(consts)
    return Point(label, consts, scheds)


def _sample(dom, rng: random.Random, integer: bool) -> sp.Rational:
    """An exact value inside ``dom`` (a SymPy set), away from its ends."""
    if isinstance(dom, sp.FiniteSet):
        return sp.sympify(rng.choice(sorted(dom, key=sp.default_sort_key)))
    if isinstance(dom, sp.Union):
        return _sample(rng.choice([a for a in dom.args if not a.is_empty]), rng, integer)
    lo, hi = (dom.inf, dom.sup) if isinstance(dom, sp.Interval) else (sp.Integer(0), sp.Integer(1))
    if integer:
        a = int(sp.ceiling(lo)) if lo.is_finite else 1
        return sp.Integer(max(a, 1) + rng.randrange(0, 6))
    r = sp.Rational(rng.randrange(1, 30), 31)
    if lo.is_finite and hi.is_finite:
        v = lo + (hi - lo) * r
    elif lo.is_finite:
        v = lo + 2 * r
    elif hi.is_finite:
        v = hi - 2 * r
    else:
        v = 2 * r - 1
    return v if dom.contains(v) == sp.true else (lo + hi) / 2


def random_point(method: Method, seed: int, fixed: dict | None = None) -> Point:
    """Random exact constants inside their declared domains (those in ``fixed`` kept) and a random value in
    (0, 1) for every schedule at every step: the proof claims every schedule, so the check draws them freely."""
    rng = random.Random(seed)
    base = setting(method)
    consts = {}
    for k in [k for k in base if isinstance(k, sp.Symbol)]:
        if fixed and k in fixed:
            consts[k] = fixed[k]
            continue
        dom = method.domain.get(k)
        if dom is None:
            dom = sp.Interval.open(0, sp.oo) if k.is_positive else sp.Interval.open(0, 1)
        if isinstance(dom, sp.FiniteSet):  # a flag: each random point takes the next value (a default is one too)
            consts[k] = sorted(dom, key=sp.default_sort_key)[seed % len(dom)]
            continue
        consts[k] = _sample(dom, rng, bool(k.is_integer))
    return Point(f"random point {seed}", consts, {f: {} for f in method.schedules}, rng)


# -- running the declaration as written -----------------------------------------------------------------
class _Runner:
    """Evaluates the declaration's expressions at one step, on linear forms over ``u_k`` and the start."""

    def __init__(self, method: Method, point: Point):
        self.method, self.point = method, point
        self.state = {s.__name__: s for s in method.state}
        self.schedules = {f.__name__: f for f in method.schedules}
        self.define = {f.__name__: (f, body) for f, body in method.define.items()}
        self.input = method.input.__name__
        self.transforms = {tr.function.__name__: tr for tr in method.transforms}
        self.apps: dict = {}  # (name, k, frozen argument) -> atom
        self.arguments: dict = {}  # atom -> the argument form

    # numbers ----------------------------------------------------------------------------------------
    def schedule_value(self, f, k: int) -> Fraction:
        spec = self.point.schedules.get(f)
        if isinstance(spec, dict):
            if k not in spec:
                spec[k] = sp.Rational((self.point.rng or random.Random(k)).randrange(1, 30), 31)
            return _fraction(spec[k])
        if spec is None:
            raise NotApplicable(f"no value for the schedule {f.__name__}")
        v = sp.sympify(spec).subs(t, k)
        if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise Undefined(k, f"the schedule {f.__name__}")
        try:
            return _fraction(v)
        except ValueError:
            raise NotApplicable(f"{f.__name__}({k}) = {v} is not rational") from None

    def number(self, expr, k: int) -> Fraction:
        """An expression without state, gradient or transform, at step ``k``."""
        reps = {}
        for a in expr.atoms(AppliedUndef):
            f = self.schedules.get(a.func.__name__)
            if f is None:
                raise NotApplicable(f"{a} has no value")
            step = sp.sympify(a.args[0]).subs(t, k)
            if not step.is_Integer:
                raise NotApplicable(f"{a} at a step that is not an integer")
            reps[a] = sp.Rational(self.schedule_value(f, int(step)))
        v = expr.xreplace(reps).subs(self.point.constants).subs(t, k)
        if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise Undefined(k, sp.sstr(expr))
        if not v.is_Rational:
            if v.free_symbols:
                raise NotApplicable(f"{sp.sstr(expr)} has no value at these constants ({sp.sstr(v.free_symbols)})")
            raise NotApplicable(f"{sp.sstr(expr)} = {v} at step {k} is not rational")
        return _fraction(v)

    # forms ------------------------------------------------------------------------------------------
    def value(self, expr, k: int, now: dict, new: dict):
        """``expr`` at step ``k``: a Fraction, or a linear form.  ``now``: the state at ``k``; ``new``: the
        variables already updated in this step (at ``k + 1``)."""
        if not self._live(expr):
            return self.number(expr, k)
        if isinstance(expr, sp.Add):
            out, num = {}, ZERO
            for a in expr.args:
                v = self.value(a, k, now, new)
                if isinstance(v, Fraction):
                    num += v
                else:
                    out = _add(out, v)
            if num != 0:
                raise NotApplicable(f"{sp.sstr(expr)} adds a constant to the state")
            return out
        if isinstance(expr, sp.Mul):
            form, c = None, Fraction(1)
            for a in expr.args:
                v = self.value(a, k, now, new)
                if isinstance(v, Fraction):
                    c *= v
                elif form is None:
                    form = v
                elif v and form:
                    raise NotApplicable(f"{sp.sstr(expr)} multiplies the state by the state (not linear)")
                else:
                    form = {}
            return _scale(form or {}, c)
        if isinstance(expr, sp.Pow) and expr.exp == 1:
            return self.value(expr.base, k, now, new)
        if isinstance(expr, AppliedUndef):
            return self.application(expr, k, now, new)
        raise NotApplicable(f"{sp.sstr(expr)} is not linear in the state and the gradients")

    def _live(self, expr) -> bool:
        names = set(self.state) | set(self.define) | {self.input} | set(self.transforms)
        return any(a.func.__name__ in names or _lag(a.func.__name__, self.input) for a in expr.atoms(AppliedUndef))

    def application(self, a, k: int, now: dict, new: dict):
        name = a.func.__name__
        if name in self.transforms:
            step, arg = a.args
            step = self.number(sp.sympify(step), k)
            form = self.value(arg, k, now, new)
            if isinstance(form, Fraction):
                raise NotApplicable(f"{a} applies a transform to a number")
            key = (name, int(step), tuple(sorted(form.items())))
            if key not in self.apps:
                atom = ("P", name, int(step), len(self.apps))
                self.apps[key], self.arguments[atom] = atom, form
            return {self.apps[key]: Fraction(1)}
        if len(a.args) != 1:
            raise NotApplicable(f"{a} takes several arguments")
        step = sp.sympify(a.args[0]).subs(t, k)
        if not step.is_Integer:
            raise NotApplicable(f"{a} at a step that is not an integer")
        step = int(step)
        if name in self.define:
            if step in (k, k + 1):
                return self.value(sp.sympify(self.define[name][1]).subs(t, step), k, now, new)
            return self._older(a, k)
        lag = _lag(name, self.input)
        if lag:  # the engine's name for a kept older gradient (g_prev = g(t - 1)), in a map's change of variables
            return {} if step - lag < self.method.t0 else {("u", step - lag): Fraction(1)}
        if name == self.input:
            if step > k:
                raise NotApplicable(f"{a} is a gradient step {k} does not know")
            return {} if step < self.method.t0 else {("u", step): Fraction(1)}
        if name in self.state:
            if step == k:
                return now[name]
            if step == k + 1 and name in new:
                return new[name]
            return self._older(a, k)
        raise NotApplicable(f"{a} is not a state, gradient or definition")

    def _older(self, a, k: int):
        step = int(sp.sympify(a.args[0]).subs(t, k))
        hist = self.history.get(step)
        if hist is None:
            raise NotApplicable(f"{a} reads a state the run has no value for")
        name = a.func.__name__
        if name in hist:
            return hist[name]
        f, body = self.define[name]
        return self.value(sp.sympify(body).subs(t, step), step, hist, {})


def _lag(name: str, input_name: str) -> int:
    head = f"{input_name}_prev"
    if not name.startswith(head):
        return 0
    rest = name[len(head):]
    return 1 if rest == "" else (int(rest) if rest.isdigit() else 0)


@dataclass
class Run:
    """The declaration run from its start over steps ``t0 .. T`` at one point."""

    method: Method
    point: Point
    query: list  # q_k, k = t0 .. T + 1 (forms)
    evaluate: list | None
    moves: list  # (scale c_k, row form D_k, transform name or None): q_(k+1) - q_k = -c_k Post(D_k)
    starts: list
    states: dict = field(default_factory=dict)
    """step -> the state at that step (forms)"""


def run(method: Method, point: Point, steps: int) -> Run:
    """Run ``method`` at ``point`` for ``steps`` steps; :class:`NotApplicable` / :class:`Undefined` when it
    cannot be run on linear forms there."""
    r = _Runner(method, point)
    t0 = method.t0
    starts = {s: sp.sympify(method.init.get(s(t0), sp.Symbol(f"{s.__name__}_{t0}"))) for s in method.state}
    r.starts = tuple(sorted({x for v in starts.values() for x in v.free_symbols if x not in point.constants},
                            key=sp.default_sort_key))
    now = {s.__name__: _start_form(v, r, t0) for s, v in starts.items()}
    r.history = {}
    query, evaluate, moves = [], [] if method.evaluate is not None else None, []
    for k in range(t0, t0 + steps + 1):
        r.history[k] = now
        query.append(_read(r, method.query, k, now))
        if evaluate is not None:
            evaluate.append(_read(r, method.evaluate, k, now))
        if k == t0 + steps:
            break
        new = {}
        for eq in method.updates:
            name = eq.lhs.func.__name__
            v = r.value(sp.sympify(eq.rhs).subs(t, k), k, now, new)
            new[name] = {} if isinstance(v, Fraction) and v == 0 else v
            if isinstance(new[name], Fraction):
                raise NotApplicable(f"{eq.lhs} is set to the number {v}")
        now = {**now, **new}
    for k in range(steps):
        moves.append(_move(r, query[k], query[k + 1], k + t0))
    return Run(method, point, query, evaluate, moves, [str(s) for s in r.starts], r.history)


def _start_form(v, r: _Runner, t0: int) -> Form:
    """A start value as a linear form over the start symbols, its coefficients evaluated at these values (they may
    read a schedule, e.g. ``c(0)``); a part without a start symbol other than 0 has no place."""
    v = sp.sympify(v)
    form = {}
    for sym in r.starts:
        c = sp.diff(v, sym)
        if c == 0:
            continue
        if c.has(*r.starts):
            raise NotApplicable(f"the start value {sp.sstr(v)} is not linear in the start symbols")
        form[("start", str(sym))] = r.number(c, t0)
    rest = v.subs({sym: 0 for sym in r.starts})
    if rest != 0 and r.number(rest, t0) != 0:
        raise NotApplicable(f"the start value {sp.sstr(v)} is not linear in the start symbols")
    return {k: x for k, x in form.items() if x != 0}


def _read(r: _Runner, f, k: int, now: dict) -> Form:
    v = r.value(f(sp.Integer(k)), k, now, {})
    return {} if isinstance(v, Fraction) else v


def _move(r: _Runner, q0: Form, q1: Form, k: int):
    inc = _add(q1, q0, Fraction(-1))
    apps = [a for a in inc if a[0] == "P"]
    if not apps:
        return Fraction(1), _scale(inc, Fraction(-1)), None
    if len(apps) != 1 or len(inc) != 1 or apps[0][2] != k:
        raise NotApplicable(f"the move of step {k} is not one multiple of one transformed direction")
    atom = apps[0]
    return -inc[atom], r.arguments[atom], atom[1]


# -- the decision --------------------------------------------------------------------------------------
@dataclass
class Finding:
    """Where Eq. (1) fails on the unrolled trajectory: the move of step ``step`` and the term ``term``."""

    step: int
    term: str
    coefficient: Fraction
    reason: str
    what: str = "the move"

    def sentence(self) -> str:
        return (f"at step t = {self.step}, {self.what} depends on {self.term} with coefficient "
                f"{self.coefficient}: {self.reason}")

    def to_json(self) -> dict:
        return {"step": self.step, "term": self.term, "coefficient": str(self.coefficient), "reason": self.reason}


def _columns(run_: Run):
    """``H[k][col]``: rows k = t0..T, columns t0 - 1 (the start, scaled) .. T, plus the start columns."""
    t0 = run_.method.t0
    rows = {}
    for i, (_, d, name) in enumerate(run_.moves):  # the move itself, or the direction inside the transform
        rows[t0 + i] = _scale(d, Fraction(-1)) if name is None else d
    starts = sorted({a for d in rows.values() for a in d if a[0] == "start"})
    return rows, starts


def decide(run_: Run) -> Finding | None:
    """None when Eq. (1) (any coefficients, any start) produces these moves; else the first failing term."""
    out = _decide(run_)
    if out is not None:
        q, (_, _, name) = run_.method.query.__name__, run_.moves[out.step - run_.method.t0]
        out.what = (f"the move {q}({out.step + 1}) - {q}({out.step})" if name is None
                    else f"the direction inside {name}(...) at step {out.step}")
    return out


def _decide(run_: Run) -> Finding | None:
    t0 = run_.method.t0
    rows, starts = _columns(run_)
    ks = sorted(rows)
    H = lambda k, j: rows[k].get(("u", j), ZERO)  # noqa: E731
    for k in ks:  # only gradients of step k and older, and start terms
        bad = [a for a in rows[k] if a[0] == "P" or (a[0] == "u" and a[1] > k)]
        if bad:
            return Finding(k, term_name(bad[0]), rows[k][bad[0]], "a term Eq. (1) has no place for")
    # the start columns must be multiples of one vector (m_a(t0 - 1) is one vector)
    lead = None
    for s in starts:
        col = {k: rows[k].get(s, ZERO) for k in ks}
        if lead is None:
            if any(col.values()):
                lead = (s, col)
            continue
        f = _proportional(lead[1], col)
        if f is not None:
            k, other = f
            return Finding(k, term_name(s), col[k],
                           f"the start acts through m_a({t0 - 1}) alone, so every start term is the same multiple "
                           f"of one vector; {term_name(lead[0])} and {term_name(s)} are not (compare step {other})")
    start_col = {k: (lead[1][k] if lead else ZERO) for k in ks}
    column = lambda j: start_col if j == t0 - 1 else {k: H(k, j) for k in ks}  # noqa: E731
    for j in range(t0, ks[-1] + 1):
        older, newer = column(j - 1), column(j)
        below = [k for k in ks if k >= j + 1]
        pivot = next((k for k in below if newer[k] != 0), None)
        name_old = "the start" if j == t0 else f"g({j - 1})"
        if pivot is None:
            bad = next((k for k in below if older[k] != 0), None)
            if bad is not None:
                return Finding(bad, name_old if j > t0 else term_name(lead[0]), older[bad],
                               f"it has no g({j}) term, and in Eq. (1) anything older than g({j}) reaches step {bad} "
                               f"only through m_a({j}), which holds g({j}) with coefficient 1")
            continue
        b = older[pivot] / newer[pivot]
        for k in below:
            r = older[k] - b * newer[k]
            if r != 0:
                return Finding(k, name_old if j > t0 else term_name(lead[0]), older[k],
                               f"beta_a,{j} = {b} matches step {pivot} (the ratio of its {name_old} and g({j}) terms), "
                               f"and Eq. (1) makes that ratio the same at every later step; here the {name_old} term "
                               f"is off by {r}")
        if b == 0 and older.get(j, ZERO) != 0:
            return Finding(j, name_old if j > t0 else term_name(lead[0]), older[j],
                           f"step {pivot} has a g({j}) term but no {name_old} term, so beta_a,{j} = 0; then Eq. (1) "
                           f"gives step {j} no {name_old} term either")
    return None


def _proportional(a: dict, b: dict):
    """None when ``b`` is a multiple of ``a`` (``a`` non-zero); else (a row where it fails, the pivot row)."""
    p = next(k for k in sorted(a) if a[k] != 0)
    c = b[p] / a[p]
    for k in sorted(a):
        if b[k] - c * a[k] != 0:
            return k, p
    return None


# -- the derived map, run beside ---------------------------------------------------------------------------
def map_mismatch(run_: Run, mp) -> Finding | None:
    """Run Eq. (1) with the map's coefficients at the same values; the first row (or averaged value) where it
    differs from the declaration's own run.  :class:`Undefined` where the map has no value at a step."""
    method, t0 = run_.method, run_.method.t0
    r = _Runner(method, run_.point)
    r.starts = tuple(sp.Symbol(s) for s in run_.starts)
    num = lambda e, k, what: _map_number(r, e, k, what)  # noqa: E731
    m_init = _start_form(sp.sympify(mp.m_init), r, t0) if mp.m_init != 0 else {}
    M = m_init
    post = mp.post.function.__name__ if getattr(mp, "post", None) is not None else None
    for i, (c, d, name) in enumerate(run_.moves):
        k = t0 + i
        beta = num(mp.beta_a, k, "beta_a") if M else ZERO  # beta_a,t0 multiplies m_a(t0 - 1) alone
        eta, alpha = num(mp.eta_a, k, "eta_a"), num(mp.alpha_a, k, "alpha_a")
        K = num(mp.K, k, "K")
        M = _add(_scale(M, beta) if M else {}, {("u", k): Fraction(1)})
        want = _add(_scale(M, eta), {("u", k): alpha})
        if name != post:
            return Finding(k, "the transform", Fraction(0), f"the method applies {name or 'no transform'}, "
                                                               f"the map {post or 'none'}")
        if getattr(mp, "momentum", None) is not None:  # the change of variables, at every step
            r.history = run_.states
            held = r.value(sp.sympify(mp.momentum).subs(t, k), k, run_.states[k], {})
            held = {} if isinstance(held, Fraction) else held
            diff = _add(held, M, Fraction(-1))
            if diff:
                atom = sorted(diff)[0]
                return Finding(k, term_name(atom), diff[atom], "the change of variables m_a does not hold the "
                                                               "momentum of Eq. (1) here (difference shown)")
        if name is None or mp.post.linear:
            got, want = _scale(d, c), _scale(want, K)
            diff = _add(got, want, Fraction(-1))
        else:  # sign: the same K and the same direction up to a positive factor
            diff = {} if c == K and _positive_multiple(d, want) else _add(d, want, Fraction(-1)) or {("K", k): c - K}
        if diff:
            atom = sorted(diff)[0]
            return Finding(k, term_name(atom) if atom[0] != "K" else "K", diff[atom],
                           "Eq. (1) with the derived map moves differently here (difference shown)")
    if run_.evaluate is not None and mp.gamma_avg is not None:
        for i in range(len(run_.evaluate) - 1):
            k = t0 + i
            gam = num(mp.gamma_avg, k + 1, "the averaging weight")
            want = _add(_scale(run_.evaluate[i], 1 - gam), _scale(run_.query[i + 1], gam))
            diff = _add(run_.evaluate[i + 1], want, Fraction(-1))
            if diff:
                atom = sorted(diff)[0]
                return Finding(k, term_name(atom), diff[atom], "the averaged sequence differs from the map's weights")
    return None


def _map_number(r: _Runner, e, k: int, what: str) -> Fraction:
    try:
        return r.number(sp.sympify(e), k)
    except Undefined:
        raise Undefined(k, what) from None


def _positive_multiple(a: Form, b: Form) -> bool:
    if not a or not b or set(a) != set(b):
        return not a and not b
    key = next(iter(a))
    c = a[key] / b[key]
    return c > 0 and all(a[x] == c * b[x] for x in a)


# -- the cross-examination of a verdict ---------------------------------------------------------------------
@dataclass
class Check:
    """The independent check of one verdict at one point."""

    point: Point
    steps: int
    member: bool | None
    """Eq. (1) produces the run (None: the check does not apply here)."""
    finding: Finding | None = None
    map_finding: Finding | None = None
    undefined: str | None = None
    not_applicable: str | None = None

    def to_json(self) -> dict:
        return {"point": self.point.label, "values": self.point.describe(), "steps": self.steps,
                "member": self.member, "witness": None if self.finding is None else self.finding.to_json(),
                "map_mismatch": None if self.map_finding is None else self.map_finding.to_json(),
                "map_undefined": self.undefined, "not_applicable": self.not_applicable}


def check(method: Method, point: Point, mp=None, steps: int | None = None) -> Check:
    """Run ``method`` at ``point``, decide Eq. (1) on the run, and compare ``mp`` (if given) with it."""
    steps = steps or default_steps(method)
    try:
        r = run(method, point, steps)
    except NotApplicable as err:
        return Check(point, steps, None, not_applicable=str(err))
    except Undefined as err:
        return Check(point, steps, None, not_applicable=f"the declaration: {err}")
    finding = decide(r)
    out = Check(point, steps, finding is None, finding)
    if mp is not None:
        try:
            out.map_finding = map_mismatch(r, mp)
        except Undefined as err:
            out.undefined = str(err)
        except NotApplicable as err:
            out.undefined = f"the map cannot be evaluated here: {err}"
    return out


def default_steps(method: Method) -> int:
    return max(6, 2 * len(method.state) + 3)


@dataclass
class CrossExamination:
    """The independent check of a verdict at several points: the values being judged and random ones."""

    checks: list = field(default_factory=list)
    verdict: str = ""
    """``"proved"``, ``"not-in-family"`` or ``"undecided"``: what is being cross-examined."""

    @property
    def inconsistent(self) -> list[str]:
        """Sentences: where the independent check contradicts the verdict (empty: it confirms it).

        A proved map must reproduce the run at every point where it is defined, and be defined at the random
        points (they avoid every degenerate set; a map undefined there fails at an integer step the proof does
        not cover).  At the values judged, a map undefined at some step is no contradiction: those values lie
        on a degenerate set there, and :attr:`no_map_here` gives the verdict about them."""
        out = []
        for c in self.checks:
            if c.member is None:
                continue
            at = f"at {c.point.label} ({c.point.describe()})"
            judged = not c.point.label.startswith("random")
            if self.verdict == "proved":
                if c.undefined and not judged:
                    out.append(f"{at}: {c.undefined}, although random values avoid every degenerate set: an "
                               "integer step the proof does not cover")
                elif c.undefined:
                    continue
                elif not c.member:
                    out.append(f"{at}: {c.finding.sentence()}")
                elif c.map_finding is not None:
                    out.append(f"{at}: the derived map does not reproduce the run: {c.map_finding.sentence()}")
            elif self.verdict == "not-in-family" and c.member and not judged:
                out.append(f"{at}: Eq. (1) produces the run over {c.steps} steps, but the verdict says no map exists "
                           "for generic values")
        return out

    @property
    def no_map_here(self) -> Finding | None:
        """At the values judged (the first point), where the proved map is undefined at some step: the term
        Eq. (1) forbids there, if there is one -- the verdict about those values."""
        c = self.checks[0] if self.checks else None
        if self.verdict == "proved" and c is not None and c.undefined and c.member is False:
            return c.finding
        return None

    @property
    def confirmed(self) -> bool:
        return not self.inconsistent and any(c.member is not None for c in self.checks)

    def summary(self) -> str:
        n = sum(c.member is not None for c in self.checks)
        if self.inconsistent:
            return "INTERNAL INCONSISTENCY: " + "; ".join(self.inconsistent)
        if self.no_map_here is not None:
            c = self.checks[0]
            return (f"at {c.point.label} the map is undefined ({c.undefined}) and no map exists there: "
                    f"{self.no_map_here.sentence()}")
        if n == 0:
            reasons = {c.not_applicable for c in self.checks if c.not_applicable}
            return "not applicable: " + "; ".join(sorted(reasons))
        steps = max(c.steps for c in self.checks)
        what = {"proved": "Eq. (1) with the derived map reproduces the run exactly",
                "not-in-family": "a term Eq. (1) forbids is found",
                "undecided": "checked"}[self.verdict]
        return f"✓ confirmed at {n} point{'s' * (n != 1)} (the values judged and random ones), {steps} steps, " \
               f"exact: {what}"

    def to_json(self) -> dict:
        return {"verdict": self.verdict, "confirmed": self.confirmed, "inconsistent": self.inconsistent,
                "no_map_at_values": None if self.no_map_here is None else self.no_map_here.to_json(),
                "points": [c.to_json() for c in self.checks]}


def cross_examine(method: Method, verdict: str, mp=None, *, overrides: dict | None = None, randoms: int = 2,
                  steps: int | None = None, seed: int = 0) -> CrossExamination:
    """The independent check of ``verdict`` (``"proved"`` with ``mp``, ``"not-in-family"``, ``"undecided"``):
    at the values judged (the defaults with ``overrides``) and at ``randoms`` random points of the domain."""
    if getattr(method, "calls", ()):  # several gradient calls per step: the single-call method it is judged as
        from .oracles import NOT_APPLICABLE, judged

        if judged(method) is None:
            point = point_at(method, overrides, "the values set" if overrides else "the defaults")
            return CrossExamination([Check(point, 0, None, not_applicable=NOT_APPLICABLE)], verdict)
        method = judged(method)
    points = [point_at(method, overrides, "the values set" if overrides else "the defaults")]
    points += [random_point(method, seed + i) for i in range(randoms)]
    return CrossExamination([check(method, p, mp if verdict == "proved" else None, steps) for p in points], verdict)


def contradicted(method: Method, maps: list, *, randoms: int = 2, steps: int | None = None, seed: int = 0) -> list[bool]:
    """For each map of ``maps``: does the independent check contradict "proved" with it?  The method is run once
    per point (the defaults and ``randoms`` random points) and every map is compared with the same runs -- the
    mutation suite's third judge."""
    if getattr(method, "calls", ()):  # several gradient calls per step: the single-call method it is judged as
        from .oracles import judged

        method = judged(method) or method
        if method.calls:
            return [False] * len(maps)
    steps = steps or default_steps(method)
    runs = []
    for p in [point_at(method)] + [random_point(method, seed + i) for i in range(randoms)]:
        try:
            r = run(method, p, steps)
        except (NotApplicable, Undefined):
            continue
        runs.append((p, r, decide(r) is None))
    out = []
    for mp in maps:
        bad = False
        for p, r, member in runs:
            try:
                bad = map_mismatch(r, mp) is not None or not member
            except Undefined:
                bad = p.label.startswith("random")
            except NotApplicable:
                bad = True
            if bad:
                break
        out.append(bad)
    return out
