"""Schedule-Free AdamW (Defazio et al., 2024): Schedule-Free with Adam preconditioning *before*
momentum (the paper's §4 and §5.1: "preconditioning before momentum", like LAProp).

    u_t     = P_t(g_t)                                 (Adam's g / (sqrt(v_hat) + eps))
    y_t     = (1 - beta) z_t + beta x_t
    z_{t+1} = z_t - gamma_t u_t
    x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}
"""
import sympy as sp

from ..declare import Claim, Method, Transform, state
from ..symbols import beta_a, t, theta0, u

z, x = state("z x")
y = sp.Function("y")
beta, beta2, eps = sp.symbols("beta beta2 epsilon")
c, gamma = sp.Function("c"), sp.Function("gamma")
lr, warmup = sp.symbols("lr T_w", positive=True)
P = Transform("P_sf", "adam", params={"beta2": beta2, "eps": eps}, latex="P")

METHOD = Method(
    key="schedule-free-adamw",
    name="Schedule-Free AdamW",
    reference="Defazio, Yang, Mehta, Mishchenko, Khaled, Cutkosky (2024), The Road Less Scheduled",
    section="§4, §5.1",
    summary="Schedule-Free on Adam-preconditioned gradients (preconditioning before momentum)",
    state=(z, x),
    define={y: (1 - beta) * z(t) + beta * x(t)},
    updates=(
        sp.Eq(z(t + 1), z(t) - gamma(t) * u(t)),
        sp.Eq(x(t + 1), (1 - c(t + 1)) * x(t) + c(t + 1) * z(t + 1)),
    ),
    query=y,
    evaluate=x,
    input=u,
    pre=P,
    init={z(1): theta0, x(1): theta0},
    constants=(beta, beta2, eps),
    schedules=(c, gamma),
    defaults={beta: sp.Rational(9, 10), beta2: sp.Rational(999, 1000), eps: sp.Rational(1, 10 ** 8),
              c: 1 / t, gamma: lr * sp.Min(1, t / warmup), lr: sp.Rational(1, 100), warmup: 20},
    domain={beta: sp.Interval(0, 1), beta2: sp.Interval.open(0, 1), eps: sp.Interval.open(0, sp.oo),
            lr: sp.Interval.open(0, sp.oo), warmup: sp.Interval(1, sp.oo)},
    paper_setting={gamma: sp.Symbol("gamma")},
    paper_setting_text="constant learning rate gamma",
    claims=(
        Claim("§4.1 applied to preconditioned gradients (beta_a = 1 - c_t)", beta_a(t), 1 - c(t)),
    ),
)
