"""``torch.optim.SGD`` with momentum, dampening and the Nesterov flag (weight decay 0).

    b_t = mu b_{t-1} + (1 - tau_t) g_t,   tau_1 = 0 (the buffer starts as g_1)
    d_t = g_t + mu b_t  if nesterov  else  b_t
    p_{t+1} = p_t - lr_t d_t

``nesterov`` is the constant 0 or 1, so one proof covers both settings.
"""
import sympy as sp

from ..declare import Method, state
from ..symbols import g, t, theta0

p, b = state("p b")
mu, nesterov = sp.symbols("mu nesterov")
tau = sp.Function("tau")  # dampening, 0 at the first step as in torch
lr = sp.Function("lr")
damp, lr0 = sp.symbols("dampening lr0")

METHOD = Method(
    key="sgd-nesterov",
    name="SGD with momentum / Nesterov (torch.optim.SGD)",
    reference="Sutskever et al. (2013); torch.optim.SGD",
    section="classic",
    summary="torch's momentum buffer with dampening; Nesterov look-ahead when nesterov = 1",
    state=(p, b),
    updates=(
        sp.Eq(b(t + 1), mu * b(t) + (1 - tau(t)) * g(t)),
        sp.Eq(p(t + 1), p(t) - lr(t) * (nesterov * (g(t) + mu * b(t + 1)) + (1 - nesterov) * b(t + 1))),
    ),
    query=p,
    init={p(1): theta0, b(1): 0},
    constants=(mu, nesterov),
    schedules=(tau, lr),
    defaults={mu: sp.Rational(9, 10), nesterov: 1, tau: sp.Piecewise((0, t <= 1), (damp, True)),
              damp: sp.Rational(1, 10), lr: lr0, lr0: sp.Rational(1, 20)},
    domain={mu: sp.Interval.Ropen(0, 1), nesterov: sp.FiniteSet(0, 1), damp: sp.Interval.Ropen(0, 1),
            lr0: sp.Interval.open(0, sp.oo)},
)

ORDER = 4  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": mu * (1 - tau(t - 1)) / (1 - tau(t)), "eta_a": lr(t) * (nesterov * mu + 1 - nesterov) * (1 - tau(t)), "alpha_a": nesterov * lr(t)}
