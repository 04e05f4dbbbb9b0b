"""Climate results in the impact report: the climate targets notebook's ``summary.json`` and ``pathway.csv``.

Loaders for the two files, the latest actual emissions against the chosen pathway, and the sentence saying so.

Model layer: pure functions on pandas objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_number, format_pct, sentence_list
from sv_helpers.core.tables import Column, TableSchema, load_table

CLIMATE_PATHWAY_SCHEMA = TableSchema(
    "pathway",
    (
        Column("year", "integer", minimum=1990, maximum=2100, description="Calendar year."),
        Column(
            "actual_kt",
            "number",
            required=False,
            allow_blank=True,
            default=np.nan,
            description="Actual emissions, kilotonnes CO2.",
        ),
        Column(
            "pathway_kt",
            "number",
            required=False,
            allow_blank=True,
            default=np.nan,
            description="The chosen pathway's emissions, kilotonnes CO2.",
        ),
        Column(
            "trend_kt",
            "number",
            required=False,
            allow_blank=True,
            default=np.nan,
            description="The emissions trend, kilotonnes CO2.",
        ),
    ),
    description="The climate app's pathway.csv (papermill output).",
)

CLIMATE_SUMMARY_KEYS = (
    "last_actual_year",
    "last_actual_kt",
    "required_annual_reduction_pct",
    "cumulative_to_target_kt",
    "trend_net_zero_year",
    "budget_exhausted_year",
)


def load_climate_pathway(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load the climate app's ``pathway.csv``."""
    return load_table(source, CLIMATE_PATHWAY_SCHEMA, filename=filename)


def load_climate_summary(source: str | Path | bytes, *, filename: str | None = None) -> dict[str, Any]:
    """Load the climate app's ``summary.json``.

    Raises
    ------
    InputError
        When the file is missing, is not JSON, or lacks ``last_actual_year``
        and ``last_actual_kt``.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), filename or "summary.json"
    else:
        path = Path(source)
        name = filename or path.name
        if not path.is_file():
            raise InputError(f"{name} was not found (looked for {path}).")
        data = path.read_bytes()
    try:
        summary = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(
            f"{name} could not be read: it is not a JSON file. "
            "Use the summary.json written by the climate targets notebook."
        ) from None
    if not isinstance(summary, dict):
        raise InputError(f"{name} is not a climate summary: it should hold named figures such as last_actual_year.")
    missing = [k for k in ("last_actual_year", "last_actual_kt") if k not in summary]
    if missing:
        raise InputError(
            f"{name} lacks {sentence_list(missing)}. Use the summary.json written by the climate targets notebook."
        )
    return summary


def climate_progress(summary: Mapping[str, Any], pathway: pd.DataFrame | None) -> dict[str, Any]:
    """Latest actual emissions against the chosen pathway.

    The pathway is read in the latest actual year when it has a value there,
    else in its first year after it (the climate notebook's pathway starts
    the year after the last actual figure).

    Returns
    -------
    dict
        ``year`` and ``actual_kt`` (the latest actual figure), ``pathway_year``
        and ``pathway_kt`` (NaN when no pathway is given), ``gap_kt`` (actual
        minus pathway in the same year, positive above the pathway; NaN when
        the pathway has no value in that year), ``series`` and the climate
        summary's figures as given.
    """
    year = int(summary["last_actual_year"])
    actual = float(summary["last_actual_kt"])
    pathway_year, pathway_kt = None, float("nan")
    if pathway is not None and len(pathway):
        points = pathway[["year", "pathway_kt"]].dropna()
        points = points[pd.to_numeric(points["year"]) >= year].sort_values("year")
        if len(points):
            pathway_year, pathway_kt = int(points["year"].iloc[0]), float(points["pathway_kt"].iloc[0])
    out = {k: summary.get(k) for k in CLIMATE_SUMMARY_KEYS}
    out.update(
        {
            "year": year,
            "actual_kt": actual,
            "pathway_year": pathway_year,
            "pathway_kt": pathway_kt,
            "gap_kt": actual - pathway_kt if pathway_year == year else float("nan"),
            "series": summary.get("series"),
            "target_year": summary.get("target_year"),
        }
    )
    return out


def climate_sentence(c: Mapping[str, Any]) -> str:
    """Say where district emissions stand against the chosen pathway, from :func:`climate_progress`."""
    text = (
        f"District emissions were {format_number(c['actual_kt'], 1)} kt CO2 in {c['year']}, "
        "the latest year with actual figures"
    )
    if np.isfinite(c["gap_kt"]):
        side = "above" if c["gap_kt"] > 0 else "below"
        gap, pathway = format_number(abs(c["gap_kt"]), 1), format_number(c["pathway_kt"], 1)
        text += f": {gap} kt {side} the chosen pathway ({pathway} kt)"
    elif c.get("pathway_year") is not None:
        text += f"; the chosen pathway brings them to {format_number(c['pathway_kt'], 1)} kt in {c['pathway_year']}"
    text += "."
    if c.get("required_annual_reduction_pct") is not None:
        text += f" The pathway needs a cut of {format_pct(c['required_annual_reduction_pct'], 1)} a year"
        text += f" to reach net zero by {c['target_year']}." if c.get("target_year") else "."
    if c.get("trend_net_zero_year") is not None:
        text += f" On the current trend emissions would reach zero in {c['trend_net_zero_year']}."
    return text
