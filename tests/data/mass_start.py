"""MaSS (Liu & Belkin) started from w_0 = theta_0, u_0 = kappa theta_0 (kappa = 1: the standard start)."""
from dataclasses import replace

import sympy as sp

from equivalences.methods import mass as M
from equivalences.symbols import theta0

kappa = sp.Symbol("kappa")

METHOD = replace(
    M.METHOD, key="mass-start", name="MaSS, w_0 != u_0 (user-declared)", claims=(),
    init={M.w(0): theta0, M.u(0): kappa * theta0},
    constants=M.METHOD.constants + (kappa,),
    defaults={**M.METHOD.defaults, kappa: sp.Rational(1, 2)},
)
