"""From text to a :class:`~equivalences.declare.Method`: the entry points of the notation."""
from __future__ import annotations

import re

import sympy as sp

from ..declare import Method
from ..symbols import t
from .builder import _Builder, _lagged, _lags
from .errors import EquationError, _Source
from .grammar import _read
from .query import _gradients, _query
from .start import _start
from .values import _checked, _values


# -- the method --------------------------------------------------------------------------------------------


def read_text(arg: str) -> str:
    """The equations of a command-line argument: the text itself, or ``@FILE``'s contents."""
    if arg.startswith("@"):
        path = arg[1:]
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read()
        except FileNotFoundError:
            raise EquationError(f"{arg}: no such file; check the path (or give the equations themselves)") from None
        except (OSError, UnicodeDecodeError) as err:
            raise EquationError(f"{arg}: cannot read it ({err}); give a UTF-8 text file") from None
    return arg


def parse_method(text: str, *, name: str | None = None, values: dict | None = None, label: str = "") -> Method:
    """The :class:`Method` that the equations ``text`` declare (see the module docstring for the notation).

    ``name``: the method's key (default ``"equations"``); ``values``: ``{"beta": "0.9", "eta": "1/t"}``, text
    values as ``--set`` gives them (over the text's own ``with`` clause); ``label`` prefixes positions in error
    messages.  Raises :class:`EquationError` (one line: the problem, where, the fix)."""
    if not isinstance(text, str):
        raise EquationError(f"the equations are a {type(text).__name__}; give them as text")
    src = _Source(text, label)
    b = _Builder(src, _read(src), name, values)
    return _build(b, text)


def _build(b: _Builder, text: str) -> Method:
    src, s = b.src, b.step
    # every right side, in the authors' order (definitions first: an update may read them)
    bodies = {n: b.sym(eq.rhs, None) for n, eq in b.defs.items()}
    rhs = {n: b.sym(b.updates[n].rhs, n) for n in b.order}
    if not b.reads_gradient:
        raise EquationError(f"{src.where(b.updates[b.order[0]].pos)}: the equations never read a gradient; write "
                            f"g[{s}] (the gradient at the query point) or grad(w[{s}]) in an update")
    lags = _lags(b)
    query = _query(b, bodies, rhs, lags)
    updates = []
    for n in b.order:
        updates.append(sp.Eq(sp.Function(n)(t + 1), _lagged(_gradients(rhs[n], query, b, bodies), lags)))
    for n, lag in lags.items():
        updates.append(sp.Eq(lag(t + 1), sp.Function(n)(t)))
    define = {sp.Function(n): _lagged(_gradients(v, query, b, bodies), lags) for n, v in bodies.items()}
    if b.calls:  # several gradient calls: each point that is an expression becomes a definition
        for f, _, body in b.calls:
            if body is not None:
                define[f] = _lagged(_gradients(body, query, b, bodies), lags)
    elif query.__name__ not in b.defs and query.__name__ not in b.updates:  # grad(w + mu v): a new definition
        define[query] = _lagged(b._query_body, lags)
    state = tuple(sp.Function(n) for n in b.order) + tuple(lags.values())
    evaluate = None
    if b.text.evaluate is not None:
        nm, pos = b.text.evaluate
        if nm not in b.updates and nm not in b.defs:
            src.fail(pos, f"evaluate {nm} is not a state or a definition",
                     f"use one of {', '.join(list(b.order) + list(b.defs))}")
        evaluate = sp.Function(nm)
    t0, init = _start(b, state, updates, define, query, lags)
    constants, schedules, defaults = _values(b)
    method = Method(key=b.key, name=b.key, reference="declared in one line", section="--",
                    summary="; ".join(" ".join(line.split()) for line in re.split(r"[;\n]", _no_comments(text))
                                       if line.strip()),
                    state=state, updates=tuple(updates), query=query, init=init, t0=t0, define=define,
                    evaluate=evaluate, constants=constants, schedules=schedules, defaults=defaults,
                    calls=tuple((f, gf) for f, gf, _ in b.calls or ()))
    _checked(method)
    return method


def _no_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())
