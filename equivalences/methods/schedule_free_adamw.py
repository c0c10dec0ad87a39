"""Schedule-Free AdamW (Defazio et al., 2024): Schedule-Free SGD run on Adam-preconditioned gradients,
i.e. preconditioning *before* momentum (the paper's §4 and §5.1, "algorithmically similar to LAProp").

    u_t     = P_t(g_t)                                 (Adam's g / (sqrt(v_hat) + eps))
    y_t     = (1 - beta) z_t + beta x_t
    z_{t+1} = z_t - gamma_t u_t
    x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}

Declared as the Schedule-Free SGD declaration with ``g`` replaced by ``u``.
"""
from dataclasses import replace

import sympy as sp

from ..declare import Claim, Transform
from ..symbols import beta_a, g, t, u
from . import schedule_free as sf

beta2, eps = sp.symbols("beta2 epsilon")
P = Transform("P_sf", "adam", params={"beta2": beta2, "eps": eps}, latex="P")

METHOD = replace(
    sf.METHOD,
    key="schedule-free-adamw",
    name="Schedule-Free AdamW",
    section="§4, §5.1",
    summary="Schedule-Free on Adam-preconditioned gradients (preconditioning before momentum)",
    updates=tuple(sp.Eq(eq.lhs, eq.rhs.subs(g(t), u(t))) for eq in sf.METHOD.updates),
    input=u,
    pre=P,
    constants=sf.METHOD.constants + (beta2, eps),
    defaults={**sf.METHOD.defaults, beta2: sp.Rational(999, 1000), eps: sp.Rational(1, 10 ** 8),
              sf.lr: sp.Rational(1, 100)},
    domain={**sf.METHOD.domain, beta2: sp.Interval.open(0, 1), eps: sp.Interval.open(0, sp.oo)},
    claims=(Claim("§4.1 applied to preconditioned gradients (beta_a = 1 - c_t)", beta_a(t), 1 - sf.c(t), origin="prose"),),
)

ORDER = 15  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": (1 - sf.c(t)) * sf.gamma(t - 1) / sf.gamma(t), "eta_a": sf.beta * sf.c(t + 1) * sf.gamma(t), "alpha_a": (1 - sf.beta) * sf.gamma(t)}
