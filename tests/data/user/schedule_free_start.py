"""Schedule-Free SGD started apart: z_1 = theta_0, x_1 = kappa theta_0, with c_t = 1/t at the defaults.
c_1 = 1 makes x_1 irrelevant (x_2 = z_2), so the start kappa never matters at the defaults."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

z, x = state("z x")
y = sp.Function("y")
beta, kappa, lr = sp.symbols("beta kappa lr")
c = sp.Function("c")

METHOD = Method(
    key="schedule-free-start", name="Schedule-Free SGD, x_1 = kappa theta_0 (user-declared)",
    reference="tests/data/user", section="-", summary="Schedule-Free with a symbolic start of x",
    state=(z, x),
    define={y: (1 - beta) * z(t) + beta * x(t)},
    updates=(sp.Eq(z(t + 1), z(t) - lr * g(t)), sp.Eq(x(t + 1), (1 - c(t + 1)) * x(t) + c(t + 1) * z(t + 1))),
    query=y, evaluate=x, init={z(1): theta0, x(1): kappa * theta0},
    constants=(beta, kappa, lr), schedules=(c,),
    defaults={beta: sp.Rational(9, 10), kappa: sp.Rational(1, 2), lr: sp.Rational(1, 10), c: 1 / t},
    domain={beta: sp.Interval.open(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
