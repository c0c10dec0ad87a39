"""What an inverse answers: the TO method's hyperparameters, the conditions under which they hold
(:class:`Condition`), and the numeric-mode :class:`SequenceMatch`."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .forms import nice


RANK = {"always": 0, "conditional": 1, "never": 2}


@dataclass(frozen=True)
class Condition:
    """A requirement on the target's settings: ``identity`` (``expr = 0`` for t >= start), ``constant``
    (``expr`` the same at every t >= start) or ``domain`` (``expr`` in ``domain``)."""

    kind: str
    expr: sp.Expr
    start: int | None = None
    domain: sp.Set | None = None
    coefficient: str = ""
    name: str = ""
    """The TO hyperparameter the condition is about (a constant that must not change, a value in a domain)."""

    @property
    def text(self) -> str:
        e = show(self.expr)
        if self.kind == "identity":
            num, den = sp.fraction(sp.together(self.expr))
            lhs, rhs = _sides(sp.expand(num))
            return f"{lhs} = {rhs}" + (f" for t >= {self.start}" if self.start is not None else "")
        if self.kind == "recurrence":
            num = sp.numer(sp.together(self.expr))
            lhs, rhs = _sides(sp.expand(num))
            return (f"{lhs} = {rhs}" + (f" for t >= {self.start}" if self.start is not None else "")
                    + f" has a solution ({self.coefficient})")
        named = f"{self.name} = {e}" if self.name else e
        if self.kind == "constant":
            return f"{named} is the same for every t >= {self.start}"
        return f"{named} {set_text(self.domain)}"


def show(e) -> str:
    """``sstr``, except that ``k + r`` with a number ``k`` is written ``k - (-r)`` / ``k + r`` (``1 - x``)."""
    e = sp.sympify(e)
    if isinstance(e, sp.Add) and len(e.args) == 2:
        ks = [a for a in e.args if a.is_number]
        rest = [a for a in e.args if not a.is_number]
        if len(ks) == 1 and len(rest) == 1:
            k, r = ks[0], rest[0]
            return f"{sp.sstr(k)} - {sp.sstr(-r)}" if r.could_extract_minus_sign() else f"{sp.sstr(k)} + {sp.sstr(r)}"
    return sp.sstr(e)


def set_text(dom: sp.Set) -> str:
    """``in [0, 1)``, ``> 0``, ``in {0, 1}``: a domain as a reader writes it."""
    if isinstance(dom, sp.Interval):
        a, b = dom.start, dom.end
        if b is sp.oo and a is -sp.oo:
            return "is real"
        if b is sp.oo:
            return f"{'>' if dom.left_open else '>='} {sp.sstr(a)}"
        if a is -sp.oo:
            return f"{'<' if dom.right_open else '<='} {sp.sstr(b)}"
        return f"in {'(' if dom.left_open else '['}{sp.sstr(a)}, {sp.sstr(b)}{')' if dom.right_open else ']'}"
    if isinstance(dom, sp.FiniteSet):
        return "in {" + ", ".join(sp.sstr(x) for x in dom) + "}"
    return f"in {sp.sstr(dom)}"


def _sides(expr):
    """``a - b`` as ``a = b`` (positive terms left, negative right)."""
    terms = sp.Add.make_args(expr)
    pos = [x for x in terms if not x.could_extract_minus_sign()]
    neg = [-x for x in terms if x.could_extract_minus_sign()]
    if not pos:
        pos, neg = neg, pos
    return sp.sstr(nice(sp.Add(*pos))), sp.sstr(nice(sp.Add(*neg)))


@dataclass
class Inverse:
    method: str
    exists: str
    constants: dict = field(default_factory=dict)
    schedules: dict = field(default_factory=dict)
    conditions: list = field(default_factory=list)
    reason: str | None = None
    chosen: dict = field(default_factory=dict)
    alternatives: list = field(default_factory=list)
    offset: int = 0
    branch: dict = field(default_factory=dict)
    """Values fixed up front on this branch (a constant with a finite domain, e.g. ``nesterov = 1``)."""
    recurrence: bool = False
    """True when schedules stay tied across steps: the formulas use them and a condition asks for a solution."""
    notes_other: list = field(default_factory=list)
    """With a target constant of finite domain: the answer at its other values (text)."""
    free: dict = field(default_factory=dict)
    """TO's hyperparameters no equation constrains: any value works (the formulas may use them); the value is
    the method's declared default (None when it has none)."""

    @property
    def condition_text(self) -> str | None:
        return " and ".join(c.text for c in self.conditions) or None


@dataclass
class SequenceMatch:
    method: str
    matched: bool
    misfit: float
    constants: dict = field(default_factory=dict)
    schedules: dict = field(default_factory=dict)
    reason: str | None = None
    exists: str = "never"
    conditions: list = field(default_factory=list)
    chosen: dict = field(default_factory=dict)
