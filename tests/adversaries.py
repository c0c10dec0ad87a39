"""Generated adversaries: method declarations whose verdict is known by construction (issue 18, item 5).

Every case is a :class:`~equivalences.declare.Method` built from random choices, with its truth attached:

* a **member** carries the true Eq. (1) coefficients ``beta_a``, ``eta_a``, ``alpha_a`` (exact, per step) and
  the true start ``m_a,t0-1``;
* a **non-member** carries the reason no Eq. (1) instance can reproduce it.

The same builders run on two kinds of random source (:class:`Chooser`): a hypothesis ``draw`` (the CI sample,
:func:`cases`; it shrinks a failure to its simplest choices) and a plain seeded :class:`random.Random`
(:func:`case_from_seed`, for ``benchmarks/bench_adversary.py``).

Why the truth is known
----------------------
Write ``H[t, s]`` for the coefficient of ``g_s`` in ``q_t - q_(t+1)`` (``q``: the query point).  Eq. (1) gives
``H[t, t] = eta_t + alpha_t`` and, for ``s < t``, ``H[t, s] = eta_t beta_t beta_(t-1) ... beta_(s+1)``.  Two
consequences are necessary for membership:

(R) **rank**: for ``s1 < s2 < t1 < t2`` the minor ``H[t1,s1] H[t2,s2] - H[t1,s2] H[t2,s1]`` is 0 (the lower-left
    blocks of ``H`` have rank <= 1: ``H[t, s] = (eta_t beta_t ... beta_r) (beta_(r-1) ... beta_(s+1))``);
(Z) **zeros**: for ``s < r < t`` with ``H[r, s] != 0`` (so ``eta_r != 0``), ``H[t, s] eta_r = H[t, r] H[r, s]``,
    hence ``H[t, s] = 0`` exactly when ``H[t, r] = 0``.

Members are Eq. (1) itself, in the index convention of the declarations (``p(t) = m_a,t-1``), then rewritten:

``eq1``
    Eq. (1) literally; each coefficient a constant or a schedule (``sp.Function`` with a default body in ``t``,
    read at ``t`` or ``t + 1``), ``alpha_a`` possibly 0; the momentum updated first (the step reads
    ``p(t + 1)``) or the step written first (it reads ``beta p(t) + g(t)``); ``t0`` 0 or 1; the momentum
    starting at 0 or at ``kappa theta0`` (``kappa`` a constant with a default).
``eq1-change`` / ``eq1-varying-change``
    the same under an invertible change of the state variables ``x = A s``: ``A`` a random 2x2 rational
    matrix, or ``A(t) = P diag(1, c(t)) Q`` with a schedule ``c`` that never vanishes; the query point becomes a
    definition (``y = (A^-1 x)_w``); some updates read variables already updated in the same step (a zero,
    ``lam (x_j(t + 1) - F_j)``, added).  The query trajectory is the one of the Eq. (1) declaration, so the
    truth is unchanged.
``eq1-extra-state``
    a third state: never read (``r' = rho r + g`` or ``rho r + w``; or ``r' = r + g^2``, nonlinear, kept out of
    the change of variables), or a copy of the momentum (``r(t0) = p(t0)``, both updated by the same formula,
    read half and half: ``r = p`` on every reachable state); optionally mixed by a 3x3 change of variables.
``eq1-vanishing``
    ``eta_a`` or ``beta_a`` multiplied by ``(t - k)`` or by ``(1 + (-1)^t)/2``: Eq. (1) allows ``eta_t = 0``
    (no momentum in that step) and ``beta_t = 0`` (a restart), so this is still Eq. (1) literally.
``aggmo-equal``
    AggMo with 2 or 3 buffers sharing one ``beta`` (weights ``c_i``, starts ``kappa_i theta0``): the weighted
    sum of the buffers over ``C = sum c_i`` obeys ``m = beta m + g``; ``eta_a = lr C``, ``alpha_a = 0``.
``old-momentum``
    ``w' = w - lr p(t)`` with ``p' = beta p + g``: Eq. (1) with ``eta_a = lr/beta``, ``alpha_a = -lr/beta``.

Non-members (every constant symbolic; the default values are generic):

``aggmo``
    2 or 3 buffers with distinct ``beta_i`` and non-zero weights: ``H[t, s] = lr sum c_i beta_i^(t-s)``, a sum of
    distinct exponentials, violates (R).
``lagged-gradient``
    ``w' = w - lr g(t - 1) - a g(t)`` (``H`` bidiagonal: (Z) fails at ``s = r - 1 = t - 2``), or heavy ball plus
    ``d g(t - 1)`` (a rank-2 minor, (R)).
``gradient-difference``
    heavy ball plus ``d (g(t) - g(t - 1))`` ((R)), or a second momentum of gradient differences
    ``q' = b2 q + g - g(t - 1)`` beside ``v' = b1 v + g`` (two exponentials, (R)).
``double-momentum``
    momentum applied twice (``n' = b2 n + p'``): ``H`` is ``(beta^(k+1) - b2^(k+1))/(beta - b2)`` or, with one
    ``beta``, ``(k + 1) beta^k`` in ``k = t - s``: (R).
``vanishing-gradient``
    the momentum's gradient term multiplied by ``(t - k)`` (``k >= t0 + 1``) or ``(1 + (-1)^t)/2``: the zero is
    at an integer step for every value of the constants, and row ``k + 1`` of ``H`` has ``H[k+1, k] = 0`` but
    ``H[k+1, k-1] != 0``: (Z).  (The bug of issue 18: reported "proved" before.)

Non-members may also be rewritten by a change of variables (``rewritten=True`` in their parameters); that
leaves the query trajectory, hence the truth, unchanged.

:func:`self_check` confirms each construction independently of the engine, exactly (Fractions): a member's
declared trajectory equals the one its true coefficients give; a non-member's ``H`` at the defaults has a
certificate ((R) or (Z)).  :func:`judge` runs a case through :func:`equivalences.verify` and says whether the
verdict is right (a proved member's map is replayed as Eq. (1) and compared with the declared trajectory).
"""
from __future__ import annotations

import random
import time
import traceback
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.pycode import PythonCodePrinter
from sympy.printing.str import StrPrinter

from equivalences.declare import Method
from equivalences.symbols import g, t, theta0

MEMBERS = ("eq1", "eq1-change", "eq1-varying-change", "eq1-extra-state", "eq1-vanishing", "aggmo-equal",
           "old-momentum")
NON_MEMBERS = ("aggmo", "lagged-gradient", "gradient-difference", "double-momentum", "vanishing-gradient")
FAMILIES = MEMBERS + NON_MEMBERS

STEPS = 10
"""Steps of the exact trajectories compared (the (Z) witnesses of ``vanishing-gradient`` lie by step t0 + 5)."""

DECAYS = tuple(sp.Rational(p, q) for p, q in ((1, 2), (9, 10), (3, 4), (2, 3), (4, 5), (1, 3), (3, 5), (7, 10)))
RATES = tuple(sp.Rational(p, q) for p, q in ((1, 10), (1, 20), (1, 5), (3, 10), (1, 8)))
WEIGHTS = tuple(sp.Rational(p, q) for p, q in ((1, 2), (1, 3), (2, 3), (1, 4), (3, 4), (1, 1), (2, 1)))
SMALL = tuple(sp.Rational(p, q) for p, q in ((1, 2), (-1, 2), (1, 1), (-1, 1), (2, 1), (1, 3), (-3, 2)))
STATE_NAMES = ("w", "x", "z", "v", "h", "b", "d", "q", "r", "s", "p", "n", "a", "e")


# -- random sources ---------------------------------------------------------------------------------
class Chooser:
    """What a builder may ask of its random source (:class:`random.Random` has both methods)."""

    def choice(self, seq):
        raise NotImplementedError

    def randint(self, a: int, b: int) -> int:
        raise NotImplementedError


class _Draw(Chooser):
    """A hypothesis ``draw`` as a :class:`Chooser` (shrinks towards the first choice, the smallest integer)."""

    def __init__(self, draw):
        self.draw = draw

    def choice(self, seq):
        from hypothesis import strategies as st

        return self.draw(st.sampled_from(list(seq)))

    def randint(self, a, b):
        from hypothesis import strategies as st

        return self.draw(st.integers(a, b))


def _coin(ch, p_true: float = 0.5) -> bool:
    """``True`` with about probability ``p_true`` (a choice among ten, so hypothesis shrinks it to False)."""
    return ch.randint(0, 9) >= 10 - round(10 * p_true)


def _distinct(ch, pool, k: int) -> list:
    pool, out = list(pool), []
    for _ in range(k):
        x = ch.choice(pool)
        out.append(x)
        pool.remove(x)
    return out


# -- a case ------------------------------------------------------------------------------------------
@dataclass
class Truth:
    """A member's true Eq. (1) coefficients at the defaults, per step, and its start ``m_a,t0-1 = m0 theta0``."""

    beta: Callable[[int], Fraction]
    eta: Callable[[int], Fraction]
    alpha: Callable[[int], Fraction]
    m0: Fraction


@dataclass
class Case:
    family: str
    member: bool
    method: Method
    truth: Truth | None
    reason: str
    """Why the truth is known (one line)."""
    params: dict = field(default_factory=dict)
    """The random choices, as text (for the report and for reproducing a finding)."""


class _Decl:
    """A declaration under construction: state functions, updates in order, init, hyperparameters."""

    def __init__(self, ch, t0: int):
        self.ch, self.t0 = ch, t0
        self.names = list(STATE_NAMES)
        self.state: list = []
        self.updates: list = []  # (function, rhs); rhs may read functions updated earlier at t + 1
        self.init: dict = {}
        self.query = None
        self.define: dict = {}
        self.constants: list = []
        self.schedules: list = []
        self.defaults: dict = {}
        self.params: dict = {"t0": t0}

    def new_state(self, prefer: str | None = None):
        name = prefer if prefer in self.names else self.ch.choice(self.names)
        self.names.remove(name)
        f = sp.Function(name)
        self.state.append(f)
        return f

    def constant(self, name: str, value, positive: bool | None = None) -> sp.Symbol:
        if positive is None:  # the docs' own style (lr = sp.Symbol("lr", positive=True)), now and then
            positive = _coin(self.ch, 0.1) and value > 0
        s = sp.Symbol(name, positive=True) if positive else sp.Symbol(name)
        if positive:
            self.params.setdefault("positive", []).append(name)
        self.constants.append(s)
        self.defaults[s] = sp.nsimplify(value)
        return s

    def schedule(self, name: str, body) -> type[sp.Function]:
        f = sp.Function(name)
        self.schedules.append(f)
        self.defaults[f] = body
        return f

    def coefficient(self, name: str, pool, kinds=("const", "sched")) -> tuple[sp.Expr, Callable]:
        """A coefficient as written (an expression of ``t``) and its value at step ``k`` (a Fraction)."""
        kind = self.ch.choice(kinds)
        r = self.ch.choice(pool)
        self.params[name] = kind
        if kind == "zero":
            return sp.Integer(0), lambda k: Fraction(0)
        if kind == "const":
            s = self.constant(name, r)
            return s, lambda k, r=Fraction(int(r.p), int(r.q)): r
        a = self.ch.randint(2, 5)
        b = self.ch.choice([x for x in range(2, 7) if x != a])
        shift = self.ch.randint(0, 1)
        f = self.schedule(name, r * (t + a) / (t + b))
        self.params[name] = f"sched {r}*(t+{a})/(t+{b}) read at t+{shift}"
        rr = Fraction(int(r.p), int(r.q))
        return f(t + shift), lambda k: rr * (k + shift + a) / (k + shift + b)

    def start(self, name: str = "kappa") -> tuple[sp.Expr, Fraction]:
        """A start value: 0, or ``kappa theta0`` with ``kappa`` a constant (its default returned)."""
        if not _coin(self.ch, 0.5):
            return sp.Integer(0), Fraction(0)
        k = self.ch.choice(SMALL)
        self.constant(name, k, positive=False)
        return self.constants[-1] * theta0, Fraction(int(k.p), int(k.q))

    def method(self, key: str, summary: str) -> Method:
        return Method(
            key=key, name=f"generated adversary ({key})", reference="tests/adversaries.py", section="-",
            summary=summary, state=tuple(self.state),
            updates=tuple(sp.Eq(f(t + 1), rhs) for f, rhs in self.updates), query=self.query,
            init={f(self.t0): self.init[f] for f in self.state}, t0=self.t0, define=dict(self.define),
            constants=tuple(self.constants), schedules=tuple(self.schedules), defaults=dict(self.defaults))


# -- rewriting under a change of variables -----------------------------------------------------------
def _inlined(updates) -> dict:
    """``{f: F_f}``: each update with the variables updated before it (read at ``t + 1``) substituted."""
    out: dict = {}
    for f, rhs in updates:
        out[f] = rhs.xreplace({h(t + 1): F for h, F in out.items()})
    return out


def _invertible(ch, n: int) -> sp.Matrix:
    """A random invertible n x n rational matrix: a permutation of L U (unit lower, upper with non-zero diagonal)."""
    entries = (0, 0, 1, -1, 2, sp.Rational(1, 2), sp.Rational(-1, 2), 3)
    L = sp.eye(n)
    U = sp.zeros(n)
    for i in range(n):
        U[i, i] = ch.choice((1, 2, -1, sp.Rational(1, 2), 3, sp.Rational(-2, 3)))
        for j in range(n):
            if j < i:
                L[i, j] = ch.choice(entries)
            elif j > i:
                U[i, j] = ch.choice(entries)
    perm = list(range(n))
    for i in range(n - 1, 0, -1):
        j = ch.randint(0, i)
        perm[i], perm[j] = perm[j], perm[i]
    return sp.Matrix([list((L * U).row(p)) for p in perm])


def _linear(expr, atoms) -> sp.Expr:
    """``expr`` (linear in ``atoms``) written as ``sum coefficient * atom``, each coefficient cancelled."""
    expr = sp.expand(expr)
    out, rest = sp.Integer(0), expr
    for a in atoms:
        c = sp.cancel(sp.together(expr.coeff(a)))
        out += c * a
        rest -= sp.expand(expr.coeff(a) * a)
    rest = sp.cancel(sp.expand(rest))
    if rest != 0:
        raise ValueError(f"not linear: {rest}")
    return out


def at_defaults_schedules(d: _Decl, expr) -> sp.Expr:
    """``expr`` with every schedule of ``d`` at its default body (constants kept)."""
    for f in d.schedules:
        expr = expr.replace(f, sp.Lambda(t, d.defaults[f]))
    return expr


def rewrite(d: _Decl, ch, subset: list, varying: bool = False) -> None:
    """Replace the states ``subset`` (functions of ``d``) by ``x = A(t) s`` in place, ``A`` random invertible
    (``A(t) = P diag(1, c(t)) Q`` with a schedule ``c`` when ``varying``): updates, start, query point."""
    n = len(subset)
    A = _invertible(ch, n)
    if varying:
        a = ch.randint(1, 4)
        b = ch.choice([x for x in range(2, 7) if x != a])
        c = d.schedule("c", (t + b) / (t + a))
        d.params["c"] = f"(t+{b})/(t+{a})"
        A = A * sp.diag(*([1] * (n - 1) + [c(t)])) * _invertible(ch, n)
    Ainv = A.inv().applyfunc(sp.cancel)
    new = [d.new_state() for _ in subset]
    d.state = [f for f in d.state if f not in subset]
    d.params["A"] = sp.sstr(A.tolist())
    back = {s(t): sum((Ainv[i, j] * new[j](t) for j in range(n)), sp.Integer(0)) for i, s in enumerate(subset)}
    F = _inlined(d.updates)
    atoms = [x(t) for x in d.state] + [g(t), g(t - 1)]  # the new variables and the untouched ones
    rhs = {}
    for i, x in enumerate(new):
        row = sum((A[i, j].subs(t, t + 1) * F[s] for j, s in enumerate(subset)), sp.Integer(0))
        rhs[x] = _linear(row.xreplace(back), atoms)
    others = [(f, F[f].xreplace(back)) for f, _ in d.updates if f not in subset]
    order = list(new)
    if _coin(ch, 0.5):
        order.reverse()
    ups = []
    for i, x in enumerate(order):
        e = rhs[x]
        if i and _coin(ch, 0.5):  # read a variable already updated: add lam * (x_j(t + 1) - F_j) = 0
            j = order[ch.randint(0, i - 1)]
            lam = ch.choice(SMALL)
            e = e + lam * (j(t + 1) - rhs[j])
            d.params.setdefault("reads-updated", []).append(f"{x.__name__} reads {j.__name__}(t+1)")
        ups.append((x, e))
    d.updates = others + ups
    s0 = {s(t): d.init[s] for s in subset}
    for i, x in enumerate(new):
        x0 = sum((A[i, j].subs(t, d.t0) * s0[s(t)] for j, s in enumerate(subset)), sp.Integer(0))
        d.init[x] = sp.expand(at_defaults_schedules(d, x0))  # a start is a number times theta0: c(t0) at its default
    for s in subset:
        d.init.pop(s)
    if d.query in subset:
        q = back[d.query(t)]
        single = [x for x in new if q == x(t)]
        if single:
            d.query = single[0]
        else:
            y = sp.Function("y")
            d.define[y] = q
            d.query = y


# -- the families ------------------------------------------------------------------------------------
def _eq1_base(d: _Decl, vanishing: bool = False):
    """Eq. (1) with p(t) = m_a,t-1: the updates, the true coefficients (as callables) and the states."""
    ch = d.ch
    B, b_of = d.coefficient("beta", DECAYS)
    E, e_of = d.coefficient("eta", RATES)
    Al, a_of = d.coefficient("alpha", RATES, kinds=("const", "sched", "zero"))
    if vanishing:
        which = ch.choice(("eta", "beta"))
        if _coin(ch, 0.7):
            k = ch.randint(d.t0, d.t0 + 4)
            factor, f_of = t - k, (lambda j, k=k: Fraction(j - k))
            d.params["vanishing"] = f"{which} * (t - {k})"
        else:
            factor, f_of = (1 + (-1) ** t) / 2, (lambda j: Fraction(1 + (-1) ** j, 2))
            d.params["vanishing"] = f"{which} * (1 + (-1)^t)/2"
        if which == "eta":
            E, e_of = E * factor, (lambda j, e=e_of, f=f_of: e(j) * f(j))
        else:
            B, b_of = B * factor, (lambda j, b=b_of, f=f_of: b(j) * f(j))
    w, p = d.new_state("w"), d.new_state()
    d.query = w
    m_expr, m0 = d.start()
    d.init.update({w: theta0, p: m_expr})
    if _coin(ch, 0.5):
        d.params["order"] = "momentum first"
        d.updates += [(p, B * p(t) + g(t)), (w, w(t) - E * p(t + 1) - Al * g(t))]
    else:
        d.params["order"] = "step first"
        d.updates += [(w, w(t) - E * (B * p(t) + g(t)) - Al * g(t)), (p, B * p(t) + g(t))]
    return Truth(b_of, e_of, a_of, m0), w, p, (B, E, Al)


def _extra_state(d: _Decl, w, p, coeffs) -> tuple[object, bool]:
    """Add a third state; returns it and whether it may be mixed by a change of variables."""
    ch = d.ch
    B, E, Al = coeffs
    kind = ch.choice(("unread", "unread-reads-w", "copy", "unread-square"))
    d.params["extra"] = kind
    r = d.new_state()
    if kind == "copy":  # r(t0) = p(t0), both updated alike: r = p on every reachable state
        lam, mu = ch.choice(WEIGHTS), ch.choice(WEIGHTS)
        d.init[r] = d.init[p]
        mix = lambda k: lam * p(t + k) + (1 - lam) * r(t + k)  # noqa: E731
        d.updates = [(p, B * (mu * p(t) + (1 - mu) * r(t)) + g(t)), (r, B * p(t) + g(t)),
                     (w, w(t) - E * mix(1) - Al * g(t))]
        return r, True
    d.init[r] = ch.choice((0, theta0, 2 * theta0))
    if kind == "unread-square":
        d.updates.append((r, r(t) + g(t) ** 2))
        return r, False
    rho = d.constant("rho", ch.choice(DECAYS))
    d.updates.append((r, rho * r(t) + (w(t) if kind == "unread-reads-w" else g(t))))
    return r, True


def _member(d: _Decl, family: str) -> tuple[Truth, str]:
    ch = d.ch
    if family == "aggmo-equal":
        k = ch.randint(2, 3)
        B, b_of = d.coefficient("beta", DECAYS)
        lr, l_of = d.coefficient("lr", RATES)
        w = d.new_state("w")
        d.query, d.init[w] = w, theta0
        cs = [ch.choice(WEIGHTS) for _ in range(k)]
        vs, starts = [], []
        kappa = None
        for i in range(k):
            v = d.new_state()
            vs.append(v)
            if _coin(ch, 0.3):
                if kappa is None:
                    kappa = d.constant("kappa", ch.choice(SMALL), positive=False)
                d.init[v] = kappa * theta0
                starts.append(Fraction(int(d.defaults[kappa].p), int(d.defaults[kappa].q)))
            else:
                d.init[v] = 0
                starts.append(Fraction(0))
            d.updates.append((v, B * v(t) + g(t)))
        d.updates.append((w, w(t) - lr * sum((c * v(t + 1) for c, v in zip(cs, vs)), sp.Integer(0))))
        C = sum(Fraction(int(c.p), int(c.q)) for c in cs)
        m0 = sum(Fraction(int(c.p), int(c.q)) * s for c, s in zip(cs, starts)) / C
        d.params.update(k=k, weights=[str(c) for c in cs])
        if _coin(ch, 0.3):
            rewrite(d, ch, _distinct(ch, [w] + vs, 2))
            d.params["rewritten"] = True
        return (Truth(b_of, lambda j: l_of(j) * C, lambda j: Fraction(0), m0),
                f"{k} buffers with one beta: their weighted sum over C = {C} is heavy-ball momentum")
    if family == "old-momentum":
        B, b_of = d.coefficient("beta", DECAYS)
        lr, l_of = d.coefficient("lr", RATES)
        w, p = d.new_state("w"), d.new_state()
        m_expr, m0 = d.start()
        d.query, d.init[w], d.init[p] = w, theta0, m_expr
        if _coin(ch, 0.5):
            d.updates += [(p, B * p(t) + g(t)), (w, w(t) - lr * p(t))]
        else:
            d.updates += [(w, w(t) - lr * p(t)), (p, B * p(t) + g(t))]
        if _coin(ch, 0.3):
            rewrite(d, ch, [w, p])
            d.params["rewritten"] = True
        return (Truth(b_of, lambda j: l_of(j) / b_of(j), lambda j: -l_of(j) / b_of(j), m0),
                "the step reads the previous momentum: eta_a = lr/beta, alpha_a = -lr/beta")
    truth, w, p, coeffs = _eq1_base(d, vanishing=family == "eq1-vanishing")
    if family in ("eq1", "eq1-vanishing"):
        return truth, "Eq. (1) written literally" + (" (a coefficient vanishing at integer steps)"
                                                      if family == "eq1-vanishing" else "")
    if family == "eq1-extra-state":
        r, mixable = _extra_state(d, w, p, coeffs)
        if mixable and _coin(ch, 0.5):
            rewrite(d, ch, [w, p, r])
        elif _coin(ch, 0.5):
            rewrite(d, ch, [w, p])
        return truth, f"Eq. (1) with an extra state ({d.params['extra']}) the query trajectory does not depend on"
    rewrite(d, ch, [w, p], varying=family == "eq1-varying-change")
    return truth, "Eq. (1) under an invertible change of the state variables"


def _non_member(d: _Decl, family: str) -> str:
    ch = d.ch
    w = d.new_state("w")
    d.query, d.init[w] = w, theta0
    mixable = [w]
    if family == "aggmo":
        k = ch.randint(2, 3)
        betas = _distinct(ch, DECAYS, k)
        lr, _ = d.coefficient("lr", RATES)
        cs = [sp.Rational(1, k)] * k if _coin(ch, 0.5) else [ch.choice(WEIGHTS) for _ in range(k)]
        vs = []
        for i, b in enumerate(betas):
            v = d.new_state()
            vs.append(v)
            d.init[v] = 0
            d.updates.append((v, d.constant(f"beta{i + 1}", b) * v(t) + g(t)))
        d.updates.append((w, w(t) - lr * sum((c * v(t + 1) for c, v in zip(cs, vs)), sp.Integer(0))))
        d.params.update(k=k, betas=[str(b) for b in betas], weights=[str(c) for c in cs])
        mixable += vs
        reason = f"{k} momenta with distinct betas: H is a sum of {k} exponentials in t - s (rank {k} > 1)"
    elif family == "lagged-gradient":
        if _coin(ch, 0.5):
            lr, _ = d.coefficient("lr", RATES)
            a = d.constant("a", ch.choice(RATES)) if _coin(ch, 0.5) else 0
            d.updates.append((w, w(t) - lr * g(t - 1) - a * g(t)))
            d.params["variant"] = "pure lag"
            reason = "H is bidiagonal (H[t+2, t] = 0 with H[t+2, t+1], H[t+1, t] != 0): (Z)"
        else:
            B, _ = d.coefficient("beta", DECAYS)
            E, _ = d.coefficient("eta", RATES)
            dd = d.constant("delta", ch.choice(RATES))
            p = d.new_state()
            d.init[p] = 0
            d.updates += [(p, B * p(t) + g(t)), (w, w(t) - E * p(t + 1) - dd * g(t - 1))]
            d.params["variant"] = "heavy ball + delta g(t-1)"
            mixable.append(p)
            reason = "heavy ball plus a lagged gradient: a rank-2 minor of H (R)"
    elif family == "gradient-difference":
        if _coin(ch, 0.5):
            B, _ = d.coefficient("beta", DECAYS)
            E, _ = d.coefficient("eta", RATES)
            dd = d.constant("delta", ch.choice(RATES))
            p = d.new_state()
            d.init[p] = 0
            d.updates += [(p, B * p(t) + g(t)), (w, w(t) - E * p(t + 1) - dd * (g(t) - g(t - 1)))]
            d.params["variant"] = "heavy ball + delta (g(t) - g(t-1))"
            mixable.append(p)
            reason = "heavy ball plus a gradient difference: a rank-2 minor of H (R)"
        else:
            b1, b2 = _distinct(ch, DECAYS, 2)
            lr, _ = d.coefficient("lr", RATES)
            c = ch.choice(WEIGHTS)
            v, q = d.new_state(), d.new_state()
            d.init[v] = d.init[q] = 0
            B1, B2 = d.constant("beta1", b1), d.constant("beta2", b2)
            d.updates += [(v, B1 * v(t) + g(t)), (q, B2 * q(t) + g(t) - g(t - 1)),
                          (w, w(t) - lr * (v(t + 1) + c * q(t + 1)))]
            d.params["variant"] = "a momentum of gradients and one of gradient differences"
            mixable += [v, q]
            reason = "two momenta (of g and of g(t) - g(t-1)) with distinct betas: (R)"
    elif family == "double-momentum":
        B, _ = d.coefficient("beta", DECAYS)
        same = _coin(ch, 0.5)
        B2 = B if same else d.constant("beta2", ch.choice([x for x in DECAYS if x != d.defaults.get(B)]))
        E, _ = d.coefficient("eta", RATES)
        p, n = d.new_state(), d.new_state()
        d.init[p] = d.init[n] = 0
        damp = (1 - B2) if _coin(ch, 0.3) else 1
        d.updates += [(p, B * p(t) + g(t)), (n, B2 * n(t) + damp * p(t + 1)), (w, w(t) - E * n(t + 1))]
        d.params["variant"] = "one beta" if same else "two betas"
        mixable += [p, n]
        reason = "momentum of a momentum: H is not a single geometric sequence in t - s (R)"
    elif family == "vanishing-gradient":
        B, _ = d.coefficient("beta", DECAYS)
        E, _ = d.coefficient("eta", RATES)
        Al, _ = d.coefficient("alpha", RATES, kinds=("zero", "const"))
        if not _coin(ch, 0.25):  # the simplest draw is (t - k): the false "proved" of issue 18
            k = ch.randint(d.t0 + 1, d.t0 + 4)
            factor = t - k if not _coin(ch, 0.3) else (k - t) / (t + 2)
            d.params["vanishing"] = f"gradient term * {factor}"
            reason = f"g({k}) never enters the momentum: step {k + 1} has a g({k - 1}) term and no g({k}) term (Z)"
        else:
            factor = (1 + (-1) ** t) / 2
            d.params["vanishing"] = "gradient term * (1 + (-1)^t)/2"
            reason = "odd steps' gradients never enter the momentum: (Z) at the next even step"
        p = d.new_state()
        d.init[p] = 0
        d.updates += [(p, B * p(t) + factor * g(t)), (w, w(t) - E * p(t + 1) - Al * g(t))]
        mixable.append(p)
    else:
        raise ValueError(f"unknown family {family!r}")
    if len(mixable) >= 2 and _coin(ch, 0.3):
        rewrite(d, ch, _distinct(ch, mixable, min(len(mixable), ch.randint(2, 3))))
        d.params["rewritten"] = True
    return reason


def build(family: str, ch: Chooser, key: str | None = None) -> Case:
    """One case of ``family`` from the random source ``ch``."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; one of {', '.join(FAMILIES)}")
    d = _Decl(ch, ch.randint(0, 1))
    member = family in MEMBERS
    if member:
        truth, reason = _member(d, family)
    else:
        truth, reason = None, _non_member(d, family)
    key = key or f"adversary-{family}"
    return Case(family, member, d.method(key, reason), truth, reason, d.params)


def case_from_seed(seed: int, family: str | None = None) -> Case:
    """The plain seeded path (the benchmark): case ``seed``, of ``family`` or of one drawn from the seed."""
    rng = random.Random(seed)
    family = family or rng.choice(FAMILIES)
    return build(family, rng, key=f"adversary-{family}-{seed}")


def cases(families=FAMILIES):
    """A hypothesis strategy of :class:`Case` objects from ``families``."""
    from hypothesis import strategies as st

    @st.composite
    def _cases(draw):
        family = draw(st.sampled_from(list(families)))
        return build(family, _Draw(draw))

    return _cases()


# -- exact trajectories (Fractions, independent of the engine) ---------------------------------------
class _FractionPrinter(PythonCodePrinter):
    def _print_Rational(self, e):
        return f"Fraction({e.p}, {e.q})"

    def _print_Integer(self, e):
        return f"Fraction({e.p})"


def _values(method: Method) -> dict:
    out = {}
    for k, v in method.defaults.items():
        out[k] = sp.Lambda(t, sp.sympify(v)) if not isinstance(k, sp.Symbol) else sp.sympify(v)
    return out


def at_defaults(method: Method, expr) -> sp.Expr:
    """``expr`` with every schedule replaced by its default body and every constant by its default."""
    vals = _values(method)
    expr = sp.sympify(expr)
    for _ in range(10):
        new = expr
        for k, v in vals.items():
            new = new.replace(k, v) if not isinstance(k, sp.Symbol) else new.xreplace({k: v})
        if new == expr:
            return expr
        expr = new
    return expr


def _expand_defines(method: Method, expr) -> sp.Expr:
    for _ in range(10):
        new = expr
        for f, body in method.define.items():
            new = new.replace(lambda e, f=f: isinstance(e, AppliedUndef) and e.func == f,
                              lambda e, body=body: body.subs(t, e.args[0]))
        if new == expr:
            return expr
        expr = new
    return expr


def _compile(expr, atoms):
    """``expr`` as a Python function of ``(t, *atoms)`` in Fraction arithmetic."""
    dummies = [sp.Dummy(f"a{i}") for i in range(len(atoms))]
    body = expr.xreplace(dict(zip(atoms, dummies)))
    return sp.lambdify([t] + dummies, body, modules=[{"Fraction": Fraction}], printer=_FractionPrinter)


def _fraction(x) -> Fraction:
    x = sp.nsimplify(x) if not isinstance(x, (int, Fraction)) else x
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    if not x.is_Rational:
        raise ValueError(f"not an exact rational: {x}")
    return Fraction(int(x.p), int(x.q))


class Simulator:
    """The declared method unrolled exactly at its defaults: ``run(grads, th0)`` gives the query points
    ``q_t0, ..., q_(t0+steps)`` for the gradient sequence ``grads`` (``g(t0 - 1) = 0``)."""

    def __init__(self, method: Method):
        self.method = method
        funcs = list(method.state)
        self.atoms = [f(t) for f in funcs] + [f(t + 1) for f in funcs] + [g(t), g(t - 1)]
        self.updates = []
        for eq in method.updates:
            rhs = at_defaults(method, _expand_defines(method, eq.rhs))
            self.updates.append((eq.lhs.func, _compile(rhs, self.atoms)))
        self.query = _compile(at_defaults(method, _expand_defines(method, method.query(t))), self.atoms)
        self.init = {f.func: _fraction(at_defaults(method, v).subs(theta0, 1)) for f, v in method.init.items()}

    def run(self, grads: dict, th0: Fraction, steps: int = STEPS) -> list[Fraction]:
        state = {f: c * th0 for f, c in self.init.items()}
        funcs = list(self.method.state)
        out = []
        k0 = self.method.t0
        for k in range(k0, k0 + steps + 1):
            gk, gp = grads.get(k, Fraction(0)), grads.get(k - 1, Fraction(0))
            now = [state[f] for f in funcs]
            out.append(self.query(Fraction(k), *now, *([Fraction(0)] * len(funcs)), gk, gp))
            if k == k0 + steps:
                break
            new = {}
            for f, fn in self.updates:
                nxt = [new.get(h, Fraction(0)) for h in funcs]
                new[f] = fn(Fraction(k), *now, *nxt, gk, gp)
            state = new
        return out

    def H(self, steps: int = STEPS) -> list[list[Fraction]]:
        """``H[i][j]``: coefficient of ``g(t0 + j)`` in ``q(t0 + i) - q(t0 + i + 1)`` (unit gradients, theta0 = 0)."""
        k0 = self.method.t0
        cols = []
        for j in range(steps):
            q = self.run({k0 + j: Fraction(1)}, Fraction(0), steps)
            cols.append([q[i] - q[i + 1] for i in range(steps)])
        return [[cols[j][i] for j in range(steps)] for i in range(steps)]


def eq1_trajectory(beta, eta, alpha, m_first, w0: Fraction, grads: dict, t0: int, steps: int = STEPS,
                   K=lambda k: Fraction(1)) -> list[Fraction]:
    """Eq. (1) unrolled: ``m_t = beta_t m_(t-1) + g_t``, ``w_(t+1) = w_t - K_t (eta_t m_t + alpha_t g_t)``;
    ``m_first`` is ``beta_t0 m_(t0-1)`` (given apart: where ``m_(t0-1) = 0`` the value of ``beta_t0`` is moot)."""
    w, out, m = w0, [w0], None
    for k in range(t0, t0 + steps):
        gk = grads.get(k, Fraction(0))
        m = (m_first if k == t0 else beta(k) * m) + gk
        w = w - K(k) * (eta(k) * m + alpha(k) * gk)
        out.append(w)
    return out


def _gradients(seed: int, t0: int, steps: int = STEPS) -> dict:
    rng = random.Random(seed)
    return {k: Fraction(rng.randint(-9, 9), rng.randint(1, 7)) for k in range(t0, t0 + steps)}


def certificate(H) -> str | None:
    """A violation of (R) or (Z) in ``H`` (module docstring): a proof that no Eq. (1) instance has this H."""
    n = len(H)
    for t1 in range(n):
        for t2 in range(t1 + 1, n):
            for s2 in range(t1):
                for s1 in range(s2):
                    if H[t1][s1] * H[t2][s2] != H[t1][s2] * H[t2][s1]:
                        return f"(R): minor rows {t1},{t2} columns {s1},{s2} is non-zero"
    for tt in range(n):
        for r in range(tt):
            for s in range(r):
                if H[r][s] != 0 and (H[tt][s] == 0) != (H[tt][r] == 0):
                    return f"(Z): H[{r},{s}] != 0 but only one of H[{tt},{s}], H[{tt},{r}] is 0"
    return None


def self_check(case: Case, seeds=(1, 2)) -> str | None:
    """Check the construction itself (no engine involved): None when the truth holds, else what is off."""
    sim = Simulator(case.method)
    t0 = case.method.t0
    cert = certificate(sim.H())
    if not case.member:
        return None if cert else "a non-member without a certificate at its defaults"
    if cert:
        return f"a member with a certificate against it: {cert}"
    tr = case.truth
    for seed in seeds:
        grads, th0 = _gradients(seed, t0), Fraction(seed + 2, 3)
        q = sim.run(grads, th0)
        mine = eq1_trajectory(tr.beta, tr.eta, tr.alpha, tr.beta(t0) * tr.m0 * th0, q[0], grads, t0)
        if q != mine:
            return f"declared trajectory {q[:4]}... differs from the true Eq. (1) one {mine[:4]}..."
    return None


# -- the reported map, replayed ----------------------------------------------------------------------
def map_mismatch(case: Case, mp, seeds=(1, 2)) -> str | None:
    """None when Eq. (1) with the reported map ``mp`` reproduces the declared query trajectory exactly at the
    defaults (two random gradient sequences); else what differs."""
    method = case.method
    t0 = method.t0
    atoms: list = []
    fns = {}
    for name in ("beta_a", "eta_a", "alpha_a", "K"):
        expr = at_defaults(method, getattr(mp, name))
        extra = expr.free_symbols - {t}
        if extra:
            return f"{name} = {expr} has symbols without a default: {sorted(map(str, extra))}"
        fns[name] = _compile(expr, atoms)
    m_init = at_defaults(method, mp.m_init)
    if m_init.free_symbols - {theta0}:
        return f"m_init = {m_init} is not a multiple of theta0 at the defaults"
    if getattr(mp, "post", None) is not None:
        return "a transform in the map of a method without one"
    first = sp.cancel(at_defaults(method, mp.beta_a).subs(t, t0) * m_init / theta0) if m_init != 0 else sp.Integer(0)
    if first.has(sp.zoo, sp.nan, sp.oo) or first.free_symbols:
        return f"beta_a({t0}) * m_init is undefined at the defaults ({first})"
    sim = Simulator(method)

    def f(name):
        return lambda k: fns[name](Fraction(k))

    for seed in seeds:
        grads, th0 = _gradients(seed, t0), Fraction(seed + 2, 3)
        q = sim.run(grads, th0)
        try:
            mine = eq1_trajectory(f("beta_a"), f("eta_a"), f("alpha_a"), _fraction(first) * th0, q[0], grads, t0,
                                  K=f("K"))
        except ZeroDivisionError:
            return "the map is undefined (a division by zero) at a step of the run, at the defaults"
        if q != mine:
            k = next(i for i, (a, b) in enumerate(zip(q, mine)) if a != b)
            return (f"the map's Eq. (1) trajectory differs from the declared one at step t = {t0 + k}: "
                    f"{mine[k]} vs {q[k]} (beta_a = {mp.beta_a}, eta_a = {mp.eta_a}, alpha_a = {mp.alpha_a})")
    return None


# -- judging the engine ------------------------------------------------------------------------------
@dataclass
class Outcome:
    case: Case
    verdict: str
    """``proved``, ``not-in-family`` (with a witness), ``undecided``, ``refused`` (an inline (-1)^t or Piecewise in t,
    refused in one line with the fix), ``no-witness``, ``unproved-map``, ``error``."""
    wrong: str | None = None
    error: str | None = None
    seconds: float = 0.0
    numeric: str | None = None
    """``passed``, ``failed: ...`` or ``error: ...`` where the replay was run."""
    witness: dict | None = None

    @property
    def label(self) -> str:
        """The benchmark's column: proved / witness / undecided / wrong / error."""
        if self.error:
            return "error"
        if self.wrong:
            return "wrong"
        return {"proved": "proved", "not-in-family": "witness", "refused": "refused"}.get(self.verdict, "undecided")


def _witness_problem(w: dict, t0: int) -> str | None:
    try:
        step = int(w["step"])
        term = sp.sympify(w["term"], locals={"g": g})
    except Exception as err:  # noqa: BLE001 -- a malformed witness is a wrong verdict, said as such
        return f"witness without a readable step and term ({err})"
    if w.get("value") not in (None, "None") and sp.sympify(w["value"]) == 0:
        return f"witness coefficient {w['coefficient']} is 0 at its own example values {w.get('values')}"
    if step < t0:
        return f"witness at step {step}, before the first step {t0}"
    if not (isinstance(term, AppliedUndef) and term.func == g and term.args[0].is_Integer
            and t0 <= int(term.args[0]) <= step):
        return f"witness term {w['term']} is not a gradient g(j) with {t0} <= j <= {step}"
    return None


def judge(case: Case, numeric: bool = False, steps: int = 50, dim: int = 4) -> Outcome:
    """Run ``case`` through :func:`equivalences.verify` and decide whether the verdict is right."""
    import equivalences

    from equivalences.system import DeclarationError

    start = time.perf_counter()
    try:
        try:
            report = equivalences.verify(case.method, numeric=False)
        except DeclarationError as err:  # refused in one line, with the fix: an honest answer, not a verdict
            if "as a schedule" not in str(err):
                raise
            out = Outcome(case, "refused")
            out.seconds = time.perf_counter() - start
            return out
        js = report.to_json()
        nif = js["not_in_family"]
        if not report.consistent:  # the independent check contradicts the verdict: an internal error
            raise AssertionError(f"internal inconsistency: {report.check.summary()}")
        if report.proved:
            verdict = "proved"
        elif report.map is not None:
            verdict = "unproved-map"
        elif nif is None:
            verdict = "no-witness"
        elif nif.get("witness"):
            verdict = "not-in-family"
        elif str(nif.get("reason", "")).startswith("undecided"):
            verdict = "undecided"
        else:
            verdict = "no-witness"
        out = Outcome(case, verdict, witness=(nif or {}).get("witness"))
        if case.member:
            if verdict == "proved":
                out.wrong = map_mismatch(case, report.map)
            elif verdict != "undecided":
                out.wrong = f"a member reported {verdict}: {report.not_in_family or 'a map whose proof fails'}"
        else:
            if verdict == "proved":
                out.wrong = f"a non-member proved (beta_a = {report.map.beta_a}, eta_a = {report.map.eta_a}, " \
                            f"alpha_a = {report.map.alpha_a})"
            elif verdict in ("no-witness", "unproved-map"):
                out.wrong = f"a non-member reported {verdict}: {report.not_in_family}"
            elif verdict == "not-in-family":
                out.wrong = _witness_problem(out.witness, case.method.t0)
        if numeric and verdict == "proved" and not out.wrong:
            try:
                rep = equivalences.verify(case.method, numeric=True, steps=steps, dim=dim)
                out.numeric = "passed" if rep.numeric.passed else \
                    f"failed: deviation {rep.numeric.result.worst:.3g}, control rejected {rep.numeric.control_rejected}"
            except Exception as err:  # noqa: BLE001 -- reported, not raised: the benchmark counts them
                out.numeric = f"error: {type(err).__name__}: {err}"
    except Exception as err:  # noqa: BLE001 -- an internal error of the engine, counted
        out = Outcome(case, "error", error=f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=-3)}")
    out.seconds = time.perf_counter() - start
    return out


# -- a case as a declaration file ---------------------------------------------------------------------
class _SourcePrinter(StrPrinter):
    def _print_Rational(self, e):
        return f"sp.Rational({e.p}, {e.q})"


def _src(expr) -> str:
    return _SourcePrinter().doprint(sp.sympify(expr))


def module_text(case: Case, doc: str) -> str:
    """``case.method`` as a self-contained declaration module (``verify --module FILE``)."""
    m = case.method
    lines = [f'"""{doc}"""', "import sympy as sp", "", "from equivalences.declare import Method, state",
             "from equivalences.symbols import g, t, theta0", ""]
    names = " ".join(f.__name__ for f in m.state)
    lines.append(f"{', '.join(f.__name__ for f in m.state)}{',' if len(m.state) == 1 else ''} = state({names!r})")
    for f in list(m.define) + list(m.schedules):
        lines.append(f"{f.__name__} = sp.Function({f.__name__!r})")
    for s in m.constants:
        pos = ", positive=True" if s.is_positive else ""
        lines.append(f"{s.name} = sp.Symbol({s.name!r}{pos})")
    tup = lambda xs: "(" + "".join(f"{x}, " for x in xs) + ")"  # noqa: E731
    ups = "".join(f"\n        sp.Eq({_src(eq.lhs)}, {_src(eq.rhs)}),".replace("theta_0", "theta0")
                  for eq in m.updates)
    init = ", ".join(f"{_src(k)}: {_src(v)}".replace("theta_0", "theta0") for k, v in m.init.items())
    define = ", ".join(f"{f.__name__}: {_src(b)}" for f, b in m.define.items())
    defaults = ", ".join(f"{k.name if isinstance(k, sp.Symbol) else k.__name__}: {_src(v)}"
                         for k, v in m.defaults.items())
    lines += ["", "METHOD = Method(",
              f"    key={m.key!r}, name={m.name!r}, reference={m.reference!r}, section='-',",
              f"    summary={m.summary!r},",
              f"    state={tup(f.__name__ for f in m.state)},",
              f"    updates=({ups}\n    ),",
              f"    query={m.query.__name__}, t0={m.t0},",
              f"    init={{{init}}},"]
    if m.define:
        lines.append(f"    define={{{define}}},")
    lines += [f"    constants={tup(s.name for s in m.constants)},",
              f"    schedules={tup(f.__name__ for f in m.schedules)},",
              f"    defaults={{{defaults}}},", ")", ""]
    return "\n".join(lines)
