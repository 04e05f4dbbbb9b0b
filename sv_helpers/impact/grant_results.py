"""Grant results in the impact report: the grants app's allocations and the grant monitoring returns.

Loaders for the two files (checked by :mod:`sv_helpers.core.tables`), the check that monitoring returns name
funded grants, and the funded grants' awards and outcomes by the scheme's theme.

Model layer: pure functions on pandas objects.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sv_helpers.core import valuation as val
from sv_helpers.core.errors import Finding
from sv_helpers.core.measures import unknown_measure_codes
from sv_helpers.core.tables import Column, TableSchema, load_table

GRANT_ALLOCATIONS_SCHEMA = TableSchema(
    "allocations",
    (
        Column("application_id", "text", unique=True, description="The application's reference."),
        Column("organisation", "text", description="The group funded."),
        Column("project", "text", description="What the grant pays for."),
        Column("theme", "text", description="The grant scheme's theme, e.g. Older people."),
        Column(
            "ward", "text", required=False, allow_blank=True, default="", description="The ward the project serves."
        ),
        Column("amount_requested", "money", minimum=0, description="The grant asked for, in pounds."),
        Column("awarded", "money", minimum=0, description="The grant awarded, in pounds (0 when not funded)."),
        Column("funded", "boolean", description="Whether the application was funded."),
        Column(
            "beneficiaries",
            "integer",
            required=False,
            allow_blank=True,
            minimum=0,
            description="People the project expected to benefit.",
        ),
    ),
    description="The grants app's allocations.csv (papermill output).",
)

GRANT_MONITORING_SCHEMA = TableSchema(
    "grant_monitoring",
    (
        Column("application_id", "text", description="The grant's application reference, as in the allocations."),
        Column(
            "volunteer_hours",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            default=np.nan,
            description="Hours given by volunteers on the funded project in the year.",
        ),
        Column(
            "beneficiaries",
            "integer",
            required=False,
            allow_blank=True,
            minimum=0,
            description="People who benefited from the funded project in the year.",
        ),
        Column(
            "evidence",
            "text",
            required=False,
            allow_blank=True,
            default="",
            description="A reference to the evidence, or a short note.",
        ),
        Column(
            "measure_code",
            "text",
            required=False,
            allow_blank=True,
            default="",
            description="An outcome the grant delivered, as a code from the measures library (blank: none valued).",
        ),
        Column(
            "quantity",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            default=np.nan,
            description="How much of that outcome was delivered, in the measure's unit.",
        ),
    ),
    description=(
        "Grant monitoring returns: one row per funded grant (or per return; rows for the same grant are added up)."
    ),
)


def load_grant_allocations(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load the grants app's ``allocations.csv``."""
    return load_table(source, GRANT_ALLOCATIONS_SCHEMA, filename=filename)


def load_grant_monitoring(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load grant monitoring returns (CSV or .xlsx)."""
    return load_table(source, GRANT_MONITORING_SCHEMA, filename=filename)


def grant_outcomes(allocations: pd.DataFrame, monitoring: pd.DataFrame | None) -> pd.DataFrame:
    """Funded grants, their awards and their outcomes, by the scheme's theme.

    Beneficiaries come from the monitoring returns where a grant has one,
    else from the allocations (the number expected).

    Returns
    -------
    DataFrame
        ``theme, grants_funded, awarded_gbp, volunteer_hours,
        beneficiaries`` (volunteer hours NaN where no monitoring returns
        were given), one row per theme with a funded grant, and a last row
        ``All themes``.
    """
    funded = allocations[allocations["funded"].astype(bool).to_numpy()].copy()
    funded["application_id"] = funded["application_id"].astype(str)
    expected = (
        pd.to_numeric(funded["beneficiaries"], errors="coerce").astype("float64")
        if "beneficiaries" in funded.columns
        else pd.Series(np.nan, index=funded.index)
    )
    funded["beneficiaries_out"] = expected.to_numpy()
    funded["volunteer_hours"] = np.nan
    if monitoring is not None and len(monitoring):
        mon = monitoring.assign(application_id=monitoring["application_id"].astype(str))
        hours = mon.groupby("application_id")["volunteer_hours"].sum(min_count=1)
        people = (
            pd.to_numeric(mon["beneficiaries"], errors="coerce")
            .astype("float64")
            .groupby(mon["application_id"])
            .sum(min_count=1)
        )
        funded["volunteer_hours"] = funded["application_id"].map(hours).astype("float64").to_numpy()
        reported = funded["application_id"].map(people).astype("float64")
        funded["beneficiaries_out"] = reported.fillna(pd.Series(expected.to_numpy(), index=reported.index)).to_numpy()
    grouped = funded.groupby("theme", sort=True).agg(
        grants_funded=("application_id", "count"),
        awarded_gbp=("awarded", "sum"),
        volunteer_hours=("volunteer_hours", lambda s: s.sum(min_count=1)),
        beneficiaries=("beneficiaries_out", lambda s: s.sum(min_count=1)),
    )
    out = grouped.reset_index()
    total = {
        "theme": "All themes",
        "grants_funded": int(out["grants_funded"].sum()),
        "awarded_gbp": float(out["awarded_gbp"].sum()),
        "volunteer_hours": out["volunteer_hours"].sum(min_count=1),
        "beneficiaries": out["beneficiaries"].sum(min_count=1),
    }
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def check_grant_monitoring(
    allocations: pd.DataFrame, monitoring: pd.DataFrame, measures: pd.DataFrame | None = None
) -> list[Finding]:
    """Monitoring returns must name grants in the allocations; a return for an unfunded application is a warning."""
    findings: list[Finding] = []
    ids = monitoring["application_id"].astype(str)
    known = allocations.set_index(allocations["application_id"].astype(str))["funded"]
    unknown = ~ids.isin(known.index)
    if unknown.any():
        rows = ", ".join(str(r) for r in monitoring.index[unknown.to_numpy()][:8])
        findings.append(
            Finding(
                "error",
                f"The grant monitoring returns, row {rows}: the application '{ids[unknown].iloc[0]}' is not in the "
                "grant allocations. Correct the reference, or load the allocations for the same year.",
            )
        )
    named = grant_outcome_rows(monitoring)
    if measures is not None and len(named):
        codes = unknown_measure_codes(named, measures)
        if codes:
            findings.append(
                Finding(
                    "error",
                    f"The grant monitoring returns use the measure code {', '.join(codes)}, which is not in the "
                    "measures library. Correct the code, or load the library that defines it.",
                )
            )
    funded = {str(k): bool(v) for k, v in known.items()}
    unfunded = ids.map(lambda i: i in funded and not funded[i]).astype(bool)
    if unfunded.any():
        findings.append(
            Finding(
                "warning",
                f"The grant monitoring returns include {int(unfunded.sum())} row(s) for applications that were not "
                "funded; they are left out.",
            )
        )
    return findings


GRANT_VALUE_COLUMNS = [
    "application_id",
    "measure_code",
    "quantity",
    "gross_value_gbp",
    "net_value_gbp",
    "present_value_gbp",
]


def grant_outcome_rows(monitoring: pd.DataFrame | None) -> pd.DataFrame:
    """The monitoring rows that name a measure and a quantity (the outcomes the library can value)."""
    if monitoring is None or "measure_code" not in monitoring.columns or not len(monitoring):
        return pd.DataFrame(columns=["application_id", "measure_code", "quantity"])
    codes = monitoring["measure_code"].fillna("").astype(str).str.strip()
    quantity = pd.to_numeric(monitoring["quantity"], errors="coerce")
    named = monitoring[((codes != "") & quantity.notna()).to_numpy()]
    return pd.DataFrame(
        {
            "application_id": named["application_id"].astype(str).to_numpy(),
            "measure_code": codes[named.index].to_numpy(),
            "quantity": quantity[named.index].astype("float64").to_numpy(),
        }
    )


def grant_social_value(
    allocations: pd.DataFrame, monitoring: pd.DataFrame | None, measures: pd.DataFrame, basis: val.Discounting
) -> tuple[pd.DataFrame, dict[str, float]] | None:
    """The social value of the funded grants' outcomes that monitoring returns name, and the scheme's social
    return on investment (present value per pound granted).

    Returns
    -------
    (DataFrame, dict) or None
        :data:`GRANT_VALUE_COLUMNS`, one row per funded grant and outcome named, by the one valuation rule; and
        ``awarded_gbp`` (every funded grant), ``gross_value_gbp``, ``net_value_gbp``, ``present_value_gbp`` and
        ``sroi_ratio`` (present value ÷ awarded; None when nothing was awarded). None when no return names an
        outcome.
    """
    rows = grant_outcome_rows(monitoring)
    funded = allocations[allocations["funded"].astype(bool).to_numpy()]
    rows = rows[rows["application_id"].isin(set(funded["application_id"].astype(str))).to_numpy()]
    if not len(rows):
        return None
    values = val.value_items(rows, measures, "quantity", basis)
    table = pd.concat([rows.reset_index(drop=True), values.reset_index(drop=True)], axis=1)[GRANT_VALUE_COLUMNS]
    awarded = math.fsum(pd.to_numeric(funded["awarded"], errors="coerce").fillna(0.0).tolist())
    totals = {c: math.fsum(table[c].dropna().tolist()) for c in val.VALUE_COLUMNS}
    return table, {
        "awarded_gbp": awarded,
        **totals,
        "sroi_ratio": totals["present_value_gbp"] / awarded if awarded > 0 else None,
    }
