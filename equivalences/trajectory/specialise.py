"""A declaration with a constant, or a schedule, set to a value."""
from __future__ import annotations

from dataclasses import replace

import sympy as sp
from sympy.core.function import AppliedUndef

from ..declare import Method
from ..symbols import t


# -- conditions ----------------------------------------------------------------------------------
def _rewritten(method: Method, key: str, sub, **fields) -> Method:
    """``method`` with ``sub`` applied to every update, definition and start (its claims dropped)."""
    return replace(method, key=key, updates=tuple(sp.Eq(e.lhs, sub(e.rhs)) for e in method.updates),
                   define={k: sub(v) for k, v in method.define.items()},
                   init={k: sub(v) for k, v in method.init.items()}, claims=(), **fields)


def specialised(method: Method, sym: sp.Symbol, value) -> Method:
    """The declaration with the constant ``sym`` set to ``value`` everywhere."""
    rep = {sym: value}
    sub = lambda e: sp.sympify(e).subs(rep)  # noqa: E731
    return _rewritten(
        method, f"{method.key}[{sym}={value}]", sub,
        constants=tuple(c for c in method.constants if c != sym),
        defaults={k: sub(v) for k, v in method.defaults.items() if k != sym},
        domain={k: v for k, v in method.domain.items() if k != sym},
        paper_setting={k: sub(v) for k, v in method.paper_setting.items()},
    )


def specialised_schedule(method: Method, app, value) -> Method | None:
    """The declaration with the schedule of ``app`` (``gamma(t)``) replaced by ``value`` (an expression of
    ``t``) at every step; None when the schedule is not one of the method's."""
    f = app.func
    if f not in method.schedules or app.args[0] != t:
        return None
    sub = lambda e: sp.sympify(e).replace(lambda x: isinstance(x, AppliedUndef) and x.func == f,  # noqa: E731
                                          lambda x: sp.sympify(value).subs(t, x.args[0]))
    return _rewritten(
        method, f"{method.key}[{app}={value}]", sub,
        schedules=tuple(s for s in method.schedules if s != f),
        defaults={k: v for k, v in method.defaults.items() if k != f},
        paper_setting={k: v for k, v in method.paper_setting.items() if k != f},
    )
