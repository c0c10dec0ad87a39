"""Two queries at different points, both read: the gradient at x and at the lookahead point y = x - alpha g(x),
averaged (Heun's method on the gradient flow): x_(t+1) = x_t - alpha (g(x_t) + g(y_t)) / 2."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.oracles import gradients
from equivalences.symbols import t, theta0

(x,) = state("x")
y = sp.Function("y")
g1, g2 = gradients("g1 g2")
alpha = sp.Symbol("alpha")

METHOD = Method(
    key="lookahead-average",
    name="Gradient at x and at a lookahead point, averaged (tests/data/multicall)",
    reference="Heun's method",
    section="-",
    summary="the mean of the gradients at x and at the lookahead point",
    state=(x,),
    define={y: x(t) - alpha * g1(t)},
    updates=(sp.Eq(x(t + 1), x(t) - alpha * (g1(t) + g2(t)) / 2),),
    query=x,
    calls=((x, g1), (y, g2)),
    init={x(1): theta0},
    constants=(alpha,),
    defaults={alpha: sp.Rational(1, 10)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
