"""Every notebook keeps the workbook's conventions (docs/DEVELOPING.md).

- exactly one cell tagged ``parameters`` (papermill), holding only literal,
  type-annotated assignments, each with a trailing comment;
- a single ``#`` heading in the first cell (the page title);
- no stored error outputs, and stored outputs only where nbval compares them
  (cells marked ``# NBVAL_CHECK_OUTPUT``);
- the kernel is ``python3``.
"""

from __future__ import annotations

import ast
import json

import pytest

from sv_helpers.core.paths import NOTEBOOKS_DIR

NOTEBOOKS = sorted(p for p in NOTEBOOKS_DIR.glob("*.ipynb"))
APPS = [p for p in NOTEBOOKS if p.name != "index.ipynb"]


def cells(path):
    return json.loads(path.read_text())["cells"]


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_title_and_python3_kernel(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and source(first).lstrip().startswith("# ")
    h1s = [
        line
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
        for line in source(c).splitlines()
        if line.startswith("# ")
    ]
    assert len(h1s) == 1, f"one page title, found {h1s}"


@pytest.mark.parametrize("path", APPS, ids=lambda p: p.name)
def test_parameters_cell_holds_only_commented_literals(path):
    tagged = [c for c in cells(path) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    text = source(tagged[0])
    tree = ast.parse(text)
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), (
            f"line {node.lineno}: parameters are annotated assignments (name: type = value)"
        )
        value = node.value
        try:
            ast.literal_eval(value)
        except ValueError:
            pytest.fail(f"{ast.unparse(node)}: papermill parameters must be literal values")
        line = text.splitlines()[node.lineno - 1]
        assert "#" in line, f"{ast.unparse(node.target)}: add a trailing comment saying what it is, with its unit"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_saved_widget_state(path):
    nb = json.loads(path.read_text())
    assert "widgets" not in nb["metadata"], "clear the saved widget state (scripts/refresh_checked_outputs.py does)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_are_only_the_checked_ones_and_never_errors(path):
    for cell in cells(path):
        if cell["cell_type"] != "code":
            continue
        outputs = cell.get("outputs", [])
        assert not any(o["output_type"] == "error" for o in outputs), "a stored output is an error"
        if outputs:
            assert "NBVAL_CHECK_OUTPUT" in source(cell), (
                "clear outputs except in cells nbval compares (# NBVAL_CHECK_OUTPUT)"
            )


AREA_NAMES = ("scoring", "grants", "climate", "impact", "planning")
#: Parameters of every notebook that are not settings of a run: where to write and where to record it.
RUN_PARAMETERS = {"output_dir", "store_url"}


@pytest.mark.parametrize("area_name", AREA_NAMES)
def test_every_setting_of_an_area_is_a_papermill_parameter_of_its_notebook_and_reaches_the_run(area_name):
    """A batch run can set everything the app can: the parameters cell lists every field of ``Settings``, each
    with the setting's own default, and each is passed on to ``Settings.from_parameters``."""
    import dataclasses

    from sv_helpers.core import scenario

    module = scenario.area(area_name)
    notebook = NOTEBOOKS_DIR / module.Settings.NOTEBOOK
    tagged = next(c for c in cells(notebook) if "parameters" in c.get("metadata", {}).get("tags", []))
    assigned = {
        node.target.id: ast.literal_eval(node.value)
        for node in ast.parse(source(tagged)).body
        if isinstance(node, ast.AnnAssign)
    }
    fields = [f.name for f in dataclasses.fields(module.Settings) if f.name not in ("AREA", "NOTEBOOK")]
    assert sorted(set(assigned) - RUN_PARAMETERS) == sorted(fields)
    defaults = module.Settings().to_parameters()
    for name in fields:
        assert assigned[name] == defaults[name], f"{name}: the notebook's default differs from the setting's"
    passed = "".join(source(c) for c in cells(notebook) if "Settings.from_parameters" in source(c))
    for name in fields:
        assert f"{name}={name}" in passed.replace(" ", ""), f"{name} is not passed to Settings.from_parameters"
