"""Methods with several gradient calls per step (extragradient, Heun, a probe at a lookahead point).

A declaration names the calls of one step in order, each a point and the gradient taken there::

    g1, g2 = gradients("g1 g2")
    Method(..., define={y: x(t) - lr * g1(t)}, updates=(Eq(x(t + 1), x(t) - lr * g2(t)),),
           query=x, calls=((x, g1), (y, g2)))

Call ``i``'s point may read the gradients of the earlier calls of the same step (``g1(t)`` in ``y``); an update
reads every call's gradient of the step and of the previous one (``g2(t - 1)``, kept as state like ``g(t - 1)``).

**Against Eq. (1).**  Eq. (1) takes one gradient per step, at its query point ``w_t``, and its next query point is
a linear combination of those gradients only.  The sequence of call ``k``'s points is a single-call method exactly
when no other call's gradient reaches it (decided on the linear step: the states that feed call ``k``'s points and
the gradients that enter them); then the method is judged as that single-call method (the other calls are probes
whose gradients nothing reads).  Otherwise, for every choice of the query point among the calls, the exact
unrolled trajectory shows the step and the term that Eq. (1) forbids: a gradient taken at another call's point
(its noise is no noise of any query of that sequence).  SymPy only.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import (applications, canonical, linear_coefficients, nice, offset, substitute_function,
                      substitute_functions)
from .declare import Method
from .symbols import g, t
from .trajectory import Verdict, Witness, _Field, example_values


def gradients(names: str) -> tuple[type[sp.Function], ...]:
    """The gradients of a step's calls, as functions of the step: ``g1, g2 = gradients("g1 g2")``."""
    return tuple(sp.Function(n) for n in names.split())


def is_multicall(method: Method) -> bool:
    """Does ``method`` declare several gradient calls per step?"""
    return bool(getattr(method, "calls", ()))


class CallProblem(ValueError):
    """A malformed ``calls`` declaration (one line: the problem and the fix)."""


# ----------------------------------------------------------------------------------------------- validation
def check_calls(method: Method, state: set, define: set, taken: set) -> None:
    """Raise :class:`CallProblem` at the first malformed part of ``method.calls`` (``state``/``define``: the names
    of the state and the definitions; ``taken``: every other declared name)."""
    calls = method.calls
    if not isinstance(calls, tuple):
        raise CallProblem(f"calls is a {type(calls).__name__}; write a tuple of (point, gradient) pairs, "
                          "e.g. calls=((x, g1), (y, g2))")
    if len(calls) < 2:
        raise CallProblem("calls has one call; a method with one gradient call per step leaves calls out and writes "
                          "g(t) at query=...")
    seen: list[str] = []
    for i, pair in enumerate(calls, 1):
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise CallProblem(f"calls[{i - 1}] is {sp.sstr(pair) if isinstance(pair, sp.Basic) else repr(pair)}; "
                              "write each call as a pair (point, gradient), e.g. (y, g2)")
        point, grad = pair
        if not isinstance(point, sp.FunctionClass) or not isinstance(grad, sp.FunctionClass):
            raise CallProblem(f"call {i}: give the functions themselves, (y, g2), not applied ones like y(t) "
                              "(gradients from g1, g2 = gradients('g1 g2'))")
        if point.__name__ not in state and point.__name__ not in define:
            raise CallProblem(f"call {i} is at {point.__name__}, which is not a state variable or a definition; "
                              "use one of " + ", ".join(sorted(state | define)) + " or add it to define")
        name = grad.__name__
        if name in seen:
            raise CallProblem(f"the gradient {name} is named by two calls; give each call its own, "
                              "e.g. g1, g2 = gradients('g1 g2')")
        if name == g.__name__:
            raise CallProblem("a call's gradient is named g, the gradient of single-call methods; name each call's "
                              "own, e.g. g1, g2 = gradients('g1 g2')")
        if name in state | define | taken:
            raise CallProblem(f"the gradient {name} of call {i} has the name of another declared variable; rename it")
        seen.append(name)
    if method.query is not calls[0][0]:
        raise CallProblem(f"query is {getattr(method.query, '__name__', method.query)} but the first call is at "
                          f"{calls[0][0].__name__}; set query={calls[0][0].__name__} (the first call's point)")
    if method.transforms:
        raise CallProblem("a transform (pre/posts) with several calls per step is not supported; declare the "
                          "method with linear updates")
    if method.evaluate is not None:
        raise CallProblem("evaluate with several calls per step is not supported; leave it out")
    grads = {gr.__name__: i for i, (_, gr) in enumerate(calls, 1)}
    exprs = [(f"the update of {eq.lhs.func.__name__}", eq.rhs) for eq in method.updates
             if isinstance(eq, sp.Equality)]
    exprs += [(f"define[{f.__name__}]", body) for f, body in method.define.items()]
    for where, e in exprs:
        for a in sorted(sp.sympify(e).atoms(AppliedUndef), key=sp.default_sort_key):
            if a.func.__name__ == method.input.__name__:
                raise CallProblem(f"{where} reads {a}; with calls=..., each call has its own gradient: write "
                                  + " or ".join(f"{n}(t)" for n in grads))
            if a.func.__name__ in grads:
                k = offset(a.args[0]) if len(a.args) == 1 else None
                if k not in (0, -1):
                    raise CallProblem(f"{where} reads the gradient {a}; a step reads its calls' gradients at t (and "
                                      f"the previous step's, at t - 1) only")
    expand = expander(method)
    for i, (point, _) in enumerate(calls, 1):
        for a in sorted(expand(point(t)).atoms(AppliedUndef), key=sp.default_sort_key):
            j = grads.get(a.func.__name__)
            if j is not None and j >= i and offset(a.args[0]) == 0:
                raise CallProblem(f"the point {point.__name__} of call {i} reads {a}, the gradient of call {j}, "
                                  f"which is not known yet at call {i}; a call's point reads the gradients of "
                                  "earlier calls of the step (or of the previous step)")


def expander(method: Method):
    """``expr -> expr`` with the definitions of ``method`` written out (they are acyclic)."""
    defs = dict(method.define)

    def expand(e):
        e = sp.sympify(e)
        for _ in range(len(defs) + 2):
            new = substitute_functions(e, defs)
            if new == e:
                return e
            e = new
        return e
    return expand


# ----------------------------------------------------------------------------------------------- the step
class NotLinearCalls(Exception):
    """The step is not linear in the state and the calls' gradients."""


@dataclass
class Calls:
    """One method as ``S(t + 1) = M_t S(t) + B_t U(t)`` with call ``i`` at ``p_i(t) = C_t[i] . S(t) + sum_(j < i)
    D_t[i, j] u_j(t)``, ``S(t0) = start`` (``U = (u_1, ..., u_r)``: the gradients of the step's calls)."""

    method: Method
    names: list
    M: sp.Matrix
    B: sp.Matrix
    C: sp.Matrix
    D: sp.Matrix
    start: list
    points: list
    """The name of each call's point."""

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def r(self) -> int:
        return self.C.rows


def _lagged(method: Method, exprs) -> list:
    """The calls' gradients read one step back, in order of the calls."""
    grads = [gr for _, gr in method.calls]
    read = {a.func for e in exprs for a in applications(e, grads) if offset(a.args[0]) == -1}
    return [gr for gr in grads if gr in read]


def _row(expr, S, U, X, Y, i, what):
    """Row ``i`` of ``X`` (the state's coefficients) and ``Y`` (the gradients') from ``expr``, linear in both."""
    co, rest = linear_coefficients(expr, S + U)
    if rest != 0:
        raise ValueError(f"{what} has a term without state or gradient ({nice(rest)})")
    for j, x in enumerate(S):
        X[i, j] = co[x]
    for j, u in enumerate(U):
        Y[i, j] = co[u]


def calls_form(method: Method, tag: str = "") -> Calls:
    """A multi-call ``method`` as a :class:`Calls` system, its updates solved in the authors' order
    (:class:`NotLinearCalls` when it is not linear; a single-call method:
    :func:`equivalences.equivalent.calls.as_calls`)."""
    expand = expander(method)
    grads = [gr for _, gr in method.calls]
    updates = [(eq.lhs, expand(eq.rhs)) for eq in method.updates]
    pts = [expand(p(t)) for p, _ in method.calls]
    lags = _lagged(method, [r for _, r in updates] + pts)
    lag_fn = {gr: sp.Function(f"{gr.__name__}_prev") for gr in lags}
    back = {gr(t - 1): f(t) for gr, f in lag_fn.items()}
    updates = [(lhs, rhs.xreplace(back)) for lhs, rhs in updates] + [(f(t + 1), gr(t)) for gr, f in lag_fn.items()]
    pts = [p.xreplace(back) for p in pts]
    state = list(method.state) + list(lag_fn.values())
    F: dict = {}
    for lhs, rhs in updates:
        for s, f in F.items():
            rhs = rhs.xreplace({s(t + 1): f})
        F[lhs.func] = rhs
    S, U = [s(t) for s in state], [gr(t) for gr in grads]
    n, r = len(state), len(grads)
    M, B, C, D = sp.zeros(n, n), sp.zeros(n, r), sp.zeros(r, n), sp.zeros(r, r)
    try:
        for i, s in enumerate(state):
            _row(F[s], S, U, M, B, i, f"the update of {s.__name__}")
        for i, p in enumerate(pts):
            _row(p, S, U, C, D, i, f"the point of call {i + 1}")
    except ValueError as err:
        raise NotLinearCalls(f"{method.key}'s step is not linear in its state and its calls' gradients ({err})") from None
    t0 = method.t0
    init = {**{f(t0): 0 for f in lag_fn.values()}, **dict(method.init)}
    start = [sp.sympify(init.get(s(t0), sp.Symbol(f"{s.__name__}{tag}({t0})"))) for s in state]
    return Calls(method, [s.__name__ for s in state], M, B, C, D, start, [p.__name__ for p, _ in method.calls])


# ----------------------------------------------------------------------------------------------- unrolling
def calls_field(sides):
    """The exact field of the unrolled coefficients of ``sides`` (``[(Calls, steps)]``: each side at its own
    concrete steps) and the start symbols: :class:`~equivalences.equivalent.closure.Field`."""
    consts = set()
    for L, _ in sides:
        for mat in (L.M, L.B, L.C, L.D):
            for e in mat:
                consts |= sp.sympify(e).free_symbols
    starts = sorted({s for L, _ in sides for v in L.start for s in sp.sympify(v).free_symbols} - consts - {t},
                    key=sp.default_sort_key)
    exprs = []
    for L, steps in sides:
        for v in L.start:
            co, rest = linear_coefficients(v, starts)
            if rest != 0:
                raise NotLinearCalls(f"{L.method.key}'s start is not linear in {', '.join(map(str, starts))}")
            exprs += list(co.values())
        for k in steps:
            exprs += [sp.sympify(e).subs(t, k) for mat in (L.M, L.B, L.C, L.D) for e in mat]
    return _Field(exprs), starts  # the steps are concrete: no power moves with the step


def run_calls(L: Calls, F, starts, steps, atom):
    """Yield ``(k, [p_1, ..., p_r])`` for the steps ``k`` in ``steps`` (consecutive, from ``L``'s first): each call's
    point as an exact linear form ``{atom: coefficient}`` over the gradients and the start symbols;
    ``atom(k, i)`` names the gradient of call ``i`` (0-based) of step ``k``."""
    at = lambda e, k: sp.sympify(e).subs(t, k)  # noqa: E731
    S = []
    for v in L.start:
        co, _ = linear_coefficients(v, starts)
        S.append({a: F(c) for a, c in co.items() if c != 0})

    def combine(pairs):
        out: dict = {}
        for c, v in pairs:
            if c == 0:
                continue
            for a, x in v.items():
                out[a] = out.get(a, 0) + c * x
        return {a: x for a, x in out.items() if x != 0}

    for k in steps:
        U = [{atom(k, i): F.K.one} for i in range(L.r)]
        ps = [combine([(F(at(L.C[i, j], k)), S[j]) for j in range(L.n)]
                      + [(F(at(L.D[i, j], k)), U[j]) for j in range(i)]) for i in range(L.r)]
        yield k, ps
        S = [combine([(F(at(L.M[i, j], k)), S[j]) for j in range(L.n)]
                     + [(F(at(L.B[i, j], k)), U[j]) for j in range(L.r)]) for i in range(L.n)]


# ----------------------------------------------------------------------------------------------- against Eq. (1)
def _nonzero(e) -> bool:
    return canonical(sp.sympify(e)) != 0


def feeds(L: Calls, k: int) -> set[int]:
    """The calls whose gradients can reach the points of call ``k`` (0-based), structurally: through the states
    that feed its points, or directly in its point (an entry counts unless it is identically 0)."""
    live = {j for j in range(L.n) if _nonzero(L.C[k, j])}
    while True:
        more = {j for j in range(L.n) for i in live if _nonzero(L.M[i, j])} - live
        if not more:
            break
        live |= more
    out = {j for j in range(L.r) for i in live if _nonzero(L.B[i, j])}
    return out | {j for j in range(k) if _nonzero(L.D[k, j])}


@dataclass
class CallVerdict:
    """A multi-call method against Eq. (1): ``reduced`` (the single-call method it is), or ``outside`` with a witness
    for every choice of the query point among the calls, or ``undecided``."""

    method: Method
    kind: str
    reduced: Method | None = None
    reason: str = ""
    witness: object = None
    """A :class:`~equivalences.trajectory.Witness` against the declared query point (call 1)."""
    sentences: list | None = None


def single_call(method: Method, k: int) -> Method:
    """The single-call method of call ``k`` (0-based): its gradient is ``g``, every other call's gradient is 0."""
    point, grad = method.calls[k]
    others = [gr for j, (_, gr) in enumerate(method.calls) if j != k]

    def sub(e):
        e = sp.sympify(e)
        for gr in others:
            e = substitute_function(e, gr, sp.Integer(0))
        return substitute_function(e, grad, g(t))

    note = (f"the gradients of the other calls ({', '.join(gr.__name__ for gr in others)}) never reach the points of "
            f"call {k + 1} ({point.__name__}): judged as the single-call method with the gradient {grad.__name__} "
            f"at {point.__name__}")
    return replace(method, name=f"{method.name}; judged as its call {k + 1} alone", updates=tuple(
        sp.Eq(e.lhs, sub(e.rhs)) for e in method.updates), define={f: sub(v) for f, v in method.define.items()},
        query=point, calls=(), notes=tuple(method.notes) + (note,))


_DECIDED: dict = {}


def against_eq1(method: Method, steps: int = 6) -> CallVerdict:
    """Is this multi-call method an instance of Eq. (1)?  (module doc; decided once per method object)"""
    got = _DECIDED.get((id(method), steps))
    if got is None or got.method is not method:
        got = _DECIDED[(id(method), steps)] = _against_eq1(method, steps)
    return got


def judged(method: Method) -> Method | None:
    """The single-call method a multi-call ``method`` is judged as (None: it reduces to none)."""
    return against_eq1(method).reduced


def _against_eq1(method: Method, steps: int) -> CallVerdict:
    try:
        L = calls_form(method)
    except NotLinearCalls as err:
        return CallVerdict(method, "undecided", reason=f"{err}; the engine does not claim it is outside Eq. (1)")
    for k in range(L.r):
        if feeds(L, k) <= {k}:
            return CallVerdict(method, "reduced", single_call(method, k))
    grads = [gr for _, gr in method.calls]
    found: dict = {}
    ks = range(method.t0, method.t0 + steps + 1)
    F, starts = calls_field([(L, ks)])
    for step, ps in run_calls(L, F, starts, ks, lambda kk, i: grads[i](kk)):
        for k, p in enumerate(ps):
            if k in found:
                continue
            other = [a for a in p if isinstance(a, AppliedUndef) and a.func in grads and a.func is not grads[k]]
            if other:
                a = max(other, key=lambda x: (x.args[0], grads.index(x.func)))
                found[k] = (step, a, nice(F.expr(p[a])))
        if len(found) == L.r:
            break
    if len(found) < L.r:
        missing = ", ".join(L.points[k] for k in range(L.r) if k not in found)
        return CallVerdict(method, "undecided", reason=(
            f"another call's gradient may reach the points of {missing} (structurally), but none does within "
            f"{steps + 1} unrolled steps; the engine does not claim the method is outside Eq. (1)"))
    rule = ("Eq. (1) takes one gradient per step, at its query point, and its next query point combines those "
            "gradients only")
    sentences = []
    for k, (step, a, c) in sorted(found.items()):
        j = grads.index(a.func)
        sentences.append(f"with the query point {L.points[k]} (call {k + 1}): at step t = {step}, {L.points[k]}_{step} "
                         f"depends on {a} (the gradient of call {j + 1}, taken at {L.points[j]}_{a.args[0]}) with "
                         f"coefficient {sp.sstr(c)}")
    step, a, c = found[0]
    j = grads.index(a.func)
    w = Witness(step, a, c, f"the query point {L.points[0]}_{step}",
                f"{rule}; {a} is the gradient at {L.points[j]}_{a.args[0]}, another call's point")
    value = _value_at_defaults(method, c)
    if value is not None:
        w.values, w.value = value
    others = "; ".join(sentences[1:])
    reason = (f"{len(method.calls)} gradient calls per step, and no call's points are a single-call method ({others}), "
              "so no choice of the query point among the calls makes it an instance")
    return CallVerdict(method, "outside", reason=reason, witness=w, sentences=sentences)


def _value_at_defaults(method: Method, c):
    found = example_values(method, [c])
    if found is None:
        return None
    return {str(k): v for k, v in found[0].items()}, canonical(sp.sympify(c).xreplace(found[0]))


def reuse(method: Method, k: int, by: int) -> Method:
    """``method`` with call ``k``'s gradient (0-based) replaced by call ``by``'s gradient of the previous step, kept as
    a state ``<gradient>_last`` that starts at 0 (the past gradient reused): "optimistic gradient descent is
    extragradient with the past gradient reused".  Call ``k`` is dropped; with one call left it is a single-call
    method (gradient ``g``)."""
    (_, grad), (_, other) = method.calls[k], method.calls[by]
    last = sp.Function(f"{other.__name__}_last")

    def sub(e, single=None):
        e = substitute_function(sp.sympify(e), grad, last(t))
        return substitute_function(e, single, g(t)) if single is not None else e

    calls = tuple(c for j, c in enumerate(method.calls) if j != k)
    single = calls[0][1] if len(calls) == 1 else None
    updates = tuple(sp.Eq(e.lhs, sub(e.rhs, single)) for e in method.updates)
    updates += (sp.Eq(last(t + 1), sub(other(t), single)),)
    return replace(method, key=f"{method.key}[{grad.__name__}(t)={other.__name__}(t-1)]",
                   name=f"{method.name}, {grad.__name__}(t) replaced by {other.__name__}(t - 1)",
                   state=tuple(method.state) + (last,), updates=updates,
                   define={f: sub(v, single) for f, v in method.define.items()}, init={**method.init, last(method.t0): 0},
                   calls=() if single is not None else calls, query=calls[0][0], claims=())



class CallsVerdict(Verdict):
    """The trajectory :class:`~equivalences.trajectory.Verdict` of a multi-call method (its reason in words)."""

    @property
    def refusal_text(self):
        if self.witness is None:
            return f"undecided: {self.reason}"
        return f"{self.witness.sentence()}. ({self.reason[0].upper()}{self.reason[1:]}.)"


NOT_APPLICABLE = ("the independent check runs declarations with one gradient call per step; the verdict on several "
                  "calls rests on the exact unrolled trajectory above")
