"""Schedule-Free SGD (Defazio et al., 2024), as written in §4.1 of the paper.

    y_t     = (1 - beta) z_t + beta x_t            (gradient taken here)
    z_{t+1} = z_t - gamma_t g(y_t)
    x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}  (evaluated here)

Generalised from the paper's constant gamma to a learning-rate schedule
gamma_t, with a time-varying c_t; the paper's claims are checked with gamma
constant (its setting) and again with the schedule.
"""
import sympy as sp

from ..claim_kinds import ForAll, N_, Sum, T_, asymptotic, average_weight, limit, s_
from ..declare import Claim, Method, chain, state
from ..symbols import alpha_a, beta_a, eta_a, g, gamma_avg, m, t, theta0, w

z, x = state("z x")
y = sp.Function("y")
beta = sp.Symbol("beta")
c = sp.Function("c")
gamma = sp.Function("gamma")
gamma_c = sp.Symbol("gamma")  # the paper's constant learning rate
lr, warmup = sp.symbols("lr T_w", positive=True)
c_c, r = sp.Symbol("c"), sp.Symbol("r", positive=True)  # a constant c_t; §5.1's momentum scale r
TAIL = {beta: sp.Rational(9, 10), c: 1 / t}  # §4.1.3: the default beta = 0.9 with c_t = 1/t

CLAIMS = (
    Claim("§4.1, text before Eq. (2)", m(t + 1), (x(t) - z(t + 1)) / gamma(t),
          printed=r"m_{t+1} = \frac{x_t - z_{t+1}}{\gamma}", origin="prose"),
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
    Claim("§4.1, after Eq. (5)", beta_a(t), 1 - c(t), printed=r"\beta_{a,t} = 1 - c_t", origin="prose"),
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
    Claim("§4.1, after Eq. (9)", eta_a(t), gamma(t) * beta * c(t + 1), printed=r"\eta_{a,t} = \gamma\beta c_{t+1}",
          origin="prose"),
    Claim("§4.1, after Eq. (9)", alpha_a(t), gamma(t) * (1 - beta), printed=r"\alpha_{a,t} = \gamma(1-\beta)",
          origin="prose"),
    Claim("§4.1, after Eq. (9) (where w_t = y_t)", w(t), y(t), printed=r"w_t = y_t", origin="prose"),
    Claim("§4.1, x_t derivation, line 2", x(t + 1),
          (1 - c(t + 1)) * x(t) + c(2) * (y(t + 1) - beta * x(t + 1)) / (1 - beta),
          printed=r"x_{t+1} = (1 - c_{t+1})x_t + c_2\left(\frac{y_{t+1} - \beta x_{t+1}}{1 - \beta}\right)"),
    Claim("§4.1, x_t derivation, line 3", x(t + 1) * (1 - beta + c(t + 1) * beta),
          (1 - c(t + 1)) * (1 - beta) * x(t) + c(t + 1) * y(t + 1)),
    Claim("§4.1, x_t derivation, line 4", x(t + 1),
          ((1 - c(t + 1)) * (1 - beta) * x(t) + c(t + 1) * y(t + 1)) / ((1 - c(t + 1)) * (1 - beta) + c(t + 1))),
    # -- prose after the x_t derivation -------------------------------------------------------------
    Sum("§4.1, after the x_t derivation (x_t is a weighted average of y_t: its weights sum to 1)",
        sp.Sum(average_weight(gamma_avg), (s_, 1, T_)), 1, assume=TAIL, origin="prose",
        note="weights of y_1..y_T in x_T, with the derived averaging weight; beta = 0.9, c_t = 1/t"),
    ForAll("§4.1, after the x_t derivation (each step is a convex combination: 0 <= weight of y_t <= 1)",
           sp.And(gamma_avg(t) >= 0, gamma_avg(t) <= 1), sp.true, assume=TAIL, origin="prose"),
    Claim("§4.1, after the x_t derivation (an exponential average when c_t is a constant)",
          gamma_avg(t + 1), gamma_avg(t), assume={c: c_c}, origin="prose",
          note="a constant weight of the newest iterate makes the weights geometric"),
    Claim("§4.1.1 (beta = 0: SGD with weight averaging)", eta_a(t), 0, assume={beta: 0},
          note="no momentum term in the update", origin="prose"),
    Claim("§4.1.1 (since c_t = 1/t, weight averaging from the beginning: a uniform average)", gamma_avg(t), 1 / t,
          assume={beta: 0, c: 1 / t}, origin="prose"),
    Claim("§4.1.2 (beta = 1: momentum SGD, beta_a = 1 - 1/t)", alpha_a(t), 0, assume={beta: 1, c: 1 / t},
          origin="prose"),
    Claim("§4.1.2 (beta = 1: momentum SGD, beta_a = 1 - 1/t)", beta_a(t), 1 - 1 / t, assume={beta: 1, c: 1 / t},
          origin="prose"),
    Claim("§4.1.2 (beta = 1: standard momentum SGD, evaluated at its iterate: no averaging)", gamma_avg(t), 1,
          assume={beta: 1, c: 1 / t}, origin="prose"),
    asymptotic("§4.1.2 (beta_a scaling as 1 - 1/t)", 1 - beta_a(t), 1 / t, assume={beta: 1, c: 1 / t},
               origin="prose"),
    Claim("§4.1.3 (as c_t scales as 1/t, momentum grows as 1 - 1/t)", beta_a(t), 1 - 1 / t, assume=TAIL,
          origin="prose"),
    Claim("§4.1.3 (ratio of gradient to momentum weight)", alpha_a(t) / eta_a(t), (1 - beta) / (beta * c(t + 1)),
          printed=r"(1-\beta)/(\beta c_{t+1})", origin="prose"),
    Claim("§4.1.3 (that ratio is fixed at about 0.11 for beta = 0.9)", alpha_a(t) / eta_a(t), sp.Rational(1, 9),
          assume=TAIL, printed=r"\frac{1-\beta}{\beta c_{t+1}} \approx 0.11",
          note="0.11 read as (1 - beta)/beta = 1/9; c_t = 1/t", origin="prose"),
    asymptotic("§4.1.3 (averaging over the most recent 10%: the newest weight ~ 1/(delta t), delta = 0.1, as in §3.2)",
               gamma_avg(t), 1 / (sp.Rational(1, 10) * t), assume=TAIL, origin="prose",
               note="the tail-averaging weight of §3.2 and Alg. 3 with delta = 10%"),
    limit("§4.1.3 (averaging over the most recent 10%: the weights' mass lies in the last 10% of the iterates)",
          sp.Sum(average_weight(gamma_avg).subs(T_, 10 * N_), (s_, 9 * N_ + 1, 10 * N_)), 1, var=N_,
          assume=TAIL, origin="prose",
          note="the mass of y_(0.9T+1)..y_T in x_T as T = 10N grows; 'approximately' is read as: all of it"),
    Claim("§5.1 (momentum scaling as 1 - r/t with c_t = r/t)", beta_a(t), 1 - r / t, assume={c: r / t},
          origin="prose"),
    limit("§5.1 (a higher r reduces the effective weight averaging window: delta = (1 - beta)/r)",
          1 / (t * gamma_avg(t)), (1 - beta) / r, assume={c: r / t}, origin="prose",
          note="window read as delta in the newest weight ~ 1/(delta t) of §3.2"),
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

ORDER = 1  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": (1 - c(t)) * gamma(t - 1) / gamma(t), "eta_a": beta * c(t + 1) * gamma(t), "alpha_a": (1 - beta) * gamma(t)}
