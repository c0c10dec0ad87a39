"""Eq. (1) of the paper, the accelerated-SGD form, as a :class:`~.form.Form`::

    m_a(t)     = beta_a(t) m_a(t - 1) + u(t)
    w_a(t + 1) = w_a(t) - K(t) Post_t(eta_a(t) m_a(t) + alpha_a(t) u(t))

(``K`` and ``Post`` are the transform a method puts after the form, 1 and the identity when it has none.)  A map
onto it binds ``w_a`` to the method's query point and ``m_a`` to an expression in the method's state at ``t``
and ``u(t)``, and starts ``m_a`` from ``m_a(t0 - 1)``.
"""
from __future__ import annotations

import sympy as sp

from ..symbols import K_a, alpha_a, beta_a, eta_a, gamma_avg, m, t, u, w
from .form import Coefficient, Form, Variable

FORM = Form(
    key="eq1",
    title="Eq. (1)",
    coefficients=(
        Coefficient(beta_a, ("β", "a"), (r"\beta", "a")),
        Coefficient(eta_a, ("η", "a"), (r"\eta", "a")),
        Coefficient(alpha_a, ("α", "a"), (r"\alpha", "a")),
    ),
    iterate=Variable(w, ("w", "a"), ("w", "a")),
    buffers=(Variable(m, ("m", "a"), ("m", "a")),),
    updates=(
        sp.Eq(m(t), beta_a(t) * m(t - 1) + u(t)),
        sp.Eq(w(t + 1), w(t) - (eta_a(t) * m(t) + alpha_a(t) * u(t))),
    ),
    recursion_names=("momentum recursion",),
    start_names=("initial state",),
    summary="m_t = beta_a,t m_(t-1) + u_t, w_(t+1) = w_t - eta_a,t m_t - alpha_a,t u_t",
    change_of_variables="w_a(t) = q(t), the query point; m_a(t) = Delta_t . S_t / eta_a(t) + u(t), linear in "
                        "the method's state S_t at t and u(t); m_a(t0 - 1) = m_init",
    extra=(Variable(K_a, ("K", ""), ("K", "")), Variable(gamma_avg, ("γ", "avg"), (r"\bar\gamma", ""))),
)
