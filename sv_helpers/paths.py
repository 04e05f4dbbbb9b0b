"""Where the workbook's files are."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
DATA_DIR = REPO_ROOT / "data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
OUTPUTS_DIR = REPO_ROOT / "outputs"


def data_path(*parts: str) -> Path:
    """Return the path of a shipped data file, e.g. ``data_path("measures.csv")``."""
    return DATA_DIR.joinpath(*parts)


def resolve_path(path: str | Path) -> Path:
    """Resolve a path given by a user or a notebook parameter.

    Relative paths are tried against the current directory first, then the
    repository root, so ``data/measures.csv`` works from ``notebooks/`` too.
    """
    p = Path(path).expanduser()
    if p.is_absolute() or p.exists():
        return p
    candidate = REPO_ROOT / p
    return candidate if candidate.exists() else p
