"""The house plan holds on the real import graph (docs/DEVELOPING.md, "The house plan").

Every import counts: at the top of a module, inside a function, and by name (``importlib.import_module("…")``
or ``__import__("…")`` with a literal, and any text naming ``sv_helpers.apps`` outside the interface layer).
``from package import name`` is an edge to ``package.name`` when that is a module, else to ``package``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sv_helpers.core.paths import PACKAGE_DIR

AREAS = ("scoring", "grants", "climate", "impact", "planning")
#: Third-party packages only the interface may import (the model builds strings and tables, never widgets).
INTERFACE_ONLY = ("ipywidgets", "IPython", "traitlets", "voila")
#: matplotlib draws charts: only the reports layer (and the apps) may import it.
CHART_LIBRARIES = ("matplotlib",)


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {
        module_name(p): p
        for p in sorted(PACKAGE_DIR.rglob("*.py"))
        if "migrations" not in p.relative_to(PACKAGE_DIR).parts
    }


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return name in modules and modules[name].name == "__init__.py"


def imports_of(source: str, name: str, modules: dict[str, Path], *, is_package: bool = False) -> set[str]:
    """Every module ``name`` (whose source is ``source``) imports, in any of the ways the module docstring lists."""
    tree = ast.parse(source)
    found: set[str] = set()
    package = name if is_package else name.rpartition(".")[0]

    def add(target: str) -> None:
        found.add(target)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                add(sub if sub in modules else mod)
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    add(arg.value)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.strip()
            if text.startswith("sv_helpers.apps") and " " not in text:
                add(text)
    return found


def layer(name: str) -> str:
    parts = name.split(".")
    if parts[0] != "sv_helpers":
        return "third-party"
    if len(parts) == 1:
        return "top"
    head = parts[1]
    if head in AREAS:
        return "area"
    return {"core": "core", "reports": "reports", "apps": "apps", "store": "store"}.get(head, head)


def _area_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in AREAS else None


def _third_party(name: str) -> str:
    return name.split(".")[0]


def rule_breaches(name: str, targets: set[str]) -> list[str]:
    """What ``name`` may not import of ``targets``, by the table in docs/DEVELOPING.md."""
    me = layer(name)
    out = []
    for target in sorted(targets):
        there = layer(target)
        top = _third_party(target)
        if there == "third-party":
            if top in INTERFACE_ONLY and me not in ("apps", "cli"):
                out.append(f"{name} imports {target} (widgets belong to sv_helpers.apps)")
            if top in CHART_LIBRARIES and me not in ("reports", "apps"):
                out.append(f"{name} imports {target} (charts are drawn by sv_helpers.reports)")
            continue
        if target.startswith("sv_helpers.apps") and me not in ("apps", "cli"):
            out.append(f"{name} imports {target} (nothing but notebooks, benchmarks and the command line imports apps)")
        elif me == "core" and there not in ("core", "top"):
            out.append(f"{name} imports {target} (core imports nothing else of the workbook)")
        elif me == "reports" and there not in ("core", "reports", "top"):
            out.append(f"{name} imports {target} (reports imports core only)")
        elif me == "area":
            if there not in ("core", "reports", "area", "top"):
                out.append(f"{name} imports {target} (an area imports core and reports)")
            elif there == "area" and _area_of(target) != _area_of(name) and target != f"sv_helpers.{_area_of(target)}":
                out.append(f"{name} imports {target} (another area's internals: import its package)")
        elif me == "store" and there not in ("core", "store", "top"):
            out.append(f"{name} imports {target} (the store imports core; areas are found by name in the registry)")
    return out


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {
        name: imports_of(path.read_text(), name, modules, is_package=path.name == "__init__.py")
        for name, path in modules.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle among the workbook's own modules (Tarjan's strongly connected components)."""
    own = {n: {t for t in ts if t in graph and t != n} for n, ts in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(own[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(own):
        if v not in index:
            visit(v)
    return out


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_the_tree_is_the_house_plan():
    modules = all_modules()
    for package in ("core", "reports", *AREAS, "store", "apps"):
        assert f"sv_helpers.{package}" in modules and _is_package(f"sv_helpers.{package}", modules), package
    for area in AREAS:
        assert {f"sv_helpers.{area}.model", f"sv_helpers.{area}.report"} <= set(modules), area
    loose = sorted(n for n in modules if n.count(".") == 1 and not _is_package(n, modules))
    assert loose == ["sv_helpers.cli", "sv_helpers.sweep"]


@pytest.mark.parametrize("area", AREAS)
def test_every_area_exposes_settings_load_run_and_write(area):
    import importlib

    module = importlib.import_module(f"sv_helpers.{area}")
    for name in ("Settings", "load", "run", "write"):
        assert callable(getattr(module, name)), f"sv_helpers.{area}.{name}"


def test_every_import_keeps_to_the_layers(graph):
    breaches = [b for name, targets in graph.items() for b in rule_breaches(name, targets)]
    assert breaches == []


def test_there_is_no_import_circle(graph):
    assert circles(graph) == []


@pytest.mark.parametrize(
    "source",
    [
        "from sv_helpers.apps import widgets\n",
        "def f():\n    from sv_helpers.apps.base import ScenarioApp\n",
        "import importlib\n\ndef f():\n    return importlib.import_module('sv_helpers.apps.grants')\n",
        "def f():\n    return __import__('sv_helpers.apps')\n",
        "NAME = 'sv_helpers.apps.scoring'\n",
        "import ipywidgets\n",
        "def f():\n    import matplotlib.pyplot as plt\n",
    ],
    ids=["top-level", "in-a-function", "importlib", "dunder-import", "by-name", "widgets", "matplotlib"],
)
def test_the_rules_catch_a_model_module_reaching_the_interface_in_any_way(source):
    modules = all_modules()
    targets = imports_of(source, "sv_helpers.grants.model", modules)
    assert rule_breaches("sv_helpers.grants.model", targets), source


def test_the_rules_catch_a_circle_and_another_areas_internals():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert rule_breaches("sv_helpers.planning.allocation", {"sv_helpers.grants.model"})
    assert not rule_breaches("sv_helpers.planning.allocation", {"sv_helpers.grants"})
    assert rule_breaches("sv_helpers.reports.document", {"sv_helpers.impact.model"})
    assert rule_breaches("sv_helpers.core.scenario", {"sv_helpers.reports.document"})


def test_the_layer_table_in_developing_md_names_every_package():
    text = (PACKAGE_DIR.parent / "docs" / "DEVELOPING.md").read_text()
    assert text.lstrip().startswith("# Developing the workbook")
    plan = text[text.index("## The house plan") :]
    for package in ("core/", "reports/", *(f"{a}/" for a in AREAS), "store/", "apps/", "sweep.py", "cli.py"):
        assert package in plan, package
