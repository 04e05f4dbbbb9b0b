"""Re-run notebooks and store only the outputs nbval compares.

For each notebook given (default: every notebook in notebooks/), run it from
the notebooks folder, keep the outputs of cells marked ``# NBVAL_CHECK_OUTPUT``,
clear every other output and drop the saved widget state, so the stored file
is small and reviewable.

    .venv/bin/python scripts/refresh_checked_outputs.py notebooks/impact_report.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "NBVAL_CHECK_OUTPUT" not in cell.source:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"refreshed {path.relative_to(REPO)}")


def main(args: list[str]) -> int:
    paths = [Path(a).resolve() for a in args] or sorted((REPO / "notebooks").glob("*.ipynb"))
    for path in paths:
        refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
