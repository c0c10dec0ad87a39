"""The transform kinds, one object each: what a declaration's ``Transform(name, kind, params)`` may name.

Each kind says what it is (in words, and as a structure mismatch names it), whether it is linear in its
argument (a diagonal preconditioner is; sign is not: proofs treat it as an opaque map, and a scaling of the
gradients does not pass through it), and the parameters a declaration must give it.  Code asks the kind, never
compares its name with a literal; the numeric side (:data:`numeric.transforms.KINDS`) holds one concrete
implementation per kind.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TransformKind:
    name: str
    description: str
    words: str
    """How a structure mismatch names it (``diagonal (Adam) preconditioner``)."""
    linear: bool
    """Linear in its argument (a diagonal preconditioner); sign is not."""
    params: tuple = ()
    """The parameters a declaration must give (``params={'beta2': ..., 'eps': ...}``)."""
    discontinuous: bool = False
    """Its value jumps where a coordinate of its argument is 0 (sign): in floating point, an argument that is 0
    up to rounding has no determined value there, and two correct forms may take it apart by a whole step."""


SIGN = TransformKind("sign", "the sign of each coordinate (not linear: proofs treat it as an opaque map)",
                     "sign", linear=False, discontinuous=True)
ADAM = TransformKind("adam", "a diagonal preconditioner 1/(sqrt(v_t) + eps) built from the gradients "
                     "(linear in its argument)", "diagonal (Adam) preconditioner", linear=True,
                     params=("beta2", "eps"))

KINDS = {k.name: k for k in (SIGN, ADAM)}
"""name -> :class:`TransformKind`: every kind a declaration may name."""


def words(kind: str) -> str:
    """The kind as a sentence names it (an unknown name as ``NAME transform``)."""
    return KINDS[kind].words if kind in KINDS else f"{kind} transform"
