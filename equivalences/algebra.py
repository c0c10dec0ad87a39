"""Exact algebra shared by derivation, proof and claim checking.

Every identity is decided by :func:`is_zero`: rational-function normal form
(``sympy.cancel``) after writing powers with a step exponent as ``b**t`` times
constants, and after putting the argument of each opaque transform ``P_t(x)``
in normal form, so that ``P_t(a) - P_t(b)`` vanishes exactly when ``a = b``.
No floating point number ever enters: :func:`exact` turns user numbers into
rationals first.
"""
from __future__ import annotations

import re
from functools import lru_cache

import sympy as sp
from sympy.core.function import AppliedUndef

from .declare import is_transform_application
from .rationals import _NUMBER, NotExact, exact  # noqa: F401 -- re-exported: algebra is where callers look
from .symbols import t


def _normalize_transforms(expr: sp.Expr) -> sp.Expr:
    return expr.replace(
        is_transform_application,
        lambda e: e.func(*[canonical(a) for a in e.args]),
    )


def _prepared(expr) -> sp.Expr:
    """``b**(t-1)`` written ``b**t / b`` and each transform's argument in normal form."""
    expr = sp.sympify(expr)
    if any(p.exp.free_symbols for p in expr.atoms(sp.Pow)):  # only a step exponent needs rewriting
        expr = sp.expand_power_exp(sp.powsimp(expr, combine="exp"))
    return _normalize_transforms(expr)


@lru_cache(maxsize=8192)
def _canonical(expr: sp.Basic) -> sp.Expr:
    prepared = _prepared(expr)
    fast = _field_normal_form(prepared)
    return fast if fast is not None else sp.cancel(sp.together(prepared))


def _field_normal_form(expr: sp.Expr) -> sp.Expr | None:
    """``cancel(together(expr))`` computed in sympy's sparse field of rational functions over the atoms of ``expr``
    (``sfield``: the reduced numerator and denominator, the denominator's leading coefficient made canonical by
    the same ``PolyElement.cancel`` that ``cancel`` ends with), without rebuilding expression trees on the way
    (about 2.5 times faster on the expressions the engine meets; ``tests/test_algebra.py`` compares the two).
    None -- the caller takes ``cancel`` -- unless ``expr`` is built from rationals, symbols and applications of
    undefined functions by arithmetic and integer powers (:func:`_field_atoms_only`): a generator that sympy
    itself rewrites when multiplied (``b**t * b`` is ``b**(t + 1)``, ``sqrt(2)**2`` is 2, ``exp(a)**2`` is
    ``exp(2*a)``) makes the normal form depend on how the input was written, and ``cancel`` is kept there."""
    from sympy.polys.fields import sfield
    from sympy.polys.polyerrors import PolynomialError

    if expr.is_Number:
        return expr
    if not expr.is_commutative or not _field_atoms_only(expr):
        return None
    try:
        _, element = sfield(expr)
    except (PolynomialError, NotImplementedError, ValueError, TypeError):
        return None
    return element.numer.as_expr() / element.denom.as_expr()


def _field_atoms_only(expr) -> bool:
    """Every node of ``expr`` is a rational, a symbol, an application of an undefined function (its arguments
    anything), a sum, a product or an integer power."""
    stack = [expr]
    while stack:
        e = stack.pop()
        if e.is_Rational or e.is_Symbol or isinstance(e, AppliedUndef):
            continue
        if e.is_Add or e.is_Mul:
            stack.extend(e.args)
        elif e.is_Pow and e.exp.is_Integer:
            stack.append(e.base)
        else:
            return False
    return True


def canonical(expr) -> sp.Expr:
    """Rational normal form of ``expr`` (exact; equal functions get equal forms).  Computed once per expression
    (a pure function of the expression tree, symbols' assumptions included): the proof, the claims and the
    degenerate sets ask for the same forms many times."""
    return _canonical(sp.sympify(expr))


def is_zero(expr) -> bool:
    """Exactly: is ``expr`` identically 0?

    The cheapest exact refutation first: one exact rational point where ``expr`` is a non-zero rational
    (:func:`nonzero_at_a_point`) settles "no".  Then the cheapest exact proof: ``expr`` is mapped into the field of rational functions over QQ
    in its atoms (sympy's sparse ``FracField``, whose elements are kept as reduced fractions of
    polynomials), where 0 is decided by the numerator alone.  That is the same decision as
    ``canonical(expr) == 0`` -- both treat the same atoms as independent -- at a fraction of the cost
    of ``cancel(together(...))`` on expression trees.  Anything the field cannot hold falls back to
    :func:`canonical`.
    """
    from sympy.polys.fields import sfield
    from sympy.polys.polyerrors import PolynomialError

    expr = _prepared(expr)
    if expr == 0:
        return True
    if nonzero_at_a_point(expr):
        return False
    try:
        _, element = sfield(powers_as_generators(expr))
    except (PolynomialError, NotImplementedError, ValueError, TypeError):
        return sp.cancel(sp.together(expr)) == 0
    return element == 0


def powers_as_generators(expr) -> sp.Expr:
    """``expr`` with each power whose exponent has symbols written over one symbol per base and exponent monomial:
    ``b**(2*t + 2)`` is ``B**2 * b**2`` and ``b**(t - 1)`` is ``B / b``, ``B`` a dummy standing for ``b**t``.

    A field of rational functions takes each such power as a generator of its own, and sympy's ``Mul`` writes
    ``b**t * b`` back as ``b**(t + 1)``: without this, ``b**(t + 1)``, ``b**(2*t + 2)`` and ``b**t`` would be
    independent generators and an identity between them would not reduce to 0.  The rewrite is a bijection on
    those powers (each ``b**(c*m)`` with ``c = p/q`` is ``(b**(m/q))**p``, one dummy per ``b**(m/q)``, ``q`` the
    least common denominator of ``m``'s coefficients at ``b``), so it decides the same identities exactly."""
    expr = sp.sympify(expr)
    powers = [p for p in expr.atoms(sp.Pow) if p.exp.free_symbols]
    if not powers:
        return expr
    parts, denominators = {}, {}
    for p in powers:
        constant, terms = sp.expand(p.exp).as_coeff_add()
        split = [term.as_coeff_Mul() for term in terms]
        parts[p] = (constant, split)
        for c, m in split:
            key = (p.base, m)
            denominators[key] = sp.ilcm(denominators.get(key, 1), sp.Rational(c).q if c.is_Rational else 1)
    dummies = {key: sp.Dummy("pow") for key in denominators}
    replace = {}
    for p, (constant, split) in parts.items():
        if any(not c.is_Rational for c, _ in split):
            continue  # an irrational multiple of a monomial: left as its own generator
        value = p.base ** constant
        for c, m in split:
            q = denominators[(p.base, m)]
            value *= dummies[(p.base, m)] ** int(c * q)
        replace[p] = value
    return expr.xreplace(replace)


_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97)


def _point_value(k: int) -> sp.Rational:
    """The ``k``-th coordinate of the test point: distinct rationals with unrelated denominators."""
    p = _PRIMES[k % len(_PRIMES)]
    return sp.Rational(p + 1 + k // len(_PRIMES), p * 101 + 7)


def nonzero_at_a_point(expr) -> bool:
    """True only when ``expr`` is certainly not identically 0: at one exact rational point (every symbol, every
    sequence value and the step ``t = 7``) it evaluates to a finite rational other than 0.  Opaque transforms are
    given values after their arguments are evaluated, so applications with equal arguments get equal values (a
    specialisation: a difference that vanishes for independent values vanishes there too).  Anything else --
    0 at the point, a pole, a value that is not rational (exp, log) -- is inconclusive (False)."""
    expr = sp.sympify(expr)
    inner = [a for a in expr.atoms(AppliedUndef) if not is_transform_application(a)]
    symbols = sorted(expr.free_symbols - {t}, key=sp.default_sort_key)
    point = {t: sp.Integer(7)}
    for k, a in enumerate(sorted(inner, key=sp.default_sort_key) + symbols):
        point[a] = _point_value(k)
    try:
        value = expr.xreplace({a: v for a, v in point.items() if a != t}).xreplace({t: point[t]})
        outer = sorted(value.atoms(AppliedUndef), key=sp.default_sort_key)
        value = value.xreplace({a: _point_value(len(point) + k) for k, a in enumerate(outer)})
    except (ZeroDivisionError, TypeError, ValueError):
        return False
    return bool(value.is_Rational and value != 0)


def residual_of(expr, normal_form: bool = True) -> sp.Expr:
    """0 when ``expr`` is identically 0 (decided by :func:`is_zero`), otherwise its normal form (or, with
    ``normal_form=False``, ``expr`` itself: a caller that only needs to know it is not 0)."""
    if is_zero(expr):
        return sp.Integer(0)
    return canonical(expr) if normal_form else sp.sympify(expr)


def nice(expr) -> sp.Expr:
    """A readable exact form: the shorter of the factored and the expanded-over-common-denominator forms
    (computed once per expression, like :func:`canonical`)."""
    return _nice(sp.sympify(expr))


@lru_cache(maxsize=4096)
def _nice(expr: sp.Basic) -> sp.Expr:
    c = canonical(expr)
    if c.is_number:
        return c
    candidates = [_positive_first(sp.factor(c)), c]
    return min(candidates, key=lambda e: (sp.count_ops(e), len(str(e))))


def _positive_first(e: sp.Expr) -> sp.Expr:
    """``-(c - 1)*x`` reads better as ``(1 - c)*x``: write each factor ``a - 1`` as ``1 - a``."""
    num, den = sp.fraction(e)

    def flip(expr):
        coeff, factors = expr.as_coeff_mul()
        out = []
        for f in factors:
            base, power = f.as_base_exp()
            if isinstance(base, sp.Add) and base.as_coeff_Add()[0] < 0 and power.is_Integer:
                out.append((-base) ** power)
                coeff = -coeff if power % 2 else coeff
            else:
                out.append(f)
        return coeff, out

    cn, fn = flip(num)
    cd, fd = flip(den)
    top = sp.Mul(cn / cd, *fn)
    bottom = sp.Mul(*fd)
    return top / bottom if bottom != 1 else top


def shift(expr, k: int) -> sp.Expr:
    """``expr`` with the step moved by ``k``: ``c(t + 1) -> c(t + 1 + k)``."""
    return sp.sympify(expr).subs(t, t + k) if k else sp.sympify(expr)


def offset(arg) -> int | None:
    """The integer ``k`` of a time argument ``t + k`` (None if it is not of that form)."""
    d = sp.sympify(arg) - t
    if not d.is_Integer:
        d = sp.expand(d)
    return int(d) if d.is_Integer else None


def applications(expr, functions) -> set[AppliedUndef]:
    """Applications ``f(...)`` in ``expr`` of any function class in ``functions``."""
    functions = set(functions)
    return {a for a in sp.sympify(expr).atoms(AppliedUndef) if a.func in functions}


def substitute_function(expr, f, body) -> sp.Expr:
    """Replace every ``f(k)`` by ``body`` with ``t -> k``."""
    return substitute_functions(expr, {f: body})


def substitute_functions(expr, table: dict) -> sp.Expr:
    """Replace every ``f(k)`` by ``table[f]`` with ``t -> k``, for each ``f`` in ``table`` at once.

    The applications are found once (``atoms``) and replaced in one ``xreplace``, rather than by a predicate
    called on every node (``replace``); where an application's argument itself holds one of them (``f(g(t))``)
    the bottom-up ``replace`` is kept, so that the inner one is replaced first as before."""
    expr = sp.sympify(expr)
    apps = [a for a in expr.atoms(AppliedUndef) if a.func in table]
    if not apps:
        return expr
    if any(b.func in table for a in apps for arg in a.args for b in arg.atoms(AppliedUndef)):
        return expr.replace(lambda e: isinstance(e, AppliedUndef) and e.func in table,
                            lambda e: sp.sympify(table[e.func]).subs(t, e.args[0]))
    return expr.xreplace({a: sp.sympify(table[a.func]).subs(t, a.args[0]) for a in apps})


class _NotAffineTree(Exception):
    """The expression tree is not a sum of (atom-free factor) x (atom or affine subtree) terms."""


def _affine_parts(e, dummies) -> dict:
    """``{dummy: coefficient, None: the rest}`` read off the tree of ``e``: a sum adds its terms' parts, a product
    with one factor reading the dummies scales that factor's parts by the others.  Each coefficient is built
    from factors free of the dummies, so ``e`` is affine in them by construction.  Raises
    :class:`_NotAffineTree` for anything else (two factors reading them, a power or a function of them, a
    non-linear term that cancels): :func:`linear_coefficients` then differentiates."""
    if not e.has(*dummies):
        return {None: e}
    if e in dummies:
        return {e: sp.Integer(1)}
    if e.is_Add:
        out: dict = {}
        for a in e.args:
            for k, v in _affine_parts(a, dummies).items():
                out.setdefault(k, []).append(v)
        return {k: sp.Add(*v) for k, v in out.items()}
    if e.is_Mul:
        inner = [a for a in e.args if a.has(*dummies)]
        if len(inner) != 1:
            raise _NotAffineTree
        scale = sp.Mul(*[a for a in e.args if not a.has(*dummies)])
        return {k: scale * v for k, v in _affine_parts(inner[0], dummies).items()}
    raise _NotAffineTree


def linear_coefficients(expr, atoms):
    """``expr = sum(coeffs[a] * a) + rest``, checked exactly to be linear in ``atoms``.

    Returns ``(coeffs, rest)`` or raises ``ValueError`` when ``expr`` is not
    linear in them (a coefficient still depends on one of the atoms).
    """
    atoms = list(atoms)
    dummies = [sp.Dummy(str(a)) for a in atoms]
    e = sp.sympify(expr).xreplace(dict(zip(atoms, dummies)))
    try:  # the tree read as an affine form: linear by construction, no derivative to take
        parts = _affine_parts(e, frozenset(dummies))
    except _NotAffineTree:
        pass
    else:
        return {a: parts.get(d, sp.Integer(0)) for a, d in zip(atoms, dummies)}, residual_of(parts.get(None, 0))
    coeffs = {}
    for a, d in zip(atoms, dummies):
        c = sp.diff(e, d)
        if c.has(*dummies):  # a term that is identically 0 (``((b + 1)**2 - b**2 - 2*b - 1) * g**2``) is no obstacle
            c = canonical(c)
            if c.has(*dummies):
                raise ValueError(f"not linear in {a}")
        coeffs[a] = c
    rest = residual_of(e - sum(coeffs[a] * d for a, d in zip(atoms, dummies)))
    if rest.has(*dummies):
        raise ValueError("not linear in the state")
    return coeffs, rest


def linear_coefficients_kept(expr, atoms):
    """:func:`linear_coefficients`, kept in the on-disk cache of derivations (:mod:`equivalences.cache`: keyed by
    the engine's text and the expression and atoms written with ``srepr``): a replay's tables of a method's
    updates, read back by the next run instead of decomposed again.  A ``ValueError`` is not kept."""
    from . import cache

    key = ("linear_coefficients", sp.sympify(expr), tuple(atoms))
    saved = cache.load(key)
    if saved is not None and "coeffs" in saved:
        return saved["coeffs"], saved["rest"]
    coeffs, rest = linear_coefficients(expr, atoms)
    cache.store(key, {"coeffs": coeffs, "rest": rest})
    return coeffs, rest


# What sympy.sstr writes for the report's expressions: names, numbers, arithmetic, calls. Anything else
# (attribute access, strings, brackets, lambdas) is refused before parse_expr, which evaluates Python.
_REPORT_EXPR = re.compile(r"[A-Za-z0-9_+\-*/()., ]*")


def parse(text: str) -> sp.Expr:
    """Parse an expression string of a JSON report back into sympy.

    Every name followed by ``(`` is an undefined function of the step and every
    other name a symbol -- so ``gamma(t)`` is the learning-rate schedule, not
    sympy's gamma function.  Only the report's own strings should be parsed;
    the CLI never parses user input this way.
    """
    from sympy.parsing.sympy_parser import parse_expr

    if not _REPORT_EXPR.fullmatch(text) or "__" in text or re.search(r"[A-Za-z_)\]]\s*\.|\.\s*[A-Za-z_(]", text):
        raise ValueError(f"not an expression of a report: {text[:60]!r}")
    names = {}
    for name, call in re.findall(r"([A-Za-z_][A-Za-z_0-9]*)\s*(\()?", text):
        if name == "t":
            names[name] = t
        elif call:
            names[name] = sp.Function(name)
        else:
            names.setdefault(name, sp.Symbol(name))
    return parse_expr(text, local_dict=names)


def degree_in(expr, sym) -> int | None:
    """The degree of ``expr`` as a polynomial in ``sym``; None when it is not one (``beta**t``, ``1/beta``)."""
    from sympy.polys.polyerrors import PolynomialError

    try:
        return sp.Poly(expr, sym).degree()
    except (PolynomialError, sp.GeneratorsNeeded):
        return None


def roots_in(expr, sym) -> list:
    """The roots of ``expr = 0`` for ``sym``, whatever ``sym`` was declared (a ``positive=True`` ``lr`` still
    has the root ``lr = 0`` of the factor ``lr``: a degenerate set is a question about the expression, and
    whether the root is an admissible value is the domain's business).  [] when SymPy cannot solve it."""
    from sympy.polys.polyerrors import PolynomialError

    d = sp.Dummy(sym.name)
    try:
        e = sp.sympify(expr).xreplace({sym: d})
        sols = solve_linear(e, d) or sp.solve(e, d)
    except (NotImplementedError, PolynomialError, ValueError, TypeError):
        return []
    return [sp.sympify(s).xreplace({d: sym}) for s in sols if not sp.sympify(s).has(d)]


def solve_linear(expr, x) -> list | None:
    """``[value]`` where ``expr`` is a polynomial of degree 1 in ``x`` (``value = -c0/c1``, ``c1`` not identically 0,
    in normal form); None otherwise (the caller takes :func:`sympy.solve`).  The cheap exact case of ``solve``:
    no simplification of the root and no check by substitution (nothing divides by ``x``)."""
    from sympy.polys.polyerrors import PolynomialError

    expr = sp.sympify(expr)
    try:
        poly = sp.Poly(expr, x)
    except (PolynomialError, sp.GeneratorsNeeded):
        return None
    if poly.degree() != 1:
        return None
    c1, c0 = poly.all_coeffs()
    if is_zero(c1):
        return None
    return [canonical(-c0 / c1)]


def settable_factors(exprs, constants, depth: int, cond):
    """The distinct factors (up to sign) of the numerators of ``exprs`` that a condition can set to 0 by solving
    for one constant they are of degree 1 in: yields ``(factor, constant, value)``.  A factor that reads a
    schedule or ``t``, or is of higher degree in every constant, is appended to ``cond.untested``; with
    ``depth <= 0`` nothing is yielded and ``cond.truncated`` is set."""
    constants, seen = set(constants), []
    for expr in exprs:
        _, fs = sp.factor_list(sp.numer(sp.together(expr)))
        for f, _ in fs:
            if f.is_number or any(canonical(f - g) == 0 or canonical(f + g) == 0 for g in seen):
                continue
            seen.append(f)
            sym = next((s for s in sorted(f.free_symbols & constants, key=sp.default_sort_key)
                        if degree_in(f, s) == 1), None)
            roots = [] if sym is None else roots_in(f, sym)
            if f.atoms(AppliedUndef) or not f.free_symbols <= constants or not roots:
                cond.untested.append(f)
                continue
            if depth <= 0:
                cond.truncated = True
                continue
            yield f, sym, nice(roots[0])


def specialise(expr, setting: dict) -> sp.Expr:
    """Apply assumptions: ``{symbol: value, schedule: expression of t}``."""
    expr = sp.sympify(expr)
    binds = expr.has(*_BINDING)  # a bound variable is not substituted: subs knows, xreplace does not
    for key, value in setting.items():
        if isinstance(key, sp.Symbol):
            expr = expr.subs(key, value) if binds else expr.xreplace({key: sp.sympify(value)})
        else:
            expr = substitute_function(expr, key, value)
    return expr


_BINDING = (sp.Sum, sp.Product, sp.Integral, sp.Derivative, sp.Lambda, sp.Subs)
"""Expressions that bind a variable of their own."""
