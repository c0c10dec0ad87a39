"""Extragradient reading its schedule one step ahead: y_t = x_t - alpha_(t+1) g(x_t), x_(t+1) = x_t - alpha_(t+1) g(y_t).
The same as extragradient-schedule counted one step later (its step t is this method's step t - 1): a shift of the
step index, with two gradient calls per step."""
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
    key="extragradient-lead",
    name="Extragradient reading its schedule one step ahead (tests/data/multicall)",
    reference="Korpelevich (1976)",
    section="-",
    summary="extragradient-schedule with its schedule index shifted by one",
    state=(x,),
    define={y: x(t) - alpha(t + 1) * g1(t)},
    updates=(sp.Eq(x(t + 1), x(t) - alpha(t + 1) * g2(t)),),
    query=x,
    calls=((x, g1), (y, g2)),
    init={x(1): theta0},
    schedules=(alpha,),
    defaults={alpha: lr * 10 / (t + 9), lr: sp.Rational(1, 10)},
    domain={lr: sp.Interval.open(0, sp.oo)},
)
