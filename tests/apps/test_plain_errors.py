"""A notebook cell that raises InputError shows the message alone, and a papermill run fails with it."""

import nbformat
import papermill as pm
import pytest


def test_papermill_fails_with_the_plain_message_and_no_stack(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from sv_helpers.apps import widgets as ui\nfrom sv_helpers.core.errors import InputError\nui.install_plain_errors()"
        ),
        nbformat.v4.new_code_cell(
            "def load():\n    raise InputError(\"bids.csv, row 2, column 'price': 'TBC' is not an amount of money.\")\nload()"
        ),
    ]
    source = tmp_path / "in.ipynb"
    nbformat.write(nb, source)
    with pytest.raises(pm.PapermillExecutionError) as info:
        pm.execute_notebook(str(source), str(tmp_path / "out.ipynb"), progress_bar=False, kernel_name="python3")
    assert info.value.ename == "InputError"
    assert info.value.evalue == "bids.csv, row 2, column 'price': 'TBC' is not an amount of money."
    assert "'TBC' is not an amount of money" in str(info.value)
    cells = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
    outputs = [c for c in cells if c.cell_type == "code" and "load()" in c.source][0].outputs
    error = [o for o in outputs if o.output_type == "error"][0]
    assert error.traceback == ["InputError: bids.csv, row 2, column 'price': 'TBC' is not an amount of money."]
    assert any("There is a problem" in o.get("data", {}).get("text/html", "") for o in outputs)
