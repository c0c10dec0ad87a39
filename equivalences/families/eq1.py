"""Eq. (1), the accelerated-SGD form (:data:`equivalences.forms.EQ1`), as a family: the engine's own verdict (:func:`equivalences.derivation.derivation`), not derived again here; against it, the
engine's witness and the exact finding of :func:`equivalences.response.decide` on the run judged."""
from __future__ import annotations

from ..forms import EQ1
from .family import Family, Fit


def fit(s) -> Fit:
    from ..derivation import derivation
    from ..outcome import Outcome
    from ..system import DeclarationError

    try:
        d = derivation(s.method)
    except DeclarationError as err:
        return Fit(None, f"the engine refuses the declaration: {err}")
    if d.map is not None and d.proved:
        mp = d.map
        return Fit(True, "proved by the engine (verify NAME shows the proof)",
                   {c.json_key: e for c, e in mp.coefficients()})
    if d.map is not None or d.outcome is Outcome.UNDECIDED:
        return Fit(None, d.not_in_family or "the engine's proof of its map failed: not decided")
    reason = d.not_in_family
    finding = s.eq1_finding
    return Fit(False, reason + (f" (exactly, on the run: {finding.sentence()})" if finding is not None else ""))


FAMILY = Family(EQ1.key, EQ1.title, EQ1.order, EQ1.summary, fit)
