"""Nesterov's momentum in torch.optim.SGD's form (dampening 0) with schedules: a gradient buffer
b_(t+1) = mu_t b_t + g_t and the step p_(t+1) = p_t - lr_t (g_t + mu_(t+1) b_(t+1)).  The same as Sutskever's
form while lr is constant; with a varying lr it is not (the buffer holds gradients, not steps)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

p, b = state("p b")
mu, lr = sp.Function("mu"), sp.Function("lr")
lr0 = sp.Symbol("lr0", positive=True)

METHOD = Method(
    key="nesterov-torch",
    name="Nesterov momentum, torch.optim.SGD's form (tests/data/equivalent)",
    reference="torch.optim.SGD(nesterov=True)",
    section="-",
    summary="gradient buffer b, step along g + mu b",
    state=(p, b),
    updates=(
        sp.Eq(b(t + 1), mu(t) * b(t) + g(t)),
        sp.Eq(p(t + 1), p(t) - lr(t) * (g(t) + mu(t + 1) * b(t + 1))),
    ),
    query=p,
    init={p(1): theta0, b(1): 0},
    schedules=(mu, lr),
    defaults={mu: 1 - sp.Integer(3) / (t + 5), lr: lr0 * 10 / (t + 9), lr0: sp.Rational(1, 20)},
    domain={lr0: sp.Interval.open(0, sp.oo)},
)
