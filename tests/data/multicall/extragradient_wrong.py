"""A wrong rewrite of extragradient: the step from the extrapolated point forgets to undo its gradient,
x_(t+1) = y_t - alpha g(y_t) = x_t - alpha g(x_t) - alpha g(y_t) (the negative case)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.oracles import gradients
from equivalences.symbols import t, theta0

(x,) = state("x")
y = sp.Function("y")
g1, g2 = gradients("g1 g2")
alpha = sp.Symbol("alpha")

METHOD = Method(
    key="extragradient-wrong",
    name="Extragradient, a wrong rewrite (tests/data/multicall)",
    reference="-",
    section="-",
    summary="the step from y without undoing the extrapolation",
    state=(x,),
    define={y: x(t) - alpha * g1(t)},
    updates=(sp.Eq(x(t + 1), y(t) - alpha * g2(t)),),
    query=x,
    calls=((x, g1), (y, g2)),
    init={x(1): theta0},
    constants=(alpha,),
    defaults={alpha: sp.Rational(1, 10)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
