"""Schedule-Free SGD (Defazio et al., 2024), as written in §4.1 of the paper.

    y_t     = (1 - beta) z_t + beta x_t            (gradient taken here)
    z_{t+1} = z_t - gamma_t g(y_t)
    x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}  (evaluated here)

Generalised from the paper's constant gamma to a learning-rate schedule
gamma_t, with a time-varying c_t; the paper's claims are checked with gamma
constant (its setting) and again with the schedule.
"""
import sympy as sp

from ..declare import Claim, Method, chain, state
from ..symbols import alpha_a, beta_a, eta_a, g, m, t, theta0

z, x = state("z x")
y = sp.Function("y")
beta = sp.Symbol("beta")
c = sp.Function("c")
gamma = sp.Function("gamma")
gamma_c = sp.Symbol("gamma")  # the paper's constant learning rate
lr, warmup = sp.symbols("lr T_w", positive=True)

CLAIMS = (
    Claim("§4.1, text before Eq. (2)", m(t + 1), (x(t) - z(t + 1)) / gamma(t),
          printed=r"m_{t+1} = \frac{x_t - z_{t+1}}{\gamma}"),
    Claim("Eq. (2)", m(t), (x(t) - z(t + 1)) / gamma(t), printed=r"m_t = \frac{x_t - z_{t+1}}{\gamma}"),
) + chain(
    ["Eq. (3)", "Eq. (4)", "Eq. (5)"],
    [
        (x(t) - z(t + 1)) / gamma(t),
        (x(t) + gamma(t) * g(t) - z(t)) / gamma(t),
        ((1 - c(t)) * (x(t - 1) - z(t)) + gamma(t) * g(t)) / gamma(t),
        (1 - c(t)) * m(t - 1) + g(t),
    ],
) + (
    Claim("§4.1, after Eq. (5)", beta_a(t), 1 - c(t), printed=r"\beta_{a,t} = 1 - c_t"),
    Claim("Eq. (6)", y(t + 1), (1 - beta) * z(t + 1) + beta * x(t + 1)),
) + chain(
    ["Eq. (7)", "Eq. (8)", "Eq. (9)"],
    [
        (1 - beta) * z(t + 1) + beta * x(t + 1),
        (1 - beta) * (z(t) - gamma(t) * g(t)) + beta * ((1 - c(t + 1)) * x(t) + c(t + 1) * z(t + 1)),
        (1 - beta) * z(t) + beta * x(t) - (1 - beta) * gamma(t) * g(t) + beta * c(t + 1) * (z(t + 1) - x(t)),
        y(t) - gamma(t) * (beta * c(t + 1) * m(t) + (1 - beta) * g(t)),
    ],
) + (
    Claim("§4.1, after Eq. (9)", eta_a(t), gamma(t) * beta * c(t + 1), printed=r"\eta_{a,t} = \gamma\beta c_{t+1}"),
    Claim("§4.1, after Eq. (9)", alpha_a(t), gamma(t) * (1 - beta), printed=r"\alpha_{a,t} = \gamma(1-\beta)"),
    Claim("§4.1, x_t derivation, line 2", x(t + 1),
          (1 - c(t + 1)) * x(t) + c(2) * (y(t + 1) - beta * x(t + 1)) / (1 - beta),
          printed=r"x_{t+1} = (1 - c_{t+1})x_t + c_2\left(\frac{y_{t+1} - \beta x_{t+1}}{1 - \beta}\right)"),
    Claim("§4.1, x_t derivation, line 3", x(t + 1) * (1 - beta + c(t + 1) * beta),
          (1 - c(t + 1)) * (1 - beta) * x(t) + c(t + 1) * y(t + 1)),
    Claim("§4.1, x_t derivation, line 4", x(t + 1),
          ((1 - c(t + 1)) * (1 - beta) * x(t) + c(t + 1) * y(t + 1)) / ((1 - c(t + 1)) * (1 - beta) + c(t + 1))),
    Claim("§4.1.1 (beta = 0: SGD with weight averaging)", eta_a(t), 0, assume={beta: 0},
          note="no momentum term in the update"),
    Claim("§4.1.2 (beta = 1: momentum SGD, beta_a = 1 - 1/t)", alpha_a(t), 0, assume={beta: 1, c: 1 / t}),
    Claim("§4.1.2 (beta = 1: momentum SGD, beta_a = 1 - 1/t)", beta_a(t), 1 - 1 / t, assume={beta: 1, c: 1 / t}),
    Claim("§4.1.3 (ratio of gradient to momentum weight)", alpha_a(t) / eta_a(t), (1 - beta) / (beta * c(t + 1)),
          printed=r"(1-\beta)/(\beta c_{t+1})"),
    Claim("§4.1.3 (that ratio is fixed at about 0.11 for beta = 0.9)", alpha_a(t) / eta_a(t), sp.Rational(1, 9),
          assume={beta: sp.Rational(9, 10), c: 1 / t}, printed=r"\frac{1-\beta}{\beta c_{t+1}} \approx 0.11",
          note="0.11 read as (1 - beta)/beta = 1/9; c_t = 1/t"),
)

METHOD = Method(
    key="schedule-free",
    name="Schedule-Free SGD",
    reference="Defazio, Yang, Mehta, Mishchenko, Khaled, Cutkosky (2024), The Road Less Scheduled",
    section="§4.1",
    summary="accelerated SGD on y, followed by weight averaging (x)",
    state=(z, x),
    define={y: (1 - beta) * z(t) + beta * x(t)},
    updates=(
        sp.Eq(z(t + 1), z(t) - gamma(t) * g(t)),
        sp.Eq(x(t + 1), (1 - c(t + 1)) * x(t) + c(t + 1) * z(t + 1)),
    ),
    query=y,
    evaluate=x,
    init={z(1): theta0, x(1): theta0},
    t0=1,
    constants=(beta,),
    schedules=(c, gamma),
    defaults={beta: sp.Rational(9, 10), c: 1 / t, gamma: lr * sp.Min(1, t / warmup), lr: sp.Rational(1, 10), warmup: 20},
    domain={beta: sp.Interval(0, 1), lr: sp.Interval.Lopen(0, sp.oo), warmup: sp.Interval(1, sp.oo)},
    paper_setting={gamma: gamma_c},
    paper_setting_text="constant learning rate gamma",
    claims=CLAIMS,
)
