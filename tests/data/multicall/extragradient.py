"""Extragradient (Korpelevich 1976; mirror-prox with the Euclidean map): two gradient calls per step,
y_t = x_t - alpha g(x_t),  x_(t+1) = x_t - alpha g(y_t)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.oracles import gradients
from equivalences.symbols import t, theta0

(x,) = state("x")
y = sp.Function("y")
g1, g2 = gradients("g1 g2")
alpha = sp.Symbol("alpha")

METHOD = Method(
    key="extragradient",
    name="Extragradient (tests/data/multicall)",
    reference="Korpelevich (1976)",
    section="-",
    summary="a gradient step from x, then the step from x with the gradient at the extrapolated point",
    state=(x,),
    define={y: x(t) - alpha * g1(t)},
    updates=(sp.Eq(x(t + 1), x(t) - alpha * g2(t)),),
    query=x,
    calls=((x, g1), (y, g2)),
    init={x(1): theta0},
    constants=(alpha,),
    defaults={alpha: sp.Rational(1, 10)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
