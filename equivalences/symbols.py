"""The shared symbols of every declaration and proof.

Indexing convention (used everywhere in this package):

* ``t`` is the step counter, an integer.  A method's state ``s(t)`` is its
  state *before* step ``t``; step ``t`` queries the stochastic gradient
  ``g(t)`` at the query point ``q(t)`` and produces ``s(t + 1)``.
* Hyperparameter sequences are functions of the step, e.g. ``c(t + 1)`` is
  the averaging constant that step ``t`` uses in Schedule-Free SGD.
* The accelerated form, Eq. (1) of the paper, in the same indexing::

      u(t)     = Pre_t(g(t))                       (identity unless declared)
      m(t)     = beta_a(t) m(t - 1) + u(t)
      w(t + 1) = w(t) - K(t) Post_t(eta_a(t) m(t) + alpha_a(t) u(t))

  ``w(t)`` is the accelerated iterate, ``m(t)`` its momentum; ``K(t)`` is the
  scalar a method puts in front of its ``Post`` transform, linear or not (Lion's
  learning rate in front of ``sign``, MARS's in front of Adam's preconditioner),
  and is 1 when the step has no transform.  Claims name it ``K_a(t)``.
"""
from __future__ import annotations

import sympy as sp

t = sp.Symbol("t", integer=True)
"""The step counter."""

theta0 = sp.Symbol("theta_0")
"""The starting point every method's standard initialisation is written in."""

g = sp.Function("g")
"""The stochastic gradient at the method's query point: ``g(t) = grad f(q(t)) + noise``."""

u = sp.Function("u")
"""The pre-transformed gradient ``u(t) = Pre_t(g(t))`` of methods that precondition before momentum."""

m = sp.Function("m_a")
"""The momentum of the accelerated form (Eq. (1)); named ``m_a`` so that it never clashes with a method's own ``m``."""

w = sp.Function("w_a")
"""The iterate of the accelerated form (Eq. (1)), named ``w_a``."""

beta_a = sp.Function("beta_a")
eta_a = sp.Function("eta_a")
alpha_a = sp.Function("alpha_a")
gamma_avg = sp.Function("gamma_avg")
"""Weight of the newest iterate in a weight average: e(t) = (1 - gamma_avg(t)) e(t-1) + gamma_avg(t) w(t)."""

K_a = sp.Function("K_a")
"""The scalar in front of the transformed direction: w(t + 1) = w(t) - K_a(t) Post_t(...), bound to the derived K."""

MAP_FUNCTIONS = (beta_a, eta_a, alpha_a, gamma_avg, K_a)
