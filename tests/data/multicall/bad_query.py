"""A malformed multi-call declaration (tests/test_multicall.py): query names the second call's point, not the first."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.oracles import gradients
from equivalences.symbols import t, theta0

(x,) = state("x")
y = sp.Function("y")
g1, g2 = gradients("g1 g2")
alpha = sp.Symbol("alpha")

METHOD = Method(
    key="bad-query", name="bad", reference="-", section="-", summary="query is not the first call's point",
    state=(x,), define={y: x(t) - alpha * g1(t)}, updates=(sp.Eq(x(t + 1), x(t) - alpha * g2(t)),),
    query=y, calls=((x, g1), (y, g2)), init={x(1): theta0}, constants=(alpha,), defaults={alpha: sp.Rational(1, 10)},
)
