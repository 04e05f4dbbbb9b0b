"""Climate interventions: the planned actions, their abatement wedges, the plan's verdict and the cost curve.

Model layer: pure functions on pandas and numpy objects (no widgets, no charts).  Abatement is in
tonnes CO2e (tCO2e); wedges against a series in kilotonnes (kt).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sv_helpers.core.errors import Finding, InputError
from sv_helpers.core.formatting import format_money, format_number
from sv_helpers.core.tables import Column, TableSchema, load_table

INTERVENTIONS_SCHEMA = TableSchema(
    "interventions",
    (
        Column("intervention", unique=True, description="A short name for the action"),
        Column(
            "scope",
            "category",
            allowed=("district", "council estate"),
            description="Whether it cuts the district's emissions or the council's own",
        ),
        Column(
            "sector",
            description="The emissions sector it cuts (Domestic, Transport, ... or Scope 1/2/3 for the estate)",
        ),
        Column(
            "annual_abatement_tco2e",
            "number",
            minimum=0,
            label="Annual abatement (tCO2e)",
            description="Tonnes CO2e a year saved at full delivery",
        ),
        Column(
            "start_year", "integer", minimum=2000, maximum=2100, description="Calendar year the action starts saving"
        ),
        Column(
            "ramp_up_years", "integer", minimum=0, maximum=50, description="Years to reach full delivery (0 = at once)"
        ),
        Column("cost", "money", minimum=0, description="Total cost in pounds"),
        Column(
            "lifetime_years",
            "integer",
            minimum=1,
            maximum=100,
            description="Years the saving lasts from the start year",
        ),
    ),
    description="Planned climate actions.",
)

EXAMPLE_INTERVENTIONS_PATH = "interventions_example.csv"


def load_interventions(source: Any = None, *, filename: str | None = None) -> pd.DataFrame:
    """Load an interventions table (see :data:`INTERVENTIONS_SCHEMA`); the example set by default.

    Raises
    ------
    InputError
        Naming the file, row and column of any malformed cell.
    """
    from sv_helpers.core.paths import data_path

    source = data_path("climate", EXAMPLE_INTERVENTIONS_PATH) if source is None else source
    table = load_table(source, INTERVENTIONS_SCHEMA, filename=filename)
    for col in ("start_year", "ramp_up_years", "lifetime_years"):
        table[col] = table[col].astype(int)
    return table


def check_interventions(
    interventions: pd.DataFrame, *, sectors: Iterable[str], last_actual_year: int | None = None
) -> list[Finding]:
    """Check interventions against the series they will be set against.

    Returns
    -------
    list of Finding
        Errors for zero abatement; warnings for a sector the series does not
        have (its saving then counts against the total only) and for actions
        that started before the projection (their saving may be in the actuals).
    """
    findings: list[Finding] = []
    sectors = set(sectors)
    for row, rec in interventions.iterrows():
        name = rec["intervention"]
        if rec["annual_abatement_tco2e"] <= 0:
            findings.append(
                Finding(
                    "error", f"Interventions, row {row} ('{name}'): the annual abatement must be more than 0 tCO2e."
                )
            )
        if rec["sector"] not in sectors:
            findings.append(
                Finding(
                    "warning",
                    f"Interventions, row {row} ('{name}'): the sector '{rec['sector']}' is not a sector of this series ({', '.join(sorted(sectors))}); its saving is counted against the total only.",
                )
            )
        if last_actual_year is not None and rec["start_year"] <= last_actual_year:
            findings.append(
                Finding(
                    "warning",
                    f"Interventions, row {row} ('{name}'): it starts in {rec['start_year']}, not after the last actual year ({last_actual_year}); part of its saving may already be in the actual figures.",
                )
            )
    return findings


def intervention_abatement(interventions: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """Return each action's abatement (tCO2e) in each year: ramped up, then held.

    In year y an action delivers ``annual_abatement_tco2e`` × min(1, (y − start + 1) ÷ ramp_up_years)
    (full delivery at once when ramp_up_years is 0), from ``start_year`` on,
    and nothing before.  The saving is assumed to continue after the action's
    lifetime (the measure is renewed like for like); the lifetime only sets the
    tonnes its cost buys in :func:`marginal_abatement_cost_curve`.

    Returns
    -------
    DataFrame
        Index ``year``, one column per intervention.

    Examples
    --------
    >>> iv = pd.DataFrame({"intervention": ["A"], "annual_abatement_tco2e": [100.0], "start_year": [2025], "ramp_up_years": [4], "lifetime_years": [10]})
    >>> intervention_abatement(iv, range(2024, 2036))["A"].tolist()
    [0.0, 25.0, 50.0, 75.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0]
    """
    y = np.asarray(list(years), dtype=float)[:, None]
    start = interventions["start_year"].to_numpy(dtype=float)[None, :]
    ramp = interventions["ramp_up_years"].to_numpy(dtype=float)[None, :]
    full = interventions["annual_abatement_tco2e"].to_numpy(dtype=float)[None, :]
    elapsed = y - start + 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            ramp > 0, np.clip(elapsed / np.where(ramp > 0, ramp, 1.0), 0.0, 1.0), (elapsed >= 1).astype(float)
        )
    active = y >= start
    values = np.where(active, share * full, 0.0)
    out = pd.DataFrame(
        values, index=pd.Index(np.asarray(y[:, 0], dtype=int), name="year"), columns=list(interventions["intervention"])
    )
    return out


def wedge_table(
    last_actual_year: int, last_actual_kt: float, interventions: pd.DataFrame, end_year: int
) -> pd.DataFrame:
    """The abatement wedges against a baseline held at the last actual year's level.

    Returns
    -------
    DataFrame
        ``year``, ``baseline_kt``, one column per intervention (kt abated),
        ``total_abatement_kt`` and ``residual_kt`` (baseline minus abatement,
        not below zero), for each year after the last actual year up to ``end_year``.
    """
    years = np.arange(last_actual_year + 1, end_year + 1)
    abatement_kt = intervention_abatement(interventions, years) / 1000.0
    out = pd.DataFrame({"year": years, "baseline_kt": float(last_actual_kt)})
    for name in abatement_kt.columns:
        out[name] = abatement_kt[name].to_numpy()
    out["total_abatement_kt"] = abatement_kt.sum(axis=1).to_numpy()
    out["residual_kt"] = np.maximum(out["baseline_kt"] - out["total_abatement_kt"], 0.0)
    return out


def assess_plan(wedges: pd.DataFrame, pathway: pd.DataFrame, target_year: int) -> dict[str, Any]:
    """Whether the planned actions bring residual emissions down to the pathway.

    Returns
    -------
    dict
        ``meets_target`` (residual at or below the pathway in the target
        year), ``residual_kt_in_target_year``, ``pathway_kt_in_target_year``,
        ``shortfall_kt`` (residual minus pathway in the target year, 0 when
        met), ``cumulative_residual_kt`` and ``cumulative_pathway_kt`` to the
        target year, and ``years_above_pathway`` (how many projected years the
        residual is above the pathway).
    """
    merged = wedges[["year", "residual_kt"]].merge(pathway[["year", "pathway_kt"]], on="year", how="inner")
    merged = merged[merged["year"] <= target_year]
    at_target = merged[merged["year"] == target_year]
    if at_target.empty:
        raise InputError(f"There is no pathway value for {target_year} to compare the plan with.")
    residual = float(at_target["residual_kt"].iloc[0])
    path = float(at_target["pathway_kt"].iloc[0])
    tolerance = 1e-9 * max(1.0, path)
    return {
        "meets_target": bool(residual <= path + tolerance),
        "residual_kt_in_target_year": residual,
        "pathway_kt_in_target_year": path,
        "shortfall_kt": max(residual - path, 0.0),
        "cumulative_residual_kt": float(merged["residual_kt"].sum()),
        "cumulative_pathway_kt": float(merged["pathway_kt"].sum()),
        "years_above_pathway": int((merged["residual_kt"] > merged["pathway_kt"] + tolerance).sum()),
    }


def marginal_abatement_cost_curve(interventions: pd.DataFrame) -> pd.DataFrame:
    """The marginal abatement cost curve: actions from cheapest to dearest per tonne.

    Cost per tonne is the cost divided by the tonnes saved over the action's
    lifetime at full delivery (annual abatement × lifetime; undiscounted).
    Each bar's width is the action's annual abatement at full delivery.

    Returns
    -------
    DataFrame
        ``intervention``, ``sector``, ``annual_abatement_tco2e``,
        ``lifetime_abatement_tco2e``, ``cost``, ``cost_per_tco2e``,
        ``cumulative_start_tco2e``, ``cumulative_abatement_tco2e``.

    Examples
    --------
    >>> iv = pd.DataFrame({"intervention": ["A", "B"], "sector": ["x", "y"], "annual_abatement_tco2e": [10.0, 20.0], "cost": [1000.0, 200.0], "lifetime_years": [10, 5]})
    >>> marginal_abatement_cost_curve(iv)[["intervention", "cost_per_tco2e", "cumulative_abatement_tco2e"]].values.tolist()
    [['B', 2.0, 20.0], ['A', 10.0, 30.0]]
    """
    out = interventions[["intervention", "sector", "annual_abatement_tco2e", "cost", "lifetime_years"]].copy()
    out["lifetime_abatement_tco2e"] = out["annual_abatement_tco2e"] * out["lifetime_years"].astype(float)
    out["cost_per_tco2e"] = out["cost"] / out["lifetime_abatement_tco2e"]
    out = out.sort_values(["cost_per_tco2e", "intervention"], kind="stable").reset_index(drop=True)
    out["cumulative_abatement_tco2e"] = out["annual_abatement_tco2e"].cumsum()
    out["cumulative_start_tco2e"] = out["cumulative_abatement_tco2e"] - out["annual_abatement_tco2e"]
    return out[
        [
            "intervention",
            "sector",
            "annual_abatement_tco2e",
            "lifetime_abatement_tco2e",
            "cost",
            "cost_per_tco2e",
            "cumulative_start_tco2e",
            "cumulative_abatement_tco2e",
        ]
    ]


def macc_sentence(macc: pd.DataFrame) -> str:
    """Describe the cost curve in one sentence (for its alt text)."""
    if macc.empty:
        return "No interventions are selected."
    cheapest, dearest = macc.iloc[0], macc.iloc[-1]
    return (
        f"{len(macc)} actions saving {format_number(macc['annual_abatement_tco2e'].sum())} tCO2e a year at full delivery; "
        f"cheapest per tonne: {cheapest['intervention']} at {format_money(cheapest['cost_per_tco2e'])}; "
        f"dearest: {dearest['intervention']} at {format_money(dearest['cost_per_tco2e'])}."
    )


INTERVENTIONS_EXAMPLE_NOTE = (
    "The interventions are example figures for illustration (each name starts 'Example:'); "
    "load the council's own plan to replace them."
)
