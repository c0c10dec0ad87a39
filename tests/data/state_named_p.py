"""Heavy ball whose momentum buffer is called P -- the name MARS gives its preconditioner."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

beta, lr = sp.symbols("beta lr", positive=True)
x, P = state("x P")

METHOD = Method(
    key="heavy-ball-p", name="Heavy ball, buffer named P", reference="test", section="-",
    summary="heavy ball with its momentum buffer named P",
    state=(x, P),
    updates=(sp.Eq(P(t + 1), beta * P(t) + g(t)), sp.Eq(x(t + 1), x(t) - lr * P(t + 1))),
    query=x, init={x(1): theta0, P(1): 0},
    constants=(beta, lr), defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
)
