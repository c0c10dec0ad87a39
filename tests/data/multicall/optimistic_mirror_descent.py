"""Optimistic mirror descent with the Euclidean map and an extrapolation point (Rakhlin & Sridharan 2013, the hint
M_t = the last gradient): y_t = x_t - alpha g(y_(t-1)),  x_(t+1) = x_t - alpha g(y_t).  One gradient call per step,
at y, the last gradient kept as the state h; its two-call sibling (the hint a fresh gradient at x_t) is
extragradient (mirror-prox)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x, h = state("x h")
y = sp.Function("y")
alpha = sp.Symbol("alpha")

METHOD = Method(
    key="optimistic-mirror-descent",
    name="Optimistic mirror descent, extrapolation point (tests/data/multicall)",
    reference="Rakhlin & Sridharan (2013)",
    section="-",
    summary="the extrapolation uses the previous step's gradient: one call per step, at y",
    state=(x, h),
    define={y: x(t) - alpha * h(t)},
    updates=(sp.Eq(x(t + 1), x(t) - alpha * g(t)), sp.Eq(h(t + 1), g(t))),
    query=y,
    init={x(1): theta0, h(1): 0},
    constants=(alpha,),
    defaults={alpha: sp.Rational(1, 10)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
