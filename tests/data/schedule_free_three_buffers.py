"""Schedule-Free SGD declared the way the libraries store it: three buffers, the parameter y (where the
gradient is taken), z and x, with y recomputed from z and x after every step.  Redundant state: on every
trajectory y = (1 - beta) z + beta x, an invariant the trajectory route finds and proves."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

y, z, x = state("y z x")
beta = sp.Symbol("beta")
c, gamma = sp.Function("c"), sp.Function("gamma")
lr, warmup = sp.symbols("lr T_w", positive=True)

METHOD = Method(
    key="schedule-free-3",
    name="Schedule-Free SGD, three buffers (user-declared)",
    reference="tests/data",
    section="-",
    summary="Schedule-Free SGD with y stored as a buffer",
    state=(y, z, x),
    updates=(
        sp.Eq(z(t + 1), z(t) - gamma(t) * g(t)),
        sp.Eq(x(t + 1), (1 - c(t + 1)) * x(t) + c(t + 1) * z(t + 1)),
        sp.Eq(y(t + 1), (1 - beta) * z(t + 1) + beta * x(t + 1)),
    ),
    query=y,
    evaluate=x,
    init={y(1): theta0, z(1): theta0, x(1): theta0},
    t0=1,
    constants=(beta,),
    schedules=(c, gamma),
    defaults={beta: sp.Rational(9, 10), c: 1 / t, gamma: lr * sp.Min(1, t / warmup), lr: sp.Rational(1, 10), warmup: 20},
    domain={beta: sp.Interval(0, 1), lr: sp.Interval.Lopen(0, sp.oo), warmup: sp.Interval(1, sp.oo)},
)
