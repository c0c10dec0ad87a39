"""A user's own declaration of torch.optim.SGD (momentum, dampening, Nesterov flag), written with a velocity
``v`` and parameters ``x``.  It names its hyperparameters like the registry's ``sgd-nesterov`` (mu, nesterov,
tau, lr), so ``verify --module tests/data/sgd_momentum_user.py --against torch.optim.SGD`` replays the real class
against the map derived from *this* file."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x, v = state("x v")
d = sp.Function("d")  # the step direction
mu, nesterov, damp = sp.symbols("mu nesterov damp")
tau, lr = sp.Function("tau"), sp.Function("lr")

METHOD = Method(
    key="my-sgd",
    name="SGD with momentum (user-declared)",
    reference="tests/data",
    section="-",
    summary="torch.optim.SGD written by a user",
    state=(x, v),
    define={d: nesterov * (g(t) + mu * v(t + 1)) + (1 - nesterov) * v(t + 1)},
    updates=(
        sp.Eq(v(t + 1), mu * v(t) + (1 - tau(t)) * g(t)),
        sp.Eq(x(t + 1), x(t) - lr(t) * d(t)),
    ),
    query=x,
    init={x(1): theta0, v(1): 0},
    constants=(mu, nesterov),
    schedules=(tau, lr),
    defaults={mu: sp.Rational(9, 10), nesterov: 0, tau: sp.Piecewise((0, t <= 1), (damp, True)), damp: 0,
              lr: sp.Rational(1, 20)},
    domain={mu: sp.Interval.Ropen(0, 1), nesterov: sp.FiniteSet(0, 1), damp: sp.Interval.Ropen(0, 1)},
)
