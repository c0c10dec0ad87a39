"""Two methods with several gradient calls per step (or one of each): the same sequence of query points, all calls
in order, for every gradient sequence (docs/equivalent.md, "Several gradient calls per step").

Each side is a :class:`~equivalences.oracles.Calls` system ``S(t + 1) = M_t S(t) + B_t U(t)``, call ``i`` at
``p_i(t) = C_t[i] . S(t) + sum_(j < i) D_t[i, j] u_j(t)``.  Counted call by call, A's ``n``-th query and B's
``n``-th query receive the same gradient once all earlier queries agree (by induction; on a pair that differs,
any gradients up to the first difference are realised by some objective for both), so the two are fed the same
free symbols ``u_1(t) .. u_r(t)`` when both make ``r`` calls per step, and then

* **feedthrough**: ``D_A[i, j] - D_B[i, j] = 0`` (call ``i``'s points read the step's earlier gradients alike);
* **closure** of the functionals ``lambda = C_A[i] (+) -C_B[i]`` (one per call) under the step, as in
  :mod:`.closure`: each new functional ``lambda(t + 1) M_t`` is a combination of the earlier ones or kept, with
  ``I(t0) = 0`` (start) and ``lambda(t + 1) . B_t[:, j] = 0`` for every call ``j`` (no gradient enters).

Then every ``I`` vanishes on every reachable joint state by induction, in particular each call's ``d_i = p_i^A -
p_i^B``.  A failed identity is a term that is not identically 0 (the functionals are exact products): the
witness is then searched by unrolling both call sequences exactly, counted call by call (also when the two make
a different number of calls per step, where no proof is attempted: "undecided" if no difference is found).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import canonical, nice
from ..declare import Method
from ..oracles import Calls, NotLinearCalls, calls_field, is_multicall, reuse, run_calls
from ..oracles import calls_form as _multicall_form
from ..prove import Identity
from ..symbols import t
from .closure import Closure, Field, _denominator_factors, field_rows, reduce_against, times
from .joint import NotLinear, linear_form, mentions_time, related, renumbered, unify
from .equivalence import Equivalence
from .witness import Difference, _with_values

def calls_form(method: Method, tag: str = "") -> Calls:
    """``method`` as a :class:`~equivalences.oracles.Calls` system: a multi-call declaration, or a single-call method
    from its linear step (one call, ``D = 0``); :class:`NotLinearCalls` when it is not linear."""
    if is_multicall(method):
        return _multicall_form(method, tag)
    try:
        L = linear_form(method, tag)
    except NotLinear as err:
        raise NotLinearCalls(str(err)) from None
    return Calls(method, L.names, L.M, L.b, sp.Matrix([L.c]), sp.zeros(1, 1), L.start, [method.query.__name__])


G = sp.Function("G")
"""The gradient of the ``n``-th query, counted call by call from the start (shared by both sides)."""


def prove_calls(A: Calls, B: Calls, delta: int) -> Closure:
    """The feedthrough and closure identities for two systems with the same number of calls per step (module doc)."""
    n, r = A.n + B.n, A.r
    M = lambda k: sp.diag(A.M.subs(t, t + k), B.M.subs(t, t + k + delta))  # noqa: E731
    Bm = lambda k: A.B.subs(t, t + k).col_join(B.B.subs(t, t + k + delta))  # noqa: E731
    C = lambda k: A.C.subs(t, t + k).row_join(-B.C.subs(t, t + k + delta))  # noqa: E731
    D = A.D - B.D.subs(t, t + delta)
    ids = []
    for i in range(r):
        for j in range(i):
            res = canonical(D[i, j])
            ids.append(Identity(f"feedthrough: u_{j + 1}(t) enters call {i + 1}'s points alike", D[i, j], sp.Integer(0),
                                res, res == 0))
            if res != 0:
                return Closure(ids, [], [], failed=ids[-1])
    Mk, Ck = [M(k) for k in range(n + 2)], [C(k) for k in range(n + 2)]  # each built once
    F = Field([*Bm(0)] + [e for k in range(n + 2) for e in (*Ck[k], *Mk[k])])
    zero = F.K.zero
    Ms = field_rows(F, Mk[:n + 1], n)
    B0 = [[F(x) for x in Bm(0).col(c)] for c in range(r)]
    memo: dict = {}

    def lam(seed, k, j):  # the k-th successor of call ``seed``'s functional, at t + j
        if (seed, k, j) not in memo:
            if k == 0:
                memo[seed, k, j] = [F(x) for x in Ck[j].row(seed)]
            else:
                prev = lam(seed, k - 1, j + 1)
                memo[seed, k, j] = times(prev, Ms[j], zero)
        return memo[seed, k, j]

    names = [f"{x}_A" for x in A.names] + [f"{x}_B" for x in B.names]
    S = [sp.Function(x)(t) for x in names]
    start = [*A.start, *B.start]

    def as_expr(v):
        return sum((nice(F.expr(x)) * s for x, s in zip(v, S) if x != 0), sp.Integer(0))

    kept, basis, coeffs_all = [], [], []   # kept: vectors I_0, I_1, ...; basis: (pivot, row, combination)
    chain: dict = {}   # seed -> the index of its newest kept functional (None: the chain closed)
    for k in range(n + 1):
        for seed in range(r):
            if k > 0 and chain.get(seed) is None:
                continue
            v = lam(seed, k, 0)
            rest, combo = reduce_against(v, basis, len(kept), F.K.zero)
            what = (f"the difference of call {seed + 1}'s points" if k == 0 else
                    f"I_{chain[seed]}(t + 1) with the step substituted")
            if all(x == 0 for x in rest):  # a combination of the kept ones: this chain closes
                cs = [nice(F.expr(a)) for a in combo]
                resid = [F.expr(x - sum((a * w[i] for a, w in zip(combo, kept)), F.K.zero)) for i, x in enumerate(v)]
                res = sp.Integer(0) if all(canonical(x) == 0 for x in resid) else sp.Matrix(resid)
                rhs = sum((a * sp.Function(f"I_{m}")(t) for m, a in enumerate(cs) if a != 0), sp.Integer(0))
                ids.append(Identity(f"closure: {what} = {sp.sstr(rhs)}", as_expr(v), rhs, res, res == 0))
                coeffs_all += cs
                chain[seed] = None
                continue
            m = len(kept)
            J = as_expr(v)
            r0 = canonical(sum((F.expr(x).subs(t, A.method.t0) * s0 for x, s0 in zip(v, start)), sp.Integer(0)))
            ids.append(Identity(f"start: I_{m}({A.method.t0}) = 0  (I_{m}: {what})", J.subs(t, A.method.t0),
                                sp.Integer(0), r0, r0 == 0))
            if r0 != 0:
                return Closure(ids, [as_expr(w) for w in kept], [], failed=ids[-1])
            w1 = lam(seed, k, 1)
            for c in range(r):
                ru = nice(F.expr(sum((x * y for x, y in zip(w1, B0[c])), F.K.zero)))
                ids.append(Identity(f"step: I_{m}(t + 1) has ({sp.sstr(ru)})*u_{c + 1}(t): no gradient of call {c + 1} "
                                    "enters", sp.Function(f"I_{m}")(t + 1), sp.Integer(0), ru, ru == 0))
                if ru != 0:
                    return Closure(ids, [as_expr(w) for w in kept] + [J], [], failed=ids[-1])
            kept.append(v)
            chain[seed] = m
            piv = next(i for i, x in enumerate(rest) if x != 0)
            basis = [(p, row, rc + [F.K.zero]) for p, row, rc in basis] + [(piv, rest, [-x for x in combo] + [F.K.one])]
        if all(chain.get(seed) is None for seed in range(r)):
            break
    else:  # pragma: no cover -- at most n functionals are kept, so every chain closes within n + 1 steps
        raise AssertionError("the closure has at most n functionals")
    cl = Closure(ids, [as_expr(w) for w in kept], coeffs_all)
    cl.degenerate = _denominator_factors(coeffs_all)
    return cl


# ----------------------------------------------------------------------------------------------- the witness
@dataclass
class CallDifference(Difference):
    """The first query (counted call by call) where A and B differ."""

    query: int = 0
    call_a: tuple = ()
    call_b: tuple = ()
    """``(step, call, point name)`` of that query on each side."""
    sources: dict | None = None

    def sentence(self, a: str = "A", b: str = "B") -> str:
        (sa, ca, pa), (sb, cb, pb) = self.call_a, self.call_b
        at = ", ".join(f"{k} = {v}" for k, v in self.values.items())
        src = ""
        if isinstance(self.term, AppliedUndef) and self.term.func == G and self.sources:
            where = self.sources.get(int(self.term.args[0]))
            src = f" (the gradient of query {self.term.args[0]}: {where})" if where else ""
        eg = (f"; e.g. {sp.sstr(self.value_a)} vs {sp.sstr(self.value_b)} at {at}"
              if self.value_a is not None and at else "")
        return (f"query {self.query} differs ({a}'s step {sa}, call {ca} at {pa}; {b}'s step {sb}, call {cb} at {pb}): "
                f"{self.term}{src} enters {a}'s with coefficient {sp.sstr(self.coefficient_a)} and {b}'s with "
                f"{sp.sstr(self.coefficient_b)}{eg}")

    def to_json(self) -> dict:
        return {**super().to_json(), "query": self.query, "call_a": list(self.call_a[:2]), "call_b": list(self.call_b[:2])}


def first_query_difference(A: Calls, B: Calls, queries: int) -> CallDifference | None:
    """The first of ``queries`` queries (all calls, in order) where A's and B's points differ, exactly."""
    steps_a = range(A.method.t0, A.method.t0 + -(-queries // A.r) + 1)
    steps_b = range(B.method.t0, B.method.t0 + -(-queries // B.r) + 1)
    F, starts = calls_field([(A, steps_a), (B, steps_b)])

    def seq(L, steps):
        t0 = L.method.t0
        for k, ps in run_calls(L, F, starts, steps, lambda k, i, L=L, t0=t0: G((k - t0) * L.r + i + 1)):
            yield from (((k, i + 1, f"{L.points[i]}_{k}"), p) for i, p in enumerate(ps))

    sources: dict = {}
    for n, ((wa, pa), (wb, pb)) in enumerate(zip(seq(A, steps_a), seq(B, steps_b)), 1):  # lazily: stop at the first
        if n > queries:
            break
        sources[n] = f"{A.method.key}'s {wa[2]}, {B.method.key}'s {wb[2]}"
        diff = {a for a in set(pa) | set(pb) if pa.get(a, 0) - pb.get(a, 0) != 0}
        if diff:
            a = max(diff, key=lambda x: (int(x.args[0]) if isinstance(x, AppliedUndef) else -1, sp.default_sort_key(x)))
            return CallDifference(wa[0], wb[0], a, nice(F.expr(pa.get(a, F.K.zero))), nice(F.expr(pb.get(a, F.K.zero))),
                                  query=n, call_a=wa, call_b=wb, sources=sources)
    return None


# ----------------------------------------------------------------------------------------------- the verdict
def equivalent_calls(a: Method, b: Method, relation: dict | None = None) -> Equivalence:
    """Decide whether ``a`` and ``b`` (at least one with several calls per step) query the same points, all calls in
    order, for every gradient sequence: proved on the joint system, or a witness (module doc)."""
    b1, source, text = unify(b, a), "same names", {}
    if relation:
        b1 = related(b1, {k: v for k, v in relation.items() if isinstance(k, sp.Symbol)},
                     {k: v for k, v in relation.items() if not isinstance(k, sp.Symbol)})
        source = "given"
        text = {(k.name if isinstance(k, sp.Symbol) else f"{k.__name__}(t)"): sp.sstr(v) for k, v in relation.items()}
    try:
        A, B = calls_form(a, "_A"), calls_form(b1, "_B")
    except NotLinearCalls as err:
        return Equivalence(a, b, "undecided", reason=f"{err}; the comparison of calls needs linear steps")
    e = Equivalence(a, b, "not-equivalent", "joint", relation=text, relation_source=source, compared=b1)
    calls = f"{a.key} makes {A.r} call{'s' * (A.r > 1)} per step, {b.key} {B.r}"
    if A.r == B.r:
        try:
            e.closure = prove_calls(A, B, b.t0 - a.t0)
        except ValueError as err:
            return Equivalence(a, b, "undecided", reason=f"a coefficient is not a rational function ({err})")
        if e.closure.holds:
            e.verdict = "equivalent"
            e.notes.append(_call_by_call(A))
            return e
    queries = 2 * (A.n + B.n) * max(A.r, B.r) + 6
    w = first_query_difference(A, B, queries)
    if w is None:
        why = (f"the closure check failed ({e.closure.failed.name})" if e.closure is not None else
               f"{calls}: no proof is attempted across different numbers of calls")
        return Equivalence(a, b, "undecided", "joint", reason=(
            f"{why}, and no difference was found within {queries} queries; the engine does not claim they differ"))
    e.witness = _with_values(w, a, b1)
    e.reason = e.witness.sentence(a.key, b.key)
    if A.r != B.r:
        e.notes.append(calls)
        return e
    shifted = _shifted(a, b, A, b1, e) if mentions_time(b1) else None
    return shifted or e


def _call_by_call(A: Calls) -> str:
    return f"compared call by call: both make {A.r} gradient calls per step"


def _shifted(a: Method, b: Method, A: Calls, b1: Method, e: Equivalence) -> Equivalence | None:
    """B renumbered by one step either way (A's step ``t`` is B's step ``t + 1`` or ``t - 1``) and proved call by
    call, with the relation as given; None when neither shift holds."""
    for s in (1, -1):
        bs = renumbered(b1, s)
        try:
            cl = prove_calls(A, calls_form(bs, "_B"), bs.t0 - a.t0)
        except (NotLinearCalls, ValueError):
            continue
        if cl.holds:
            out = Equivalence(a, b, "equivalent", "joint", relation=e.relation, relation_source=e.relation_source,
                              compared=bs, closure=cl, shift=s)
            out.notes += [f"counted from their first steps they differ: {e.reason}",
                          _call_by_call(A)]
            return out
    return None


def reused(a: Method, b: Method, decide) -> list[str]:
    """Where B makes one call per step and A several: B is A with a call's gradient replaced by another call's
    gradient of the previous step (the past gradient reused), proved -- the statement "optimistic gradient descent
    is extragradient with the past gradient reused", shown as what it is.  ``decide``: :func:`.verdict.equivalent`."""
    if not is_multicall(a) or is_multicall(b):
        return []
    out = []
    for k in range(len(a.calls)):
        for by in range(len(a.calls)):
            if by == k:
                continue
            candidate = reuse(a, k, by)
            if is_multicall(candidate):
                continue
            r = decide(candidate, b, conversion=False, shifts=False, conditions=False)
            if r.equivalent:
                gk, gb = a.calls[k][1].__name__, a.calls[by][1].__name__
                out.append(f"{b.key} is {a.key} with {gk}(t) (the gradient at {a.calls[k][0].__name__}) replaced by "
                           f"{gb}(t - 1), the previous step's gradient at {a.calls[by][0].__name__} reused, and call "
                           f"{k + 1} dropped: proved equivalent ({r.route}; "
                           f"{len(r.closure.identities) if r.closure else 0} identities)")
    return out


def probes_dropped(a: Method, b: Method, decide) -> list[str]:
    """Where A has several calls but the points of one of them form a single-call method (the others are probes
    whose gradients nothing reads): that method against B, proved -- said beside the witness, never as the verdict
    (the query sequences differ)."""
    from ..oracles import judged

    if not is_multicall(a) or is_multicall(b) or judged(a) is None:
        return []
    single = judged(a)
    r = decide(single, b, conversion=False, shifts=False, conditions=False)
    if not r.equivalent:
        return []
    return [f"{a.key}'s points of {single.query.__name__} alone (its other calls are probes nothing reads) are "
            f"{b.key}'s: proved equivalent ({r.route})"]
