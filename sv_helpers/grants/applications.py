"""Grant applications: their columns, checks, criterion weights and each area's IMD decile."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.formatting import format_money, sentence_list
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.tables import Column, TableSchema, load_table
from sv_helpers.grants import deprivation
from sv_helpers.grants.allocation import PENNY

log = logging.getLogger("sv_helpers")

CRITERIA: tuple[str, ...] = ("need", "community_benefit", "deliverability", "value_for_money")

#: The shipped example round (fictional applications, real wards).
EXAMPLE_APPLICATIONS = "data/grants/example_applications.csv"

APPLICATIONS = TableSchema(
    "applications",
    (
        Column("application_id", "text", unique=True, description="A unique reference for the application."),
        Column("organisation", "text", description="The applying group's name."),
        Column("project", "text", description="What the grant would pay for."),
        Column("theme", "text", description="The scheme theme the project serves, e.g. Older people."),
        Column(
            "ward",
            "text",
            required=False,
            allow_blank=True,
            description="The Sevenoaks ward where the project's beneficiaries live (its current name); or give lsoa_code.",
        ),
        Column(
            "lsoa_code",
            "text",
            required=False,
            allow_blank=True,
            label="LSOA code",
            description=(
                "The LSOA of the project (2021 code for IMD 2025, 2011 code for IMD 2019), used for its "
                "deprivation decile when given."
            ),
        ),
        Column("amount_requested", "money", minimum=1, description="The grant asked for, in pounds."),
        Column(
            "score",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            maximum=100,
            description="The moderated assessment score, 0 to 100; computed from the criterion scores when blank.",
        ),
        Column(
            "minimum_award",
            "money",
            required=False,
            allow_blank=True,
            minimum=0,
            description="The least that keeps the project viable; blank means the full request (all or nothing).",
        ),
        Column(
            "beneficiaries",
            "integer",
            required=False,
            allow_blank=True,
            minimum=0,
            description="The number of people the project would benefit.",
        ),
        Column(
            "need",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            maximum=100,
            description="Assessors' score for need, 0 to 100.",
        ),
        Column(
            "community_benefit",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            maximum=100,
            description="Assessors' score for community benefit, 0 to 100.",
        ),
        Column(
            "deliverability",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            maximum=100,
            description="Assessors' score for deliverability, 0 to 100.",
        ),
        Column(
            "value_for_money",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            maximum=100,
            description="Assessors' score for value for money, 0 to 100.",
        ),
        Column(
            "charity_number", "text", required=False, allow_blank=True, description="Registered charity number, if any."
        ),
        Column(
            "company_number",
            "text",
            required=False,
            allow_blank=True,
            description="The organisation's Companies House number, 8 characters (e.g. 01234567), if any.",
        ),
        Column("postcode", "text", required=False, allow_blank=True, description="The organisation's postcode."),
        Column(
            "planned_start",
            "date",
            required=False,
            allow_blank=True,
            description="When the funded project is planned to start.",
        ),
        Column(
            "planned_end",
            "date",
            required=False,
            allow_blank=True,
            description="When the funded project is planned to end.",
        ),
    ),
    description="One row per grant application.",
)


@lru_cache(maxsize=1)
def _criterion_weights() -> tuple[tuple[str, float], ...]:
    return tuple((c, float(parameter_value(f"grants.criterion_weight_{c}"))) for c in CRITERIA)


def criterion_weights() -> dict[str, float]:
    """Return the declared weights of the four criterion scores (from ``data/parameters/grants``, read once)."""
    return dict(_criterion_weights())


# --------------------------------------------------------------------------- loading and checks


def check_applications(
    applications: pd.DataFrame, *, filename: str = "the applications file", edition: int | None = None
) -> list[Finding]:
    """Check loaded applications beyond what the loader checks, against one IMD edition (the default's when None).

    Finds unknown wards and LSOA codes (a 2011 code that was split or replaced is named with the 2021 codes
    that replaced it, never guessed; a 2021 code under IMD 2019 is told to choose IMD 2025), rows with neither, a minimum award
    above the request, and rows with no score and incomplete criterion scores.
    The loader itself refuses duplicate ids, non-numeric or negative amounts
    and scores outside 0 to 100.

    Parameters
    ----------
    applications : DataFrame
        As returned by :func:`sv_helpers.core.tables.load_table` with :data:`APPLICATIONS`
        (its index holds the spreadsheet row numbers).
    filename : str
        The file's name, for messages.

    Returns
    -------
    list of Finding
    """
    out: list[Finding] = []
    imd = deprivation.edition(edition)
    lsoas = deprivation.lsoa_deciles(imd.year).set_index("lsoa_code")
    for row, app in applications.iterrows():
        where = f"{filename}, row {row} ({app['application_id']})"
        ward, lsoa = app.get("ward"), app.get("lsoa_code")
        has_ward = isinstance(ward, str) and ward.strip() != ""
        has_lsoa = isinstance(lsoa, str) and lsoa.strip() != ""
        if not has_ward and not has_lsoa:
            out.append(
                Finding("error", f"{where}: give the ward (a Sevenoaks ward name) or the lsoa_code; both are empty.")
            )
        if has_ward and deprivation.match_ward(ward) is None:
            out.append(
                Finding(
                    "error",
                    f"{where}, column 'ward': '{ward}' is not a Sevenoaks ward ({imd.ward_year} ward names). Check the spelling "
                    "against the template's ward list.",
                )
            )
        if has_lsoa and lsoa.strip().upper() not in lsoas.index:
            out.append(Finding("error", _unknown_lsoa(where, lsoa, imd)))
        elif has_lsoa and has_ward and deprivation.match_ward(ward) is not None:
            lsoa_ward = lsoas.loc[lsoa.strip().upper(), "ward"]
            if lsoa_ward != deprivation.match_ward(ward):
                out.append(
                    Finding(
                        "warning",
                        f"{where}: LSOA {lsoa} lies in {lsoa_ward}, not {ward}; the ward given is used for the map "
                        "and the LSOA for deprivation.",
                    )
                )
        minimum = app.get("minimum_award")
        if minimum is not None and pd.notna(minimum) and minimum > app["amount_requested"] + PENNY:
            out.append(
                Finding(
                    "error",
                    f"{where}: the minimum award ({format_money(minimum, 2)}) is more than the amount requested "
                    f"({format_money(app['amount_requested'], 2)}); it must be at most the request.",
                )
            )
        score = app.get("score")
        if score is None or pd.isna(score):
            missing = [c for c in CRITERIA if c not in applications.columns or pd.isna(app.get(c))]
            if missing:
                out.append(
                    Finding(
                        "error",
                        f"{where}: the score is empty and the criterion scores "
                        f"{sentence_list([repr(m) for m in missing])} are missing too; "
                        "give the moderated score or all four criterion scores.",
                    )
                )
    return out


def _unknown_lsoa(where: str, lsoa: str, imd: deprivation.Edition) -> str:
    """The message for an LSOA code that is not one of the edition's Sevenoaks LSOAs."""
    code = lsoa.strip().upper()
    replaced = deprivation.lsoa_changes()
    if imd.lsoa_year == 2021 and code in replaced:
        new = replaced[code]
        how = "was split into" if len(new) > 1 else "was replaced by"
        return (
            f"{where}, column 'lsoa_code': '{lsoa}' is a 2011 LSOA code that {how} the 2021 LSOAs "
            f"{' and '.join(new)}, which IMD {imd.year} uses. Give the 2021 code of the part where the project "
            "is, or leave lsoa_code empty and give the ward; the workbook does not guess which part."
        )
    if imd.lsoa_year == 2011 and code in set(deprivation.lsoa_deciles(2025)["lsoa_code"]):
        return (
            f"{where}, column 'lsoa_code': '{lsoa}' is a 2021 LSOA code, which IMD {imd.year} (on 2011 LSOAs) does "
            "not have. Choose IMD 2025 (deprivation_edition 2025), or give the 2011 code or the ward instead."
        )
    return (
        f"{where}, column 'lsoa_code': '{lsoa}' is not a Sevenoaks LSOA ({imd.lsoa_year} codes, used by IMD "
        f"{imd.year}, start E010...). Leave it empty and give the ward instead."
    )


def prepare_applications(
    applications: pd.DataFrame, weights: Mapping[str, float] | None = None, *, edition: int | None = None
) -> pd.DataFrame:
    """Return checked applications with official ward names, a score for every row and each area's IMD decile.

    A blank ``score`` is computed from the criterion scores with ``weights``
    (default: :func:`criterion_weights`), divided by the sum of the weights.
    The decile is the LSOA's when ``lsoa_code`` is given, else the ward's, in the IMD ``edition``
    (:data:`sv_helpers.grants.deprivation.EDITIONS`; the default edition when None).

    Raises
    ------
    InputError
        When :func:`check_applications` finds an error.
    """
    year = deprivation.edition(edition).year
    raise_for_errors(check_applications(applications, edition=year))
    weights = dict(weights or criterion_weights())
    out = applications.copy()
    lsoas = deprivation.lsoa_deciles(year).set_index("lsoa_code")
    wards = deprivation.ward_deciles(year).set_index("ward")
    ward_out, decile_out = [], []
    for _, app in out.iterrows():
        lsoa = app.get("lsoa_code")
        lsoa = lsoa.strip().upper() if isinstance(lsoa, str) and lsoa.strip() else None
        ward = app.get("ward")
        ward = deprivation.match_ward(ward) if isinstance(ward, str) and ward.strip() else None
        if ward is None and lsoa is not None:
            ward = str(lsoas.loc[lsoa, "ward"])
        decile = int(lsoas.loc[lsoa, "imd_decile"]) if lsoa is not None else int(wards.loc[ward, "imd_decile"])
        ward_out.append(ward)
        decile_out.append(decile)
    out["ward"] = ward_out
    out["imd_decile"] = pd.Series(decile_out, index=out.index, dtype="int64")
    blank = out["score"].isna()
    if blank.any():
        total = sum(weights.values())
        if total <= 0:
            raise InputError(
                "The criterion weights add up to zero, so scores cannot be computed from the criterion scores."
            )
        computed = sum(out[c].astype("float64") * w for c, w in weights.items()) / total
        out["score_source"] = np.where(blank, "computed from criterion scores", "moderated score")
        out["score"] = out["score"].where(~blank, computed.round(2))
    else:
        out["score_source"] = "moderated score"
    out["score"] = out["score"].astype("float64")
    out["minimum_award"] = out["minimum_award"].astype("float64").fillna(out["amount_requested"])
    return out


def load_applications(
    source: str | Path | bytes, *, filename: str | None = None, edition: int | None = None
) -> pd.DataFrame:
    """Load, check and prepare an applications file (CSV or .xlsx, a path or an upload's bytes).

    Raises
    ------
    InputError
        With the file, row and column of each problem.
    """
    name = filename or Path(str(source)).name
    table = load_table(source, APPLICATIONS, filename=filename)
    raise_for_errors(check_applications(table, filename=name, edition=edition))
    return prepare_applications(table, edition=edition)
