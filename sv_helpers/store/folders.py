"""The files a saved scenario holds and vouches for: folders packed to the same bytes anywhere, output hashes,
and which outputs a rerun compares."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

from sv_helpers.store.errors import StoreError

#: Output files a rerun compares byte for byte: the tables (CSV) and JSON, but not the provenance record,
#: which holds the time of the run and the paths of its inputs.
COMPARED_SUFFIXES = (".csv", ".json")
NOT_COMPARED = frozenset({"provenance.json"})
#: Every packed file's time: zip's earliest, so a folder packs to the same bytes on any day.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def sha256(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex."""
    return hashlib.sha256(data).hexdigest()


def pack_folder(folder: Path) -> bytes:
    """A folder as a zip whose bytes depend only on its files: names sorted, times and permissions fixed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, path.read_bytes(), compresslevel=6)
    return buffer.getvalue()


def unpack_folder(data: bytes, folder: Path) -> None:
    """Put a folder packed by :func:`pack_folder` back, refusing names that would leave it."""
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            target = (folder / info.filename).resolve()
            if root not in target.parents:
                raise StoreError(f"A stored folder holds a file named '{info.filename}', which is not allowed.")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))


def safe_name(name: str) -> str:
    """A file's name kept safe to put back in a folder (no path, no odd characters)."""
    cleaned = "".join(c if c.isalnum() or c in "._- " else "_" for c in Path(name).name).strip()
    return cleaned if cleaned not in ("", ".", "..") else "input"


def output_hashes(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file under a folder, by its path relative to it (``/`` separated)."""
    return {p.relative_to(folder).as_posix(): sha256(p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()}


def table_outputs(result: Any) -> dict[str, bytes]:
    """The outputs a saved scenario vouches for, as ``write_result`` writes them: each table as
    ``<name>.csv`` and each of the result's own files (``summary.json``), byte for byte.

    Worked out in memory, so saving is quick: reports and PDFs are not made to save a scenario.
    """
    from sv_helpers.core.exports import output_csv_bytes

    out = {f"{name}.csv": output_csv_bytes(table) for name, table in result.tables.items()}
    for name, content in (result.files or {}).items():
        out[name] = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    return out


def is_compared(file_name: str) -> bool:
    """Whether a rerun compares this output byte for byte (tables and JSON, not the provenance record)."""
    return file_name.lower().endswith(COMPARED_SUFFIXES) and Path(file_name).name not in NOT_COMPARED
