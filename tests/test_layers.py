"""The layers point one way, and a verdict never depends on what else was imported.

core (equivalences, without equivalences.app) -> sympy only
numeric                                       -> core, torch, numpy
equivalences.app                              -> core, numeric, rich
"""
import ast
import os
import subprocess
import sys
from pathlib import Path

import sympy as sp

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_CORE = ("numeric", "torch", "numpy", "rich", "equivalences.app", "matplotlib")


def _imports(path: Path):
    """Every module a file imports, at any depth (inside functions too), resolved to absolute names."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, node.lineno, [a.name]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            yield base, node.lineno, [a.name for a in node.names]


FRONT_DOORS = ("equivalences/__init__.py", "equivalences/__main__.py")
"""The package's public entry points: ``equivalences.verify`` and ``python -m equivalences`` reach the
application layer lazily, inside the function that runs it; importing ``equivalences`` loads the core only."""


def _core_files():
    return [p for p in (ROOT / "equivalences").rglob("*.py")
            if "app" not in p.relative_to(ROOT).parts and str(p.relative_to(ROOT)) not in FRONT_DOORS]


def test_importing_the_package_loads_the_core_only():
    code = "import sys, equivalences; print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy', 'rich', 'numeric') or m.startswith('equivalences.app')))"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == "[]", (p.stdout, p.stderr)


def test_the_core_never_imports_numeric_torch_numpy_rich_or_the_app():
    bad = [f"{p.relative_to(ROOT)}:{line} imports {mod}" for p in _core_files() for mod, line, _ in _imports(p)
           if mod.split(".")[0] in ("numeric", "torch", "numpy", "rich", "matplotlib") or mod.startswith("equivalences.app")]
    assert not bad, bad
    assert len(_core_files()) > 20  # the walk saw the core (and its method declarations)


def test_numeric_never_imports_the_app_and_no_private_names_cross_packages():
    files = list((ROOT / "numeric").rglob("*.py"))
    assert files
    bad = []
    for p in files + list((ROOT / "equivalences").rglob("*.py")):
        own = p.relative_to(ROOT).parts[0]
        for mod, line, names in _imports(p):
            if own == "numeric" and mod.startswith("equivalences.app"):
                bad.append(f"{p.relative_to(ROOT)}:{line} imports {mod}")
            other = mod.split(".")[0] in ("numeric", "equivalences") and mod.split(".")[0] != own
            if other and any(n.startswith("_") for n in names):
                bad.append(f"{p.relative_to(ROOT)}:{line} imports private {names} from {mod}")
    assert not bad, bad


def test_no_numeric_runs_with_torch_and_numpy_unimportable():
    """`verify NAME --no-numeric` and the core work on a machine without torch (a subprocess: the point is
    the process's imports)."""
    code = ("import sys; sys.modules['torch'] = None; sys.modules['numpy'] = None\n"
            "from equivalences.app.cli import main\n"
            "rc = main(['heavy-ball', '--no-numeric'])\n"
            "assert 'torch' not in sys.modules or sys.modules['torch'] is None\n"
            "sys.exit(rc)")
    env = {**os.environ, "COLUMNS": "100"}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "heavy-ball: proved (no replay)" in p.stdout


def _load(path):
    from equivalences import registry

    return registry.load_module(str(ROOT / "tests" / "data" / path))


def test_a_state_named_like_another_methods_transform_derives_the_same_map_whatever_was_imported():
    from equivalences.declare import Transform
    from equivalences.derivation import build

    before = build(_load("state_named_p.py"))
    from equivalences import registry

    registry.get("mars")  # its preconditioner is called P
    Transform("P", "sign")  # and a sign transform called P, made anywhere
    after = build(_load("state_named_p.py"))
    for d in (before, after):
        assert d.map is not None, d.not_in_family
        beta = sp.Symbol("beta", positive=True)
        assert sp.simplify(d.map.beta_a - beta) == 0
        assert d.proved
    assert (before.map.beta_a, before.map.eta_a, before.map.alpha_a) == (after.map.beta_a, after.map.eta_a,
                                                                        after.map.alpha_a)
    # MARS itself still derives its preconditioned post with its own transform
    mars = registry.get("mars")
    assert build(mars).map.post is not None and build(mars).map.post.name == "P"


def test_every_transform_kind_has_a_concrete_counterpart():
    from equivalences.declare import KINDS as DECLARED, Transform
    from equivalences.transform_kinds import KINDS
    from numeric.transforms import KINDS as CONCRETE

    assert set(KINDS) == set(CONCRETE) == set(DECLARED)
    assert {Transform("P", name).linear for name in KINDS} == {True, False}  # sign is not linear, adam is
    assert all(Transform("P", name).linear == kind.linear for name, kind in KINDS.items())


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports, anywhere in the file (inside functions too: an import
    moved into a function hides a circle from Python, not from the design)."""
    root = package.parent

    def name_of(p: Path) -> str:
        parts = list(p.relative_to(root).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    files = {name_of(p): p for p in package.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        own = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = own.split(".")[: len(own.split(".")) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                subs = {f"{base}.{a.name}" for a in node.names} & set(files)
                edges |= subs if len(subs) == len(node.names) else subs | {base}
        graph[name] = {e for e in edges if e in files and e != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_core_has_no_import_circles():
    """No two core modules import each other, directly or around a circle (imports inside functions count)."""
    graph = {k: v for k, v in import_graph(ROOT / "equivalences").items() if not k.startswith("equivalences.app")}
    assert len(graph) > 20 and graph["equivalences.derivation"]  # the walk saw the core and its imports
    assert not cycles(graph), cycles(graph)


def test_the_application_and_numeric_have_no_import_circles():
    """The same check on the whole package, the application included (its views sit below the commands that
    emit them: they register by the result's qualified name), and on numeric."""
    graph = import_graph(ROOT / "equivalences")
    assert graph["equivalences.app.output"] and graph["equivalences.app.render.report"]  # the app was walked
    assert not cycles(graph), cycles(graph)
    numeric = import_graph(ROOT / "numeric")
    assert numeric["numeric.compile"] and numeric["numeric.sums"]
    assert not cycles(numeric), cycles(numeric)


def test_every_view_registered_by_name_names_a_result_type():
    """A view registered by qualified name (so that the views import no command) names a class that exists and
    has ``to_json``: a misspelt name would leave its results without a terminal view."""
    import importlib

    from equivalences.app import render  # noqa: F401 -- registers the terminal views
    from equivalences.app.views import registered

    names = [k for k in registered("text") if isinstance(k, str)]
    assert len(names) >= 8, names
    for name in names:
        module, _, qualname = name.rpartition(".")
        cls = getattr(importlib.import_module(module), qualname, None)
        assert isinstance(cls, type) and callable(getattr(cls, "to_json", None)), name


def test_the_circle_check_finds_a_reintroduced_circle(tmp_path):
    """The check fails on a circle: a synthetic graph, and a package whose modules import each other (one
    inside a function, as a circle is usually hidden) next to one that only points one way."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "algebra.py").write_text("from .declare import Method\n")
    (pkg / "declare.py").write_text("def parse():\n    from .algebra import exact\n")
    (pkg / "prove.py").write_text("from . import algebra\nfrom pkg.declare import parse\n")
    graph = import_graph(pkg)
    assert graph["pkg.prove"] == {"pkg.algebra", "pkg.declare"}
    assert cycles(graph) == [["pkg.algebra", "pkg.declare"]]
