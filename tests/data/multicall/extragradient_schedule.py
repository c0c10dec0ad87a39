"""Extragradient with a step-size schedule alpha_t: y_t = x_t - alpha_t g(x_t), x_(t+1) = x_t - alpha_t g(y_t)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.oracles import gradients
from equivalences.symbols import t, theta0

(x,) = state("x")
y = sp.Function("y")
g1, g2 = gradients("g1 g2")
alpha = sp.Function("alpha")
lr = sp.Symbol("lr", positive=True)

METHOD = Method(
    key="extragradient-schedule",
    name="Extragradient with a step-size schedule (tests/data/multicall)",
    reference="Korpelevich (1976)",
    section="-",
    summary="extragradient whose step size alpha_t moves with the step",
    state=(x,),
    define={y: x(t) - alpha(t) * g1(t)},
    updates=(sp.Eq(x(t + 1), x(t) - alpha(t) * g2(t)),),
    query=x,
    calls=((x, g1), (y, g2)),
    init={x(1): theta0},
    schedules=(alpha,),
    defaults={alpha: lr * 10 / (t + 9), lr: sp.Rational(1, 10)},
    domain={lr: sp.Interval.open(0, sp.oo)},
)
