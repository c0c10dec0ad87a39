"""A malformed equation text, and how to name a position in it."""
from __future__ import annotations




class EquationError(ValueError):
    """A malformed equation text; the message (one line) names the problem, where it is, and the fix.

    ``missing`` lists the constants and schedules left without a value (the caller may name its own way of
    giving them, e.g. ``--set``)."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()):
        super().__init__(message)
        self.missing = missing


class _Source:
    """The text and how to name a position in it (``column 12``, or ``line 3, column 5`` in a file)."""

    def __init__(self, text: str, label: str = ""):
        self.text, self.label = text, label

    def where(self, pos: int) -> str:
        line = self.text.count("\n", 0, pos) + 1
        col = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        prefix = f"{self.label}: " if self.label else ""
        return f"{prefix}line {line}, column {col}" if "\n" in self.text.strip("\n") else f"{prefix}column {col}"

    def fail(self, pos: int, problem: str, fix: str):
        raise EquationError(f"{self.where(pos)}: {problem}; {fix}")
