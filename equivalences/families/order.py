"""The order of a method: the semiseparable rank of its gradient response, with an exact minor as witness.

:func:`equivalences.response.run` runs the declaration at exact rational values; its moves give the response
``H[k, s]`` (the coefficient of ``g(s)`` in the move of step ``k``) and the start columns.  Any method that
carries ``r`` numbers between steps -- ``r`` momentum buffers, or any linear state of dimension ``r`` -- passes
everything older than step ``j`` to the steps ``k >= j`` through those ``r`` numbers, so every block

    H[rows k >= j, columns s < j (and the start)]

has rank ``<= r``, at every value of the coefficients, time-varying or not.  A non-zero ``(r+1) x (r+1)`` minor
of one block, at exact values, is therefore a witness against every family of order ``<= r`` (Eq. (1)'s 2 x 2
minor is the case ``r = 1``).  Plain linear algebra over QQ (``Fraction``)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..response import Run, term_name


@dataclass
class Minor:
    """A non-zero minor: the rows (steps), the columns (gradient or start terms), its determinant, where."""

    rows: list
    columns: list
    determinant: Fraction
    values: str
    block: int
    """The block's split: rows k >= block, columns older than g(block)."""

    @property
    def size(self) -> int:
        return len(self.rows)

    def sentence(self) -> str:
        cols = ", ".join(term_name(c) for c in self.columns)
        n = self.size
        steps = f"step{'s' * (n > 1)} {', '.join(map(str, self.rows))}"
        return (f"the move{'s' * (n > 1)} of {steps} depend{'s' * (n == 1)} on {cols} through a {n} x {n} matrix "
                f"of determinant {self.determinant} (at {self.values}): the past before step {self.block} reaches "
                f"the later steps through at least {n} number{'s' * (n > 1)}")

    def to_json(self) -> dict:
        return {"rows": self.rows, "columns": [term_name(c) for c in self.columns], "size": self.size,
                "determinant": str(self.determinant), "values": self.values, "block": self.block}


def _rows(r: Run) -> dict:
    t0 = r.method.t0
    return {t0 + i: ({a: -v for a, v in d.items()} if name is None else d) for i, (_, d, name) in enumerate(r.moves)}


def _pivots(M: list) -> tuple[list, list]:
    """Gaussian elimination over QQ: the pivot rows and columns (their submatrix is non-singular)."""
    A = [list(row) for row in M]
    rows, cols, used = [], [], set()
    for c in range(len(A[0]) if A else 0):
        p = next((i for i in range(len(A)) if i not in used and A[i][c] != 0), None)
        if p is None:
            continue
        used.add(p)
        rows.append(p)
        cols.append(c)
        for i in range(len(A)):
            if i != p and A[i][c] != 0:
                f = A[i][c] / A[p][c]
                A[i] = [x - f * y for x, y in zip(A[i], A[p])]
    return rows, cols


def determinant(M: list) -> Fraction:
    A = [list(row) for row in M]
    n, det = len(A), Fraction(1)
    for c in range(n):
        p = next((i for i in range(c, n) if A[i][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            A[c], A[p], det = A[p], A[c], -det
        det *= A[c][c]
        for i in range(c + 1, n):
            f = A[i][c] / A[c][c]
            A[i] = [x - f * y for x, y in zip(A[i], A[c])]
    return det


def order(r: Run) -> tuple[int, Minor | None]:
    """The largest rank of a block ``H[k >= j, s < j]`` over this run, and a non-zero minor of that size."""
    rows = _rows(r)
    ks = sorted(rows)
    starts = sorted({a for d in rows.values() for a in d if a[0] == "start"})
    best, minor = 0, None
    for j in ks[1:]:
        below = [k for k in ks if k >= j]
        cols = starts + [("u", s) for s in ks if s < j]
        M = [[rows[k].get(c, Fraction(0)) for c in cols] for k in below]
        pr, pc = _pivots(M)
        if len(pr) > best:
            R, C = [below[i] for i in pr], [cols[c] for c in pc]
            sub = [[rows[k].get(c, Fraction(0)) for c in C] for k in R]
            order_r = sorted(range(len(R)), key=lambda i: R[i])
            R = [R[i] for i in order_r]
            sub = [sub[i] for i in order_r]
            best, minor = len(pr), Minor(R, C, determinant(sub), r.point.describe() or "these values", j)
    return best, minor
