"""Nesterov's momentum in Bengio, Boulanger-Lewandowski & Pascanu's (2013) form: the stored point is the
look-ahead point Theta_t = theta_t + mu_t v_t itself,
Theta_(t+1) = Theta_t + mu_(t+1) mu_t v_t - (1 + mu_(t+1)) lr_t g_t,  v_(t+1) = mu_t v_t - lr_t g_t."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

Theta, v = state("Theta v")
mu, lr = sp.Function("mu"), sp.Function("lr")
lr0 = sp.Symbol("lr0", positive=True)

METHOD = Method(
    key="nesterov-bengio",
    name="Nesterov momentum, Bengio et al.'s form (tests/data/equivalent)",
    reference="Bengio, Boulanger-Lewandowski, Pascanu (2013), eq. (7)",
    section="-",
    summary="the look-ahead point stored directly",
    state=(Theta, v),
    updates=(
        sp.Eq(Theta(t + 1), Theta(t) + mu(t + 1) * mu(t) * v(t) - (1 + mu(t + 1)) * lr(t) * g(t)),
        sp.Eq(v(t + 1), mu(t) * v(t) - lr(t) * g(t)),
    ),
    query=Theta,
    init={Theta(1): theta0, v(1): 0},
    schedules=(mu, lr),
    defaults={mu: 1 - sp.Integer(3) / (t + 5), lr: lr0 * 10 / (t + 9), lr0: sp.Rational(1, 20)},
    domain={lr0: sp.Interval.open(0, sp.oo)},
)
