"""The conversion table: every ordered pair of methods, always / conditional / never (``verify convert
--table``), solved in worker processes where there are several cores, and its LaTeX for the appendix."""
from __future__ import annotations

from dataclasses import dataclass

from .convert import convert, derived, resolve
from .declare import Method


@dataclass
class TableRow:
    from_: str
    to: str
    exists: str
    condition: str | None
    reason: str | None

    def to_json(self) -> dict:
        return {"from": self.from_, "to": self.to, "exists": self.exists, "condition": self.condition,
                "reason": self.reason}


def _row(a: Method, b: Method) -> TableRow:
    c = convert(a, b)
    return TableRow(a.key, b.key, c.exists, c.condition, c.reason)


_TABLE_METHODS: list = []


def _rows_from(i: int) -> list[TableRow]:
    a = _TABLE_METHODS[i]
    return [_row(a, b) for b in _TABLE_METHODS]


def table(names=None, *, processes: int = 1) -> list[TableRow]:
    """Every ordered pair of the given (default: registered) methods: always / conditional / never.

    Each method is derived once; with ``processes > 1`` the rows are solved in forked worker processes,
    which inherit those derivations (pure sympy, deterministic: the result does not depend on it)."""
    return PendingTable(names, processes=processes).rows()


class PendingTable:
    """:func:`table`, started: with ``processes > 1`` the workers solve the rows while the caller does other work
    (the appendix writes its method sections meanwhile); :meth:`rows` waits for them (one process: solves them
    then).  :meth:`close` stops the workers of a table whose rows are no longer wanted."""

    def __init__(self, names=None, *, processes: int = 1):
        from .registry import names as registered

        self.methods = [resolve(n) for n in (names or registered())]
        for m in self.methods:
            derived(m)
        self.pool = self.pending = None
        if processes > 1 and len(self.methods) > 1:
            import multiprocessing

            try:
                ctx = multiprocessing.get_context("fork")
            except ValueError:  # no fork on this platform: one process
                ctx = None
            if ctx is not None:
                _TABLE_METHODS[:] = self.methods
                # largest rows first: the linear methods, whose pairs need solving (not a structure mismatch)
                self.order = sorted(range(len(self.methods)),
                                    key=lambda i: (self.methods[i].posts != () or self.methods[i].pre is not None))
                self.pool = ctx.Pool(processes)
                self.pending = self.pool.map_async(_rows_from, self.order, chunksize=1)

    def rows(self) -> list[TableRow]:
        n = len(self.methods)
        if self.pending is None:
            _TABLE_METHODS[:] = self.methods
            return [row for i in range(n) for row in _rows_from(i)]
        try:
            parts = dict(zip(self.order, self.pending.get()))
        finally:
            self.close()
        return [row for i in range(n) for row in parts[i]]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


_MARK = {"always": r"$\checkmark$", "conditional": r"$\circ$", "never": r"$\times$"}


def latex_table(rows: list[TableRow]) -> str:
    """The pair table as a LaTeX ``table`` (rows FROM, columns TO, numbered as in the terminal table): checkmark
    always, circle under a condition, cross never; for the appendix.  Needs only amsmath and amssymb."""
    keys = list(dict.fromkeys(r.from_ for r in rows))
    cell = {(r.from_, r.to): r.exists for r in rows}
    head = " & ".join(str(i) for i in range(1, len(keys) + 1))
    lines = [r"\begin{table}[ht]", r"\centering", r"\small", r"\setlength{\tabcolsep}{2.5pt}",
             r"\begin{tabular}{rl" + "c" * len(keys) + "}", r"\hline",
             r"& FROM $\backslash$ TO & " + head + r" \\", r"\hline"]
    for i, a in enumerate(keys, 1):
        lines.append(f"{i} & " + r"\texttt{%s} & " % a + " & ".join(_MARK[cell[(a, b)]] for b in keys) + r" \\")
    counts = {k: sum(1 for r in rows if r.exists == k) for k in _MARK}
    lines += [r"\hline", r"\end{tabular}",
              r"\caption{Hyperparameter conversion between the methods (\texttt{verify convert -{}-table}); "
              r"row FROM, column TO (numbered as the rows): "
              r"$\checkmark$ always, $\circ$ under a condition on FROM's settings, $\times$ never. "
              + f"{counts['always']} always, {counts['conditional']} conditional, {counts['never']} never." + "}",
              r"\label{tab:convert}", r"\end{table}"]
    return "\n".join(lines) + "\n"


__all__ = ["PendingTable", "TableRow", "latex_table", "table"]
