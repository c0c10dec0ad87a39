"""A declaration with a constant, or a schedule, set to a value."""
from __future__ import annotations

from dataclasses import replace

import sympy as sp
from sympy.core.function import AppliedUndef

from ..declare import Method
from ..symbols import t


# -- conditions ----------------------------------------------------------------------------------
def specialised(method: Method, sym: sp.Symbol, value) -> Method:
    """The declaration with the constant ``sym`` set to ``value`` everywhere."""
    rep = {sym: value}
    sub = lambda e: sp.sympify(e).subs(rep)  # noqa: E731
    return replace(
        method, key=f"{method.key}[{sym}={value}]",
        updates=tuple(sp.Eq(e.lhs, sub(e.rhs)) for e in method.updates),
        define={k: sub(v) for k, v in method.define.items()},
        init={k: sub(v) for k, v in method.init.items()},
        constants=tuple(c for c in method.constants if c != sym),
        defaults={k: sub(v) for k, v in method.defaults.items() if k != sym},
        domain={k: v for k, v in method.domain.items() if k != sym},
        claims=(), paper_setting={k: sub(v) for k, v in method.paper_setting.items()},
    )


def specialised_schedule(method: Method, app, value) -> Method | None:
    """The declaration with the schedule of ``app`` (``gamma(t)``) replaced by ``value`` (an expression of
    ``t``) at every step; None when the schedule is not one of the method's."""
    f = app.func
    if f not in method.schedules or app.args[0] != t:
        return None
    sub = lambda e: sp.sympify(e).replace(lambda x: isinstance(x, AppliedUndef) and x.func == f,  # noqa: E731
                                          lambda x: sp.sympify(value).subs(t, x.args[0]))
    return replace(
        method, key=f"{method.key}[{app}={value}]",
        updates=tuple(sp.Eq(e.lhs, sub(e.rhs)) for e in method.updates),
        define={k: sub(v) for k, v in method.define.items()},
        init={k: sub(v) for k, v in method.init.items()},
        schedules=tuple(s for s in method.schedules if s != f),
        defaults={k: v for k, v in method.defaults.items() if k != f},
        claims=(), paper_setting={k: v for k, v in method.paper_setting.items() if k != f},
    )
