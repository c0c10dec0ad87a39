"""Are two methods the same algorithm?  ``equivalent(A, B)``: the same query points for every gradient sequence.

Two methods A and B *are equivalent* when, started at the same point ``theta_0``, they query the gradient at
the same points at every step, whatever the gradients are (step ``k`` of each counted from its own first
step).  Hyperparameters with the same name are the same value; different names are independent unless a
relation ties them (given, or found by the conversion machinery when both are instances of Eq. (1)).

**The joint system.**  Each linear method is a step ``S(t + 1) = M_t S(t) + b_t u(t)`` with query point
``q(t) = c_t . S(t)`` (:func:`equivalences.trajectory.linear_step`).  Put A's and B's states side by side and
feed both the *same* free gradient symbols ``u(t)``: on an equivalent pair this is exact, because the
gradients are taken at equal points (by induction on the step), and on a pair that differs the first
difference comes after steps whose query points -- hence gradients -- coincide, so any gradient sequence up
to it is realised by some objective for both.  The question becomes: is ``d(t) = q_A(t) - q_B(t)`` zero on
every trajectory of the joint system?

**Proof (time-varying coefficients allowed).**  Let ``lambda_0(t) = c_t`` (A's coefficients, minus B's) and
``lambda_(k+1)(t) = lambda_k(t + 1) M_t``: ``lambda_k(t) . S(t)`` is the part of ``d(t + k)`` that the state
at ``t`` carries, and ``lambda_k(t + 1) . b_t`` is the coefficient of ``u(t)`` in ``d(t + k + 1)``.  Stop at
the first ``K`` with ``lambda_K(t) = sum_i a_i(t) lambda_i(t)`` (rational functions ``a_i`` of ``t``, the
schedule values and the constants; ``K <= n``).  Then

* ``I_k(t0) = lambda_k(t0) . S(t0) = 0`` for ``k < K``           (start),
* ``lambda_k(t + 1) . b_t = 0`` for ``k < K``                     (no gradient enters),
* ``lambda_K(t) - sum_i a_i(t) lambda_i(t) = 0``                  (closure),

each reduced to exactly 0, prove by induction that every ``I_k(t) = lambda_k(t) . S(t)`` vanishes on every
reachable joint state (``I_k(t + 1) = I_(k+1)(t)``, and ``I_K = sum a_i I_i``), in particular
``I_0 = d = 0``: A and B are equivalent wherever no denominator of an ``a_i`` vanishes.  Conversely, the
``lambda_k`` are exact coefficients (products, no division), so a start or input check that fails is a term
of ``d`` that is not identically 0: the methods differ.

**Witness.**  Then both are unrolled from their starts at concrete steps with indexed gradient symbols, in
exact arithmetic (rational functions of the constants and of the schedule values at those steps), and the
first step and term where ``q_A`` and ``q_B`` differ are reported with both coefficients and exact values
at which they differ.  Each factor of that difference in the constants only is set to 0 and the pair decided
again: "equivalent exactly when ...", proved both ways (each component proved; off them the witness
difference is non-zero).

Nothing numeric is imported here (symbolic core); the replay is in :mod:`equivalences.app.commands.equivalent`.
"""
from __future__ import annotations

from .closure import Closure, prove_joint
from .joint import Joint, Linear, NotLinear, joint, linear_form, related, renumbered, unify
from .search import Match, Search, search
from .values import b_values, concrete, differ_at_values, values_of
from .verdict import Condition, Equivalence, component_dynamics, constant_schedules, equivalent
from .witness import Difference, dynamics, first_difference, unroll

__all__ = ["Closure", "Condition", "Difference", "Equivalence", "Joint", "Linear", "Match", "NotLinear", "Search",
           "b_values", "component_dynamics", "concrete", "constant_schedules", "differ_at_values", "dynamics",
           "equivalent", "first_difference", "joint", "linear_form", "prove_joint", "related", "renumbered",
           "search", "unify", "unroll", "values_of"]
