"""Where the workbook's files are, and which files a setting may name."""

from __future__ import annotations

import os
from pathlib import Path

from sv_helpers.errors import InputError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
DATA_DIR = REPO_ROOT / "data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
OUTPUTS_DIR = REPO_ROOT / "outputs"

#: An environment variable naming more folders (separated by ``os.pathsep``) files may be read from.
ALLOWED_DIRS_VARIABLE = "SV_ALLOWED_DIRS"


def data_path(*parts: str) -> Path:
    """Return the path of a shipped data file, e.g. ``data_path("measures.csv")``."""
    return DATA_DIR.joinpath(*parts)


def allowed_folders() -> list[Path]:
    """Return the folders a setting may name files in: the workbook's folder and any in ``SV_ALLOWED_DIRS``."""
    folders = [REPO_ROOT.resolve()]
    for entry in os.environ.get(ALLOWED_DIRS_VARIABLE, "").split(os.pathsep):
        if entry.strip():
            folders.append(Path(entry.strip()).expanduser().resolve())
    return folders


def is_inside_workbook(path: str | Path) -> bool:
    """Whether a path (symbolic links followed) is inside one of :func:`allowed_folders`."""
    real = Path(path).expanduser().resolve()
    return any(real == folder or folder in real.parents for folder in allowed_folders())


def resolve_path(path: str | Path, *, allow_outside: bool = False, setting: str | None = None) -> Path:
    """Resolve a path given by a user or a notebook parameter, refusing files outside the workbook's folder.

    Relative paths are tried against the current directory first, then the
    repository root, so ``data/measures.csv`` works from ``notebooks/`` too.

    Parameters
    ----------
    path : str or Path
        The path as given.
    allow_outside : bool
        Let the path lead outside the workbook's folder.  Only an officer's
        own run (papermill, a notebook in JupyterLab) should ask for this;
        an app never does, so a link or an upload cannot make the server read
        other files (``/etc/passwd``, ``../../secrets``).
    setting : str, optional
        The setting the path came from, named in the message.

    Returns
    -------
    Path
        The path to open (it may not exist: the loader then says so).

    Raises
    ------
    InputError
        When the path leads outside the workbook's folder (and the folders in
        ``SV_ALLOWED_DIRS``) and ``allow_outside`` is false, or is not a path at all.
    """
    named = f"The setting '{setting}'" if setting else "The file name"
    text = str(path)
    if "\x00" in text or not text.strip():
        raise InputError(f"{named} ('{_shown(text)}') is not a file name.")
    try:
        p = Path(path).expanduser()
        if p.is_absolute() or p.exists():
            chosen = p
        else:
            candidate = REPO_ROOT / p
            chosen = candidate if candidate.exists() else p
        inside = allow_outside or is_inside_workbook(
            chosen if chosen.is_absolute() or chosen.exists() else REPO_ROOT / chosen
        )
    except (OSError, RuntimeError, ValueError):
        raise InputError(f"{named} ('{_shown(text)}') is not a file name this computer can open.") from None
    if not inside:
        what = f"The setting '{setting}' names a file" if setting else "The file"
        raise InputError(
            f"{what} outside the workbook's folder ({_shown(text)}); files are only read from inside it. "
            "Copy the file into the workbook's data folder and name it from there, or load it with the upload button."
        )
    return chosen


def _shown(text: str) -> str:
    text = text.replace("\x00", "\\0")
    return text if len(text) <= 80 else text[:77] + "..."
