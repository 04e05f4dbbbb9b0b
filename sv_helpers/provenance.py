"""The provenance record written beside every export.

A record holds the parameters a result was made with, the SHA-256 of every
input file, the package version and the time, so a published figure can be
reproduced and checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from sv_helpers import __version__

PROVENANCE_FILENAME = "provenance.json"


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
    """Turn numpy, pandas, path and date values into plain JSON values."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (pd.Timestamp, dt.date, dt.datetime)):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def provenance_record(
    parameters: Mapping[str, Any],
    inputs: Mapping[str, str | Path | bytes],
    *,
    notebook: str | None = None,
    created_at: dt.datetime | None = None,
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

    Returns
    -------
    dict
        ``created_at``, ``package``, ``package_version``, ``python``,
        ``notebook``, ``parameters`` and ``inputs`` (each with ``name``,
        ``sha256`` and ``bytes``).
    """
    files = []
    for role, source in inputs.items():
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            files.append({"role": role, "name": role, "sha256": sha256_bytes(data), "bytes": len(data)})
        else:
            path = Path(source)
            size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size
            files.append({"role": role, "name": path.name, "path": str(path), "sha256": sha256_file(path), "bytes": size})
    when = created_at or dt.datetime.now(dt.timezone.utc)
    return {
        "created_at": when.replace(microsecond=0).isoformat(),
        "package": "sv-helpers",
        "package_version": __version__,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "notebook": notebook,
        "parameters": json_safe(dict(parameters)),
        "inputs": files,
    }


def write_provenance(output_dir: str | Path, record: Mapping[str, Any]) -> Path:
    """Write ``provenance.json`` into ``output_dir`` and return its path."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / PROVENANCE_FILENAME
    path.write_text(json.dumps(json_safe(record), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def provenance_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """Flatten a record into two columns, ``item`` and ``value``, for an Excel sheet or a report."""
    rows = [(k, str(record[k])) for k in ("created_at", "package", "package_version", "python", "pandas", "notebook") if k in record]
    rows += [(f"parameter: {k}", json.dumps(json_safe(v), ensure_ascii=False)) for k, v in record.get("parameters", {}).items()]
    rows += [(f"input: {f['role']} ({f['name']})", f"sha256 {f['sha256']}, {f['bytes']} bytes") for f in record.get("inputs", [])]
    return pd.DataFrame(rows, columns=["item", "value"])
