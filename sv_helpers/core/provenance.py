"""The provenance record written beside every export.

A record holds the parameters a result was made with, the SHA-256 of every
input file, the code's git commit (and whether the checkout had local
changes), the value and SHA-256 of every policy parameter file in
``data/parameters``, the versions of Python, pandas and numpy, the SHA-256 of
the lock file of pinned packages (``requirements.lock``) and the time, so a
published figure can be reproduced and checked.  It is always valid JSON:
NaN and infinity are written as ``null``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import json
import math
import platform
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sv_helpers import __version__
from sv_helpers.core.paths import DATA_DIR, REPO_ROOT

PROVENANCE_FILENAME = "provenance.json"

#: The lock file of pinned package versions, at the repository's root.
LOCK_FILENAME = "requirements.lock"


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks; of a folder, of its files in name order."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode())
        with open(file, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def json_safe(value: Any) -> Any:
    """Turn numpy, pandas, path and date values into plain JSON values.

    NaN and infinity become ``None`` (JSON has no such numbers); a value of
    any other type becomes its text, so the result always passes
    ``json.dumps(..., allow_nan=False)``.
    """
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Index, pd.Series)):
        return [json_safe(v) for v in (sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value))]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, decimal.Decimal)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Path):
        return str(value)
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (pd.Timestamp, dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def json_dumps(value: Any, **kwargs: Any) -> str:
    """Return strict JSON of a value after :func:`json_safe` (never ``NaN`` or ``Infinity``)."""
    return json.dumps(json_safe(value), allow_nan=False, ensure_ascii=False, **kwargs)


@functools.lru_cache(maxsize=4)
def code_version(root: str | Path = REPO_ROOT) -> dict[str, Any]:
    """Return the git commit of the code and whether the checkout has uncommitted changes.

    Returns ``{"commit": None, "dirty": None}`` when the folder is not a git
    checkout or git is not installed.  Read once per process.
    """
    root = Path(root)
    if not (root / ".git").exists():
        return {"commit": None, "dirty": None}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit or None, "dirty": bool(status.strip())}


@functools.lru_cache(maxsize=256)
def _parameter_file(path: str, mtime_ns: int, size: int) -> tuple[str, Any]:
    data = Path(path).read_bytes()
    try:
        raw = yaml.safe_load(data.decode("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        raw = {}
    values = raw.get("values") if isinstance(raw, dict) else None
    return sha256_bytes(data), json_safe(values)


def parameter_files(folder: str | Path = DATA_DIR / "parameters") -> list[dict[str, Any]]:
    """Return the name, path, SHA-256 and values of every policy parameter file (``*.yaml``) under ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*.yaml")):
        stat = path.stat()
        digest, values = _parameter_file(str(path), stat.st_mtime_ns, stat.st_size)
        relative = path.relative_to(folder)
        out.append(
            {
                "name": ".".join(relative.with_suffix("").parts),
                "path": relative.as_posix(),
                "sha256": digest,
                "values": values,
            }
        )
    return out


def lock_file_record(path: str | Path = REPO_ROOT / LOCK_FILENAME) -> dict[str, Any] | None:
    """Return the name and SHA-256 of the lock file of pinned packages, or ``None`` when there is none."""
    path = Path(path)
    if not path.is_file():
        return None
    return {"name": path.name, "sha256": sha256_file(path)}


def provenance_record(
    parameters: Mapping[str, Any],
    inputs: Mapping[str, str | Path | bytes],
    *,
    notebook: str | None = None,
    created_at: dt.datetime | None = None,
    code_root: str | Path | None = None,
    parameters_dir: str | Path | None = None,
    lock_path: str | Path | None = None,
) -> dict[str, Any]:
    """Build the provenance record of one result.

    Parameters
    ----------
    parameters : mapping
        Every parameter the result depends on (weights, budget, method, seed...).
    inputs : mapping of str to path or bytes
        Each input by its role (``"tender"``, ``"measures"``): a file or folder
        path, or the bytes of an upload.
    notebook : str, optional
        The notebook or app that made the result.
    created_at : datetime, optional
        The time to record; defaults to now (UTC).
    code_root, parameters_dir, lock_path : path, optional
        Where the code's git checkout, the policy parameter files and the
        lock file are; default the workbook's own.

    Returns
    -------
    dict
        ``created_at``, ``package``, ``package_version``, ``python``,
        ``pandas``, ``numpy``, ``code`` (``commit`` and ``dirty``),
        ``lock_file`` (``name`` and ``sha256``, or ``None``), ``notebook``,
        ``parameters``, ``inputs`` (each with ``name``, ``sha256`` and
        ``bytes``) and ``parameter_files`` (each with ``name``, ``path``,
        ``sha256`` and ``values``).  Plain JSON values only.
    """
    files = []
    for role, source in inputs.items():
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            files.append({"role": role, "name": role, "sha256": sha256_bytes(data), "bytes": len(data)})
        else:
            path = Path(source)
            size = (
                sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size
            )
            files.append(
                {"role": role, "name": path.name, "path": str(path), "sha256": sha256_file(path), "bytes": size}
            )
    when = created_at or dt.datetime.now(dt.UTC)
    return {
        "created_at": when.replace(microsecond=0).isoformat(),
        "package": "sv-helpers",
        "package_version": __version__,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "code": dict(code_version(Path(code_root) if code_root is not None else REPO_ROOT)),
        "lock_file": lock_file_record(Path(lock_path) if lock_path is not None else REPO_ROOT / LOCK_FILENAME),
        "notebook": notebook,
        "parameters": json_safe(dict(parameters)),
        "inputs": files,
        "parameter_files": parameter_files(
            Path(parameters_dir) if parameters_dir is not None else DATA_DIR / "parameters"
        ),
    }


def write_provenance(output_dir: str | Path, record: Mapping[str, Any]) -> Path:
    """Write ``provenance.json`` into ``output_dir`` and return its path."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / PROVENANCE_FILENAME
    path.write_text(json_dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def provenance_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """Flatten a record into two columns, ``item`` and ``value``, for an Excel sheet or a report."""
    rows = [
        (k, str(record[k]))
        for k in ("created_at", "package", "package_version", "python", "pandas", "numpy", "notebook")
        if k in record
    ]
    code = record.get("code")
    if isinstance(code, Mapping):
        commit = code.get("commit") or "not a git checkout"
        rows.append(("code commit", f"{commit}{' (with local changes)' if code.get('dirty') else ''}"))
    if "lock_file" in record:
        lock = record["lock_file"]
        rows.append(("lock file", f"{lock['name']}: sha256 {lock['sha256']}" if lock else "none"))
    rows += [(f"parameter: {k}", json_dumps(v)) for k, v in record.get("parameters", {}).items()]
    rows += [
        (f"input: {f['role']} ({f['name']})", f"sha256 {f['sha256']}, {f['bytes']} bytes")
        for f in record.get("inputs", [])
    ]
    rows += [
        (f"parameter file: {f['path']}", f"sha256 {f['sha256']}; values {json_dumps(f['values'])}")
        for f in record.get("parameter_files", [])
    ]
    return pd.DataFrame(rows, columns=["item", "value"])
