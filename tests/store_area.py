"""A tiny area for the store's tests: one input file, an optional folder of CSVs, two settings.

It follows the scenario core exactly (``Settings``, ``load``, ``run``, ``write``), so
what the store does with it, it does with the workbook's real areas.  Registered
into ``scenario.AREAS`` by the ``store_area`` fixture (``tests/conftest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sv_helpers.core import scenario
from sv_helpers.core.errors import InputError
from sv_helpers.core.exports import json_text
from sv_helpers.core.paths import resolve_path

NAME = "store_test"


@dataclass(frozen=True)
class Settings(scenario.SettingsBase):
    """Settings of the test area."""

    AREA = NAME
    NOTEBOOK = "store_test.ipynb"

    measures: str = scenario.setting("data/example.csv", label="Measures file", kind="path")
    extra: str | None = scenario.setting(None, label="Folder of extra measures", kind="path", optional=True)
    factor: float = scenario.setting(1.0, label="Multiplier", minimum=0, maximum=100)
    title: str = scenario.setting("Test", label="Title")


def register() -> None:
    """Make the test area one of the workbook's areas (idempotent)."""
    scenario.AREAS[NAME] = __name__


def load(settings: Settings) -> scenario.Inputs:
    """Read the measures file (columns ``measure``, ``value``) and any CSVs in the extra folder."""
    path = resolve_path(settings.measures)
    if not path.is_file():
        raise InputError(f"The measures file {settings.measures} cannot be found.")
    frames = [pd.read_csv(path)]
    sources: dict[str, Path | bytes] = {"measures": path}
    if settings.extra:
        folder = resolve_path(settings.extra)
        frames += [pd.read_csv(p) for p in sorted(folder.glob("*.csv"))]
        sources["extra"] = folder
    return scenario.Inputs(values={"measures": pd.concat(frames, ignore_index=True)}, sources=sources)


def run(settings: Settings, inputs: scenario.Inputs | None = None) -> scenario.Result:
    """Multiply every value by the factor; the headline gives the total."""
    inputs = inputs if inputs is not None else load(settings)
    table = inputs["measures"].copy()
    table["value"] = table["value"] * settings.factor
    total = float(table["value"].sum())
    summary = {"title": settings.title, "total": total, "rows": len(table)}
    return scenario.Result(
        settings=settings,
        tables={"values": table},
        findings=[],
        headline=f"{settings.title}: the total is {total:,.2f}.",
        provenance=scenario.make_provenance(settings, inputs.sources),
        summary=summary,
        files={"summary.json": json_text(summary)},
    )


def write(result: scenario.Result, output_dir: str | Path) -> list[Path]:
    """The batch outputs: ``values.csv``, ``summary.json`` and ``provenance.json``."""
    return scenario.write_result(result, output_dir)


def make_inputs(folder: Path, values: tuple[float, ...] = (1.0, 2.5, 4.0)) -> Path:
    """Write a small measures file into ``folder`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "measures.csv"
    rows = "".join(f"m{i},{v}\n" for i, v in enumerate(values))
    path.write_text("measure,value\n" + rows, encoding="utf-8")
    return path


def save_in_process(url: str, measures: str, n: int, tag: str) -> list[str]:
    """Save ``n`` scenarios from a separate process (for the concurrency tests); return their ids."""
    from sv_helpers.store import open_store

    register()
    store = open_store(url)
    try:
        settings = Settings.from_parameters({"measures": measures, "factor": 2.0})
        result = run(settings)
        return [store.save(result, f"{tag} {i}", user=tag) for i in range(n)]
    finally:
        store.close()
