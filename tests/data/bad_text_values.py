"""Hyperparameter defaults given as text: refused, never parsed."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta = sp.Symbol("beta")

METHOD = Method(
    key="text-values", name="text", reference="-", section="-", summary="-",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - m(t + 1) / 10)),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta,), defaults={beta: "__import__('os').getcwd()"},
)
