"""The bounds on what an officer's or a page's file may be: its size, rows, columns, cells and nesting.

Each bound has a default and, for size and rows, an environment variable an administrator may set
(``SV_MAX_UPLOAD_MB``, ``SV_MAX_ROWS``). A file over a bound is refused with a message naming it, never read whole.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from sv_helpers.core.errors import InputError

#: How many problems one message lists before it says "and N more".
MAX_PROBLEMS_LISTED = 5

#: The largest upload accepted, in megabytes (1 MB = 1,048,576 bytes), unless ``SV_MAX_UPLOAD_MB`` says otherwise.
DEFAULT_MAX_UPLOAD_MB = 20.0
#: The most rows of data a table may have, unless ``SV_MAX_ROWS`` says otherwise.
DEFAULT_MAX_ROWS = 100_000
#: The most characters one cell may hold (128 KB, the CSV module's own default).
MAX_CELL_CHARS = 131_072
#: The most columns a table may have (Excel's own limit).
MAX_COLUMNS = 16_384
#: How many times its own size an .xlsx file may unpack to (a larger ratio is a "zip bomb").
MAX_UNPACK_RATIO = 20
#: The deepest nesting of lists and objects a JSON file may have.
MAX_JSON_DEPTH = 32

_BYTES_PER_MB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """The bounds a file is checked against before it is parsed.

    Parameters
    ----------
    max_upload_mb : float
        The largest file accepted, in megabytes.
    max_rows : int
        The most rows of data a table may have.
    """

    max_upload_mb: float
    max_rows: int

    @property
    def max_bytes(self) -> int:
        return int(self.max_upload_mb * _BYTES_PER_MB)


def _env_limit(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        return default
    return value if math.isfinite(value) and value > 0 else default


def upload_limits(max_upload_mb: float | None = None, max_rows: int | None = None) -> UploadLimits:
    """Return the upload bounds: the arguments when given, else the environment, else 20 MB and 100,000 rows.

    The environment variables are ``SV_MAX_UPLOAD_MB`` and ``SV_MAX_ROWS``.

    An environment variable that is not a positive number is ignored (the default applies).
    """
    mb = float(max_upload_mb) if max_upload_mb is not None else _env_limit("SV_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)
    rows = int(max_rows) if max_rows is not None else int(_env_limit("SV_MAX_ROWS", DEFAULT_MAX_ROWS))
    if not (math.isfinite(mb) and mb > 0) or rows < 1:
        raise ValueError("upload limits must be positive")
    return UploadLimits(mb, rows)


def _size_text(size: float) -> str:
    mb = size / _BYTES_PER_MB
    if mb >= 1:
        return f"{mb:,.1f} MB"
    return f"{size / 1024:,.1f} KB" if size >= 1024 else f"{size:,.0f} bytes"


def _limit_text(mb: float) -> str:
    if mb < 1:
        return f"{mb * 1024:,.0f} KB"
    return f"{mb:,.0f} MB" if float(mb).is_integer() else f"{mb:,.1f} MB"


def check_upload_size(size: int, filename: str, *, max_upload_mb: float | None = None) -> None:
    """Refuse a file larger than the upload limit, before any of it is read.

    Raises
    ------
    InputError
        Naming the file, its size and the limit (and the setting that sets it).
    """
    limits = upload_limits(max_upload_mb)
    if size > limits.max_bytes:
        raise InputError(
            f"{filename} is {_size_text(size)}, larger than the {_limit_text(limits.max_upload_mb)} a file may be. "
            "Load a smaller file (for example only the years or rows needed), or ask the workbook's administrator "
            "to raise the limit (the setting SV_MAX_UPLOAD_MB)."
        )


def _too_many_rows(place: str, limits: UploadLimits) -> InputError:
    return InputError(
        f"{place} has more than {limits.max_rows:,} rows of data, the most a table may have. "
        "Split it into smaller files, or ask the workbook's administrator to raise the limit (the setting SV_MAX_ROWS)."
    )


def _column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_too_long(place: str, row: int, column: Any, length: int) -> InputError:
    return InputError(
        f"{place}, row {row}, column '{column}': the cell holds {length:,} characters, more than the "
        f"{MAX_CELL_CHARS:,} "
        "a cell may hold. Shorten it (or check that the file's quotes are balanced) and load the file again."
    )
