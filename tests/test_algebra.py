import pytest
import sympy as sp

from equivalences.algebra import NotExact, canonical, exact, is_zero, linear_coefficients, nice
from equivalences.declare import Transform
from equivalences.symbols import t


def test_exact_rationals():
    assert exact("0.9") == sp.Rational(9, 10)
    assert exact(0.9) == sp.Rational(9, 10)  # not the binary double
    assert exact("1e-3") == sp.Rational(1, 1000)
    assert exact("9/10") == sp.Rational(9, 10)
    assert exact(3) == 3


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "abc", "", "1/0", True])
def test_exact_refuses_non_numbers(bad):
    with pytest.raises(NotExact):
        exact(bad)


def test_is_zero_with_step_powers():
    b = sp.Symbol("b")
    assert is_zero(b ** (t - 1) * b - b ** t)
    assert not is_zero(b ** (t - 1) - b ** t)


def test_is_zero_with_step_powers_sympy_recombines():
    """``b**t * b`` is written ``b**(t + 1)`` by sympy itself: an identity over the denominator ``1 - b*beta**(t + 1)``
    (Adam's bias correction, as the proof of accelerated-adamw meets it) must still reduce to 0, with one generator
    per base and exponent monomial; a perturbed one must not."""
    from equivalences.algebra import powers_as_generators

    b, beta, gamma = sp.symbols("b beta1 gamma")
    g, gp, m = sp.Function("g"), sp.Function("g_prev"), sp.Function("m")
    D = 1 - b * beta ** (t + 1)
    e = (-g(t) * beta * gamma / D - g(t) * (-beta * gamma / D + beta * (1 - beta) * (beta * gamma / (1 - beta) + 1) / D)
         + gp(t) * beta ** 2 * gamma / D - m(t) * beta ** 2 / D
         + beta * (m(t) * beta + (1 - beta) * (g(t) + beta * gamma * (g(t) - gp(t)) / (1 - beta))) / D)
    assert is_zero(e) and canonical(e) == 0
    assert not is_zero(e + g(t) / D ** 2)
    assert not is_zero(beta ** (t + 1) - beta ** t) and is_zero(beta ** (2 * t + 2) - (beta ** (t + 1)) ** 2)
    assert is_zero(beta ** (t / 2) * beta ** (t / 2) - beta ** t)
    written = powers_as_generators(beta ** (t - 1) + beta ** (2 * t))
    assert not any(p.exp.free_symbols for p in written.atoms(sp.Pow)) and t not in written.free_symbols


def test_the_field_normal_form_is_cancels():
    """canonical's fast path (the reduced fraction in sympy's field) writes exactly what ``cancel(together(...))``
    writes, on generated rational expressions in symbols, sequence values, a radical and an exp; a step power is
    left to ``cancel``."""
    import random

    from equivalences.algebra import _field_normal_form

    rng = random.Random(11)
    a, b, lr = sp.symbols("a b lr")
    g, c = sp.Function("g"), sp.Function("c")
    atoms = [a, b, lr, g(t), g(t - 1), c(t + 1), t] * 4 + [sp.sqrt(2), sp.exp(a)]  # mostly the field's atoms

    def term():
        out = sp.Rational(rng.randint(-5, 5), rng.randint(1, 4))
        for _ in range(rng.randint(0, 3)):
            out *= rng.choice(atoms) ** rng.choice([1, 1, 2, -1])
        return out

    taken = 0
    for _ in range(60):
        e = sum(term() for _ in range(rng.randint(1, 3))) / (sum(term() for _ in range(rng.randint(1, 2))) or 1)
        e = e + term() / (1 - rng.choice(atoms)) if rng.random() < 0.5 else e
        fast = _field_normal_form(e)
        if fast is not None:
            taken += 1
            assert fast == sp.cancel(sp.together(e)), e
        else:
            assert e.has(sp.sqrt(2), sp.exp), e
    assert taken >= 20
    for other in (b ** (t + 1) / (1 - b ** t), sp.sqrt(2) / (1 - a), sp.exp(a) / (1 + sp.exp(a))):
        assert _field_normal_form(other) is None


def test_transform_arguments_compared_exactly():
    P = Transform("Ptest", "adam")
    x, y = sp.symbols("x y")
    assert is_zero(P(t, x * (1 + y) - x * y) - P(t, x))
    assert not is_zero(P(t, x) - P(t, 2 * x))
    assert not is_zero(P(t, x) - P(t + 1, x))


def test_linear_coefficients_rejects_nonlinear():
    x, y = sp.symbols("x y")
    coeffs, rest = linear_coefficients(3 * x + 2 * y + 1, [x, y])
    assert coeffs == {x: 3, y: 2} and rest == 1
    with pytest.raises(ValueError):
        linear_coefficients(x * y, [x, y])


def test_linear_coefficients_by_the_tree_are_the_derivatives():
    """The affine reading of the tree (the fast path) gives, exactly, the derivative in each atom and the rest at 0, on
    generated affine expressions; a non-linear one is refused and a non-linear term that cancels is no obstacle."""
    import random

    rng = random.Random(5)
    x, y, a, b = sp.symbols("x y a b")
    g = sp.Function("g")
    for _ in range(40):
        pieces = [rng.choice([a, b, g(t), 1 - a, a / (1 + b)]) * rng.choice([x, y, 1, x - y, a * (x + 2 * y)])
                  for _ in range(rng.randint(1, 4))]
        e = sp.Add(*pieces) * rng.choice([1, b, 1 / (1 - a)])
        coeffs, rest = linear_coefficients(e, [x, y])
        for v in (x, y):
            assert is_zero(coeffs[v] - sp.diff(e, v)) and not coeffs[v].has(x, y)
        assert is_zero(rest - e.subs({x: 0, y: 0}))
    with pytest.raises(ValueError):
        linear_coefficients(a * x * (x + y), [x, y])
    coeffs, rest = linear_coefficients(((b + 1) ** 2 - b ** 2 - 2 * b - 1) * x ** 2 + a * x, [x])
    assert coeffs[x] == a and rest == 0


def test_nice_prefers_positive_factors():
    c = sp.Function("c")
    e = nice(1 - c(t) - c(t) * 0)
    assert sp.sstr(e) in ("1 - c(t)", "-c(t) + 1")
    assert canonical(nice((1 - c(t)) * 3) - (3 - 3 * c(t))) == 0
