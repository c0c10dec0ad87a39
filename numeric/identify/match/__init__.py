"""Which registered methods produce the identified coefficients, at which settings, confirmed by a replay.

For every registered method whose transforms fit the verdict (none for *in-family*; its own diagonal
preconditioner for *preconditioned*, whose parameters the probe pins and therefore cannot identify), the shared
inverse of a map (:func:`equivalences.inverse.invert_sequences`, numeric-sequence mode) solves the method's
map = the identified sequences for its constants and schedule values. The identified values enter as exact
decimals: the shortest within 2e-14 of each value (the fit is good to a few 1e-15, so this changes nothing that
matters and keeps rounding noise such as ``tau = -4e-16`` out of the exact domain checks). Candidates
(:func:`_candidates`): the inverse's closed form, the same snapped to short decimals, then the schedules solved step
by step where the closed form leaves a recurrence or a restart's split (:func:`_stepwise`), inside the method's
range (:func:`schedule_range`). Below epsilon the method's preconditioner is left out and replayed as the identity.
A solution counts as a match only when the declared method, run in its own variables with those values, replays
the class on a held-out probe within the replay tolerance.
"""
from __future__ import annotations

from .candidates import MATCH_TOLERANCE
from .matching import match
from .ranges import _in_domain, schedule_range
from .run import describe_schedule, map_sequences, method_config, replay_method

__all__ = ["match", "schedule_range", "MATCH_TOLERANCE"]
