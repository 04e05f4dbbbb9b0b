"""Policy parameters kept as data: ``data/parameters/<area>/<name>.yaml``.

Each file follows PolicyEngine's layout::

    description: One sentence ending with a full stop.
    values:
      2025-02-24: 10          # value by the date it takes effect
    metadata:
      unit: percentage-points # currency-GBP, /1, year, tCO2e, ...
      label: Minimum social value weight
      reference:
        - title: Procurement Policy Note 002
          href: https://www.gov.uk/...

Code reads values with :func:`parameter_value`; it never restates them.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import DATA_DIR

PARAMETERS_DIR = DATA_DIR / "parameters"


@dataclass(frozen=True)
class Parameter:
    """One policy parameter with its history and metadata."""

    name: str
    description: str
    values: dict[dt.date, Any]
    unit: str
    label: str
    reference: list[dict[str, str]]

    def value_on(self, date: dt.date | None = None) -> Any:
        """Return the value in force on ``date`` (default: today)."""
        date = date or dt.date.today()
        in_force = [d for d in sorted(self.values) if d <= date]
        if not in_force:
            first = min(self.values)
            raise InputError(f"The parameter '{self.label}' has no value before {first:%d %B %Y}.")
        return self.values[in_force[-1]]


def _as_date(key: Any) -> dt.date:
    if isinstance(key, dt.datetime):
        return key.date()
    if isinstance(key, dt.date):
        return key
    return dt.date.fromisoformat(str(key))


def parameter_path(name: str) -> Path:
    """Map ``scoring.minimum_social_value_weight`` to its YAML file."""
    return PARAMETERS_DIR.joinpath(*name.split(".")).with_suffix(".yaml")


def load_parameter(name: str) -> Parameter:
    """Read one parameter file by its dotted name."""
    path = parameter_path(name)
    if not path.exists():
        raise InputError(f"The parameter file {path.relative_to(DATA_DIR.parent)} is missing.")
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    kept = _READ.get(path)
    if kept is None or kept[0] != key:
        kept = _READ[path] = (key, _parse(name, path))
    return copy.deepcopy(kept[1])


#: Each parameter file as last read, by path, with the modification time and size it had: an app's redraw
#: reads the same few files again and again, and an edited file is read afresh.
_READ: dict[Path, tuple[tuple[int, int], Parameter]] = {}


def _parse(name: str, path: Path) -> Parameter:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    meta = raw.get("metadata", {})
    return Parameter(
        name=name,
        description=raw.get("description", ""),
        values={_as_date(k): v for k, v in (raw.get("values") or {}).items()},
        unit=meta.get("unit", ""),
        label=meta.get("label", ""),
        reference=list(meta.get("reference") or []),
    )


def parameter_value(name: str, on: dt.date | None = None) -> Any:
    """Return the value of a parameter in force on a date (default: today)."""
    return load_parameter(name).value_on(on)


def all_parameter_names() -> list[str]:
    """Return the dotted names of every parameter file shipped in ``data/parameters``."""
    return sorted(".".join(p.relative_to(PARAMETERS_DIR).with_suffix("").parts) for p in PARAMETERS_DIR.rglob("*.yaml"))
