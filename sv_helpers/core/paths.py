"""Where the workbook's files are, and how a path a person names is found."""

from __future__ import annotations

from pathlib import Path

from sv_helpers.core.errors import InputError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # sv_helpers/ (this file is sv_helpers/core/paths.py)
REPO_ROOT = PACKAGE_DIR.parent
DATA_DIR = REPO_ROOT / "data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
OUTPUTS_DIR = REPO_ROOT / "outputs"


def data_path(*parts: str) -> Path:
    """Return the path of a shipped data file, e.g. ``data_path("measures.csv")``."""
    return DATA_DIR.joinpath(*parts)


def resolve_path(path: str | Path, *, setting: str | None = None, expect: str | None = None) -> Path:
    """Resolve a path named by the person running the work (a notebook parameter, ``svw``, a sweep grid).

    The file is read where it is, inside the workbook's folder or not: an officer's own tender in
    ``/srv/tenders/2026-05/`` is theirs to name. Relative paths are tried against the current directory
    first, then the workbook's folder, so ``data/measures.csv`` works from ``notebooks/`` too. What reaches
    an app from a page never comes here as a path: a link cannot set a path setting (``Settings.from_query``
    refuses it) and an upload is content. On a shared server, what an officer's notebook may open is the
    operating system's to decide (each JupyterHub user runs as their own user; ``deploy/README.md``).

    Parameters
    ----------
    path : str or Path
        The path as given.
    setting : str, optional
        The setting the path came from, named in the message.
    expect : {"file", "folder"}, optional
        When given, the path must exist and be one: a missing file or a folder where a file is expected
        gets a plain-English message naming the setting and the path.

    Returns
    -------
    Path
        The path to open (without ``expect`` it may not exist: the loader then says so).

    Raises
    ------
    InputError
        When the text is not a file name at all (empty, a NUL byte, too long for this computer), or is not
        what ``expect`` asks for.

    Examples
    --------
    >>> resolve_path("data/measures.csv").name
    'measures.csv'
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
        exists, is_dir = chosen.exists(), chosen.is_dir()
    except (OSError, RuntimeError, ValueError):
        raise InputError(f"{named} ('{_shown(text)}') is not a file name this computer can open.") from None
    names = f"{named} names" if setting else "The path"
    if expect == "file" and is_dir:
        raise InputError(f"{names} a folder ({_shown(text)}), not a file. Name the file inside it.")
    if expect == "folder" and exists and not is_dir:
        raise InputError(f"{names} a file ({_shown(text)}), not a folder. Name the folder it is in.")
    if expect in ("file", "folder") and not exists:
        raise InputError(
            f"{names} a {expect} that does not exist: {_shown(text)} "
            f"(looked for in {_shown(str(Path.cwd()))} and in the workbook's folder). Check the name and the folder."
        )
    return chosen


def _shown(text: str) -> str:
    text = text.replace("\x00", "\\0")
    return text if len(text) <= 80 else text[:77] + "..."
