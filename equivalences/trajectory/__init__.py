"""The trajectory route: verdicts about what a method *does*, not how it is written.

The state-space route (:mod:`equivalences.derive`) asks the identities of Eq. (1) to hold on *every*
state.  A method written with redundant state (Schedule-Free with the parameter ``y`` kept as a third
buffer, heavy ball unrolled by one step) only visits a subspace of its states, and is refused there.
This package decides on the states the method can actually reach from its start.

**Invariants.**  The step map is linear, ``S_(t+1) = M_t S_t + b_t u_t``, and the start
``S_t0 = s_0`` is linear in the start symbols (``theta_0``, ...).  The reachable states span
``R = span{s_0, b_t, M_t s_0, M_t b_s, ...}``, computed as the closure of the start and input
directions under ``M_t`` (every vector split into constant vectors, one per monomial of the free
atoms: schedule values, start symbols, ``t``).  Every constant ``c`` with ``c . R = 0`` is a linear
invariant: ``c . S_t = 0`` on every trajectory.  Each invariant is solved for one variable, which
becomes a definition; the *reduced* declaration is the same method on fewer state variables.  The
invariants are then proved (``c . S_t0 = 0`` at the start, and ``c . F_t(S) = 0`` modulo all of them:
induction on reachable states), and the map is derived and proved on the reduced declaration.

**Witnesses.**  When no map is found, the method is unrolled from its start at concrete steps with
indexed gradient symbols ``u(t0), u(t0 + 1), ...``.  Write the step as ``q_(t+1) - q_t = -K_t
Post_t(D_t)`` (``D_t = q_t - q_(t+1)`` for a linear method).  Under Eq. (1) with any coefficients,
``D_t = eta_t m_t + alpha_t u_t`` and ``m_t = beta_t m_(t-1) + u_t``, so the part ``P_t`` of
``D_t`` older than ``u_t`` is ``c_t m_(t-1)`` (``c_t = eta_t beta_t``) and ``m_(t-1)`` holds
``u_(t-1)`` with coefficient 1.  Hence, for ``t >= t0 + 1``:

(a) if ``P_t`` has no ``u_(t-1)`` term, it has no older term either;
(b) for ``t >= t0 + 2``, if ``P_(t-1)`` has a ``u_(t-2)`` term (coefficient ``p = c_(t-1)``, so
    ``eta_(t-1) != 0`` and ``beta_(t-1) != 0``), the part of ``P_t`` older than ``u_(t-1)`` equals
    ``lambda P_(t-1)`` with ``lambda = P_t[u_(t-2)] / p``;
(c) in the same case, ``P_t[u_(t-2)] = c_t beta_(t-1)``: it vanishes exactly when ``P_t[u_(t-1)] = c_t``
    does.

A term that breaks (a), (b) or (c) is a *witness*: a step, a gradient (or start) term and its exact
coefficient, which no choice of ``beta_a, eta_a, alpha_a`` and start can produce.  Gradients are
free, so a coefficient that is a non-zero rational function is non-zero on a trajectory; the witness
also names exact hyperparameter values at which it is non-zero.

Nothing numeric is imported here (symbolic core).
"""

from __future__ import annotations

from .reachable import (Echelon, Invariant, invariant_identities, invariants, linear_part, linear_step,
                        reduced_method, split)
from .witness import ONE, Witness, _Field, _with_example, example_values, find_witness, recurrence_identities, unroll
from .specialise import specialised, specialised_schedule
from .verdict import Condition, Verdict, condition, decide, trajectory_route
from .degenerate import (classify_degenerate, constant_kind, degenerate_json, isolated_undefined,
                         isolated_witness)
