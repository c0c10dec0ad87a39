"""Nesterov's momentum in Sutskever et al.'s (2013) form, with a momentum schedule mu(t) and a step lr(t):
v_(t+1) = mu_t v_t - lr_t g(theta_t + mu_t v_t),  theta_(t+1) = theta_t + v_(t+1); the gradient is taken at the
look-ahead point theta_t + mu_t v_t."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

theta, v = state("theta v")
look = sp.Function("look")
mu, lr = sp.Function("mu"), sp.Function("lr")
lr0 = sp.Symbol("lr0", positive=True)

METHOD = Method(
    key="nesterov-sutskever",
    name="Nesterov momentum, Sutskever et al.'s form (tests/data/equivalent)",
    reference="Sutskever, Martens, Dahl, Hinton (2013), eq. (3)-(4)",
    section="-",
    summary="velocity v, gradient at the look-ahead point theta + mu v",
    state=(theta, v),
    define={look: theta(t) + mu(t) * v(t)},
    updates=(
        sp.Eq(v(t + 1), mu(t) * v(t) - lr(t) * g(t)),
        sp.Eq(theta(t + 1), theta(t) + v(t + 1)),
    ),
    query=look,
    init={theta(1): theta0, v(1): 0},
    schedules=(mu, lr),
    defaults={mu: 1 - sp.Integer(3) / (t + 5), lr: lr0 * 10 / (t + 9), lr0: sp.Rational(1, 20)},
    domain={lr0: sp.Interval.open(0, sp.oo)},
)
