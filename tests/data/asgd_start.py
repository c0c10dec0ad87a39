"""ASGD (Jain et al.) started from x_0 = theta_0, v_0 = kappa theta_0: kappa = 1 is the standard start;
kappa != 1 starts the two sequences apart (``--set kappa=0.5`` replays it)."""
from dataclasses import replace

import sympy as sp

from equivalences.methods import asgd as A
from equivalences.symbols import theta0

kappa = sp.Symbol("kappa")

METHOD = replace(
    A.METHOD, key="asgd-start", name="ASGD, x_0 != v_0 (user-declared)", claims=(),
    init={A.x(0): theta0, A.v(0): kappa * theta0},
    constants=A.METHOD.constants + (kappa,),
    defaults={**A.METHOD.defaults, kappa: sp.Rational(1, 2)},
)
