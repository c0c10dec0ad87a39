"""Extragradient written from the extrapolated point: x_(t+1) = y_t + alpha (g(x_t) - g(y_t)), and the last
extrapolated point kept as state p (the same algorithm as extragradient.py, other variables)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.oracles import gradients
from equivalences.symbols import t, theta0

x, p = state("x p")
y = sp.Function("y")
g1, g2 = gradients("g1 g2")
alpha = sp.Symbol("alpha")

METHOD = Method(
    key="extragradient-from-extrapolated",
    name="Extragradient from the extrapolated point (tests/data/multicall)",
    reference="Korpelevich (1976), rewritten",
    section="-",
    summary="the step taken from the extrapolated point y, undoing its gradient and applying the one at y",
    state=(x, p),
    define={y: x(t) - alpha * g1(t)},
    updates=(sp.Eq(p(t + 1), y(t)), sp.Eq(x(t + 1), p(t + 1) + alpha * g1(t) - alpha * g2(t))),
    query=x,
    calls=((x, g1), (y, g2)),
    init={x(1): theta0, p(1): theta0},
    constants=(alpha,),
    defaults={alpha: sp.Rational(1, 10)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
