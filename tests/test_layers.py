"""The model never imports the interface: no ipywidgets, matplotlib or IPython outside ui, charts, svgcharts, maps and apps."""

import ast

from sv_helpers.paths import PACKAGE_DIR

INTERFACE = {"ui.py", "charts.py", "svgcharts.py", "maps.py", "report.py"}
FORBIDDEN = ("ipywidgets", "matplotlib", "IPython")


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_model_modules_do_not_import_interface_libraries():
    offenders = []
    for path in PACKAGE_DIR.glob("*.py"):
        if path.name in INTERFACE:
            continue
        for name in _imports(path):
            if name.split(".")[0] in FORBIDDEN or name.startswith(
                ("sv_helpers.ui", "sv_helpers.charts", "sv_helpers.svgcharts", "sv_helpers.apps", "sv_helpers.maps")
            ):
                offenders.append(f"{path.name} imports {name}")
    assert offenders == []
