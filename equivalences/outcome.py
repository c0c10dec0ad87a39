"""What the engine concludes about a declaration, as a value the code tests (the sentences only say it).

A derivation ends in one of three outcomes: a map into the family was derived (the proof then says whether it
holds), a witness shows that no map exists, or neither was found.  Code decides on these values, never on the
wording of the sentence that explains them.
"""
from __future__ import annotations

from enum import Enum


class Outcome(Enum):
    IN_FAMILY = "in-family"
    """A map was derived (on every state or on the reachable ones); its proof says whether it holds."""
    NOT_IN_FAMILY = "not-in-family"
    """No map: a witness term no choice of the family's coefficients produces."""
    UNDECIDED = "undecided"
    """Neither a map nor a witness: the engine does not claim the method is outside the family."""
