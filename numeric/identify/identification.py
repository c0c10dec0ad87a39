"""What ``verify identify`` concludes about one optimizer class: the verdict, its reason, the coefficients read
off the probes, the witness or the family found instead, and its JSON (docs/identify.md)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import fit as F
from . import response as R


@dataclass
class Identification:
    target: str
    settings: dict
    verdict: str  # in-family | preconditioned | sign | not-in-family | not-identified | not-probed
    reason: str
    eq: F.Eq1 | None = None
    residual: float | None = None
    tolerance: float | None = None
    control_rejected: bool | None = None
    matches: list = field(default_factory=list)
    probes: list = field(default_factory=list)  # what was tried: (name, figure)
    step_size: np.ndarray | None = None  # sign family: |q_(t+1) - q_t|
    seconds: float = 0.0
    rows: int = 1  # the probe parameter's rows (1: a vector)
    unmatched_note: str = ""  # methods matching did not reach (a census's time budget)
    map_sequences: dict = field(default_factory=dict)  # matched method -> its map's sequences (for --plot)
    regime: str = ""  # what u is for the coefficients: "g", "g/|g| (|g| constant)", "g (|g| ~ 1e-30)"
    probe_scale: float = 1.0  # |g| of the probes the coefficients come from (MAGNITUDE, TINY, or the retreat's)
    limit: str = ""  # where the verdict stops holding: larger gradients couple the coordinates (a clip)
    witness: R.Witness | None = None  # not-in-family from the gradient response H: where its form is not Eq. (1)'s
    family: object = None  # not-in-family from H: the family found instead (family.FamilyFit: order, k-momentum fit)

    def coefficients(self) -> dict:
        def listed(a):
            return None if a is None else [None if not math.isfinite(float(x)) else float(x) for x in a]

        eq = self.eq
        return {"beta_a": listed(eq.beta) if eq else None, "eta_a": listed(eq.eta) if eq else None,
                "alpha_a": listed(eq.alpha) if eq else None,
                "gamma_avg": listed(eq.gamma) if eq is not None and eq.gamma is not None else None}

    def to_json(self) -> dict:
        reason = self.reason + (f"; {self.unmatched_note}" if self.unmatched_note else "")
        out = {"target": self.target, "settings": self.settings, "verdict": self.verdict, "reason": reason,
               "coefficients": self.coefficients(), "residual": _num(self.residual),
               "tolerance": _num(self.tolerance), "control_rejected": self.control_rejected,
               "matches": self.matches, "regime": self.regime or None, "limit": self.limit or None,
               "witness": self.witness.to_json() if self.witness is not None else None,
               "family": self.family.to_json() if self.family is not None else None}
        return out

    def __repr__(self) -> str:
        """``<Identification torch.optim.SGD: in-family, matches heavy-ball, sgd-nesterov>``."""
        matches = ", ".join(m["method"] for m in self.matches)
        return f"<Identification {self.target}: {self.verdict}" + (f", matches {matches}" if matches else "") + ">"


def _num(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def jsonable(value):
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    return str(value)
