"""Publish grant awards in the 360Giving Data Standard (1.4.3), as JSON and as a flat spreadsheet (model layer).

The JSON package is validated against the standard's own schema, shipped in
``data/360giving/`` (CC BY 4.0, ThreeSixtyGiving/standard), with jsonschema's
Draft 2020-12 validator and its format checker, before it is offered.

Identifiers: the council's 360Giving prefix must be registered with 360Giving;
``360G-sevenoaks-`` is a placeholder until it is.  Recipients with a charity
number get ``GB-CHC-<number>``, those with a Companies House number
``GB-COH-<number>``; others get an identifier made from the prefix and their name.

Beyond the schema, :func:`quality_problems` runs the checks of 360Giving's own Data Quality tool
(ThreeSixtyGiving/dataquality, ``lib360dataquality``: its "quality" and "usefulness" checks on grants to
organisations), so an officer sees before publishing what the tool would flag. The tool itself pins
``jsonschema<4`` and cannot share the workbook's environment, so its published rules are written again here.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import pandas as pd
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from sv_helpers.core.errors import InputError
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.paths import data_path
from sv_helpers.grants import deprivation

FUNDER_ID = "GB-LAE-SEV"
FUNDER_NAME = "Sevenoaks District Council"
PROGRAMME = "Community Grant Scheme"
DEFAULT_PREFIX = "360G-sevenoaks-"
VERSION = "1.4"

#: Spreadsheet column titles (360Giving's flattened names) for each JSON path.
SPREADSHEET_COLUMNS: dict[str, str] = {
    "id": "Identifier",
    "title": "Title",
    "description": "Description",
    "currency": "Currency",
    "amountAppliedFor": "Amount Applied For",
    "amountAwarded": "Amount Awarded",
    "awardDate": "Award Date",
    "recipientOrganization/0/id": "Recipient Org:Identifier",
    "recipientOrganization/0/name": "Recipient Org:Name",
    "recipientOrganization/0/charityNumber": "Recipient Org:Charity Number",
    "recipientOrganization/0/companyNumber": "Recipient Org:Company Number",
    "recipientOrganization/0/postalCode": "Recipient Org:Postal Code",
    "plannedDates/0/startDate": "Planned Dates:Start Date",
    "plannedDates/0/endDate": "Planned Dates:End Date",
    "plannedDates/0/duration": "Planned Dates:Duration (months)",
    "classifications/0/title": "Classifications:Title",
    "classifications/0/vocabulary": "Classifications:Vocabulary",
    "beneficiaryLocation/0/name": "Beneficiary Location:Name",
    "beneficiaryLocation/0/countryCode": "Beneficiary Location:Country Code",
    "beneficiaryLocation/0/geoCode": "Beneficiary Location:Geographic Code",
    "beneficiaryLocation/0/geoCodeType": "Beneficiary Location:Geographic Code Type",
    "fundingOrganization/0/id": "Funding Org:Identifier",
    "fundingOrganization/0/name": "Funding Org:Name",
    "grantProgramme/0/title": "Grant Programme:Title",
    "dataSource": "Data Source",
    "dateModified": "Last Modified",
}


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    grant = json.loads(data_path("360giving", "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads(data_path("360giving", "360-giving-package-schema.json").read_text(encoding="utf-8"))
    resource = Resource(
        contents=grant, specification=DRAFT202012
    )  # the files say "http://json-schema.org/draft/2020-12/schema"
    # The 1.4.3 package schema still refers to the grant schema by its 1.4.2 address.
    ref = package["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resources([(grant["$id"], resource), (ref, resource)])
    return Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def grants_package(
    allocation: pd.DataFrame,
    applications: pd.DataFrame | None = None,
    *,
    award_date: str,
    prefix: str = DEFAULT_PREFIX,
    funder_id: str = FUNDER_ID,
    funder_name: str = FUNDER_NAME,
    programme: str = PROGRAMME,
    ward_codes: pd.Series | None = None,
) -> dict[str, Any]:
    """Return the funded applications of an allocation as a 360Giving JSON package.

    Parameters
    ----------
    allocation : DataFrame
        From :func:`sv_helpers.grants.allocate`; only rows with ``awarded > 0`` are published.
    applications : DataFrame, optional
        The prepared applications, for ``charity_number`` and ``postcode``.
    award_date : str
        The date of the award decision, ``YYYY-MM-DD``.
    ward_codes : Series, optional
        Each ward's ONS code by name, for the beneficiary location; the current (2024/25) codes by default
        (:func:`sv_helpers.grants.deprivation.ward_codes` of the round's IMD edition).
    prefix : str
        The council's registered 360Giving prefix (grant identifiers start with it).

    Returns
    -------
    dict
        ``{"grants": [...], "version": "1.4"}``.

    Raises
    ------
    InputError
        When nothing is funded or the award date is not a date.
    """
    try:
        date = pd.Timestamp(award_date).strftime("%Y-%m-%d")
    except (ValueError, TypeError):
        raise InputError(f"The award date '{award_date}' is not a date; write it as 2026-04-01.") from None
    funded = allocation[allocation["awarded"] > 0]
    if funded.empty:
        raise InputError(
            "No application is funded in this scenario, so there are no awards to publish in 360Giving format."
        )
    extra = applications.set_index("application_id") if applications is not None else None
    ward_codes = deprivation.ward_codes() if ward_codes is None else ward_codes
    grants = []
    source = str(parameter_value("grants.data_source"))
    modified = f"{date}T00:00:00+00:00"  # the awards are decided on the award date: the grants' last change

    def given(application_id: Any, column: str) -> Any:
        if extra is None or column not in extra.columns:
            return None
        return extra.at[application_id, column]

    for _, row in funded.iterrows():
        charity = _text(given(row["application_id"], "charity_number"))
        company = _text(given(row["application_id"], "company_number"))
        postcode = _text(given(row["application_id"], "postcode"))
        if charity:
            identifier = f"GB-CHC-{charity}"
        elif company:
            identifier = f"GB-COH-{company.upper()}"
        else:
            identifier = f"{prefix}org-{_slug(row['organisation'])}"
        recipient: dict[str, Any] = {"id": identifier, "name": str(row["organisation"])}
        if charity:
            recipient["charityNumber"] = charity
        if company:
            recipient["companyNumber"] = company.upper()
        if postcode:
            recipient["postalCode"] = postcode.upper()
        grant: dict[str, Any] = {
            "id": f"{prefix}{row['application_id']}",
            "title": str(row["project"]),
            "description": f"{row['project']} ({row['theme']}), by {row['organisation']}, for people in {row['ward']}.",
            "currency": "GBP",
            "amountAppliedFor": round(float(row["amount_requested"]), 2),
            "amountAwarded": round(float(row["awarded"]), 2),
            "awardDate": date,
            "recipientOrganization": [recipient],
            "fundingOrganization": [{"id": funder_id, "name": funder_name}],
            "grantProgramme": [{"title": programme}],
            "classifications": [{"title": str(row["theme"]), "vocabulary": f"{programme} themes"}],
            "dataSource": source,
            "dateModified": modified,
        }
        planned = _planned_dates(
            given(row["application_id"], "planned_start"), given(row["application_id"], "planned_end")
        )
        if planned:
            grant["plannedDates"] = [planned]
        ward = _text(row.get("ward"))
        if ward:
            location: dict[str, Any] = {"name": ward, "countryCode": "GB"}
            if ward in ward_codes.index:
                location.update(geoCode=str(ward_codes[ward]), geoCodeType="WD")
            grant["beneficiaryLocation"] = [location]
        grants.append(grant)
    return {"grants": grants, "version": VERSION}


def _planned_dates(start: Any, end: Any) -> dict[str, Any] | None:
    """360Giving's planned dates from the applications file: start, end and the duration in whole months."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return None
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    after = last + pd.Timedelta(days=1)  # the months the project runs, a part month counted as a month
    months = (after.year - first.year) * 12 + (after.month - first.month) + (1 if after.day > first.day else 0)
    return {"startDate": first.strftime("%Y-%m-%d"), "endDate": last.strftime("%Y-%m-%d"), "duration": max(months, 1)}


def validation_errors(package: dict[str, Any]) -> list[str]:
    """Return plain descriptions of every way a package breaks the 360Giving schema (empty when valid)."""
    errors = sorted(_validator().iter_errors(package), key=lambda e: list(e.absolute_path))
    out = []
    for err in errors:
        where = "/".join(str(p) for p in err.absolute_path) or "the package"
        out.append(f"{where}: {err.message}")
    return out


def validate_package(package: dict[str, Any]) -> None:
    """Raise ``InputError`` when a package breaks the 360Giving schema, listing up to five problems."""
    errors = validation_errors(package)
    if errors:
        more = f" ... and {len(errors) - 5} more." if len(errors) > 5 else ""
        raise InputError(
            "The 360Giving file does not meet the 360Giving Data Standard, so it is not offered: "
            + "; ".join(errors[:5])
            + more
        )


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            flat.update(_flatten(v, f"{prefix}/{k}" if prefix else k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            flat.update(_flatten(v, f"{prefix}/{i}"))
    else:
        flat[prefix] = obj
    return flat


def grants_spreadsheet(package: dict[str, Any]) -> pd.DataFrame:
    """Return a package's grants as a flat table with 360Giving's column titles ("Recipient Org:Identifier", ...).

    Write it with :func:`sv_helpers.core.exports.excel_bytes`, which stores every text as text, never as a formula.
    """
    rows = []
    for grant in package["grants"]:
        flat = _flatten(grant)
        rows.append({title: flat.get(path) for path, title in SPREADSHEET_COLUMNS.items()})
    table = pd.DataFrame(rows, columns=list(SPREADSHEET_COLUMNS.values()))
    return table.dropna(axis=1, how="all")


def spreadsheet_to_package(table: pd.DataFrame) -> dict[str, Any]:
    """Rebuild the JSON package from :func:`grants_spreadsheet`'s table (for checking the spreadsheet is complete)."""
    paths = {title: path for path, title in SPREADSHEET_COLUMNS.items()}
    grants = []
    for _, row in table.iterrows():
        grant: dict[str, Any] = {}
        for title, value in row.items():
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            keys = paths[title].split("/")
            node: Any = grant
            for key, nxt in zip(keys[:-1], keys[1:]):
                if key.isdigit():
                    continue
                if nxt.isdigit():
                    node = node.setdefault(key, [{}])[0]
                else:
                    node = node.setdefault(key, {})
            node[keys[-1]] = value.item() if hasattr(value, "item") else value
        grants.append(grant)
    return {"grants": grants, "version": VERSION}


# --------------------------------------------------------------------------- 360Giving's data quality checks

#: A UK charity number: 6 or 7 digits (an optional two-letter prefix is dropped first), as the tool checks it.
_CHARITY = re.compile(r"^\d{6,7}$")
#: A company number: 8 letters or digits, as the tool checks it.
_COMPANY = re.compile(r"^\w{8}$")
#: Something that looks like an email address (the tool's pattern).
_EMAIL = re.compile(r"[\w.-]+@[\w.-]+\.[\w.-]+")


def _charity_ok(number: Any) -> bool:
    text = str(number)
    return bool(_CHARITY.match(text[2:] if text[:2].isalpha() else text))


def _recipients(grant: dict[str, Any]) -> list[dict[str, Any]]:
    return list(grant.get("recipientOrganization") or [])


def _has_location(org: dict[str, Any]) -> bool:
    return bool(org.get("postalCode")) or any(loc.get("geoCode") for loc in org.get("location") or [])


def _planned(grant: dict[str, Any]) -> dict[str, Any]:
    dates = grant.get("plannedDates") or [{}]
    return dates[0] or {}


def _text_values(value: Any):
    if isinstance(value, dict):
        for item in value.values():
            yield from _text_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _text_values(item)
    elif isinstance(value, str):
        yield value


#: 360Giving's Data Quality tool's checks on grants to organisations, as (name in lib360dataquality, what it
#: flags, the test that flags one grant). Source: ThreeSixtyGiving/dataquality, lib360dataquality/cove/
#: threesixtygiving.py (TEST_CLASSES) and lib360dataquality/check_field_present.py.
QUALITY_CHECKS: tuple[tuple[str, str, Any], ...] = (
    ("ZeroAmountTest", "a value of £0", lambda g: g.get("amountAwarded") == 0),
    (
        "RecipientOrgCharityNumber",
        "a Recipient Org:Charity Number that does not look like a UK charity number",
        lambda g: any("charityNumber" in o and not _charity_ok(o["charityNumber"]) for o in _recipients(g)),
    ),
    (
        "RecipientOrgCompanyNumber",
        "a Recipient Org:Company Number that does not look like a company number",
        lambda g: any("companyNumber" in o and not _COMPANY.match(str(o["companyNumber"])) for o in _recipients(g)),
    ),
    (
        "OrganizationIdLooksInvalid",
        "a GB-CHC- or GB-COH- identifier whose number does not look valid for its register",
        lambda g: any(
            (o.get("id", "").upper().startswith("GB-CHC-") and not _CHARITY.match(o["id"][7:]))
            or (o.get("id", "").upper().startswith("GB-COH-") and not _COMPANY.match(o["id"][7:]))
            for o in _recipients(g) + list(g.get("fundingOrganization") or [])
        ),
    ),
    (
        "OrganizationIdUnexpectedChars",
        "an organisation identifier with a line break",
        lambda g: any("\n" in o.get("id", "") for o in _recipients(g) + list(g.get("fundingOrganization") or [])),
    ),
    ("GrantIdUnexpectedChars", "a grant identifier with a line break", lambda g: "\n" in g.get("id", "")),
    (
        "LooksLikeEmail",
        "text that looks like an email address",
        lambda g: any(_EMAIL.search(t) for t in _text_values(g)),
    ),
    (
        "PlannedStartDateBeforeEndDate",
        "a planned end date before its start date",
        lambda g: (
            bool(_planned(g).get("startDate") and _planned(g).get("endDate"))
            and _planned(g)["endDate"] < _planned(g)["startDate"]
        ),
    ),
    (
        "RecipientOrg360GPrefix",
        "a Recipient Org:Identifier that starts '360G-' (use GB-CHC- or GB-COH- with the charity or company number)",
        lambda g: any(o.get("id", "").lower().startswith("360g") for o in _recipients(g)),
    ),
    (
        "FundingOrg360GPrefix",
        "a Funding Org:Identifier that starts '360G-'",
        lambda g: any(o.get("id", "").lower().startswith("360g") for o in g.get("fundingOrganization") or []),
    ),
    (
        "NoRecipientOrgCompanyCharityNumber",
        "no Recipient Org:Company Number or Recipient Org:Charity Number",
        lambda g: any(not (o.get("companyNumber") or o.get("charityNumber")) for o in _recipients(g)),
    ),
    (
        "IncompleteRecipientOrg",
        "no recipient organisation location (a postcode or a location's geographic code)",
        lambda g: any(not _has_location(o) for o in _recipients(g)),
    ),
    ("NoGrantProgramme", "no grant programme", lambda g: not g.get("grantProgramme")),
    ("NoBeneficiaryLocation", "no beneficiary location", lambda g: not g.get("beneficiaryLocation")),
    (
        "TitleDescriptionSame",
        "a title and a description that are the same",
        lambda g: bool(g.get("title")) and g.get("title") == g.get("description"),
    ),
    ("TitleLength", "a title longer than 140 characters", lambda g: len(g.get("title", "")) > 140),
    ("NoLastModified", "no Last Modified date", lambda g: not g.get("dateModified")),
    ("NoDataSource", "no Data Source", lambda g: not g.get("dataSource")),
    (
        "PlannedDurationNotPresent",
        "neither a planned duration nor planned start and end dates",
        lambda g: (
            not (
                _planned(g).get("duration") is not None or (_planned(g).get("startDate") and _planned(g).get("endDate"))
            )
        ),
    ),
    (
        "ClassificationNotPresent",
        "no classification (Classifications:Title)",
        lambda g: not ((g.get("classifications") or [{}])[0] or {}).get("title"),
    ),
    (
        "BeneficiaryLocationNameButNoCode",
        "a beneficiary location name with no geographic code",
        lambda g: any(loc.get("name") and not loc.get("geoCode") for loc in g.get("beneficiaryLocation") or []),
    ),
    (
        "BeneficiaryButNotRecipientGeoData",
        "beneficiary location data but no recipient organisation location data",
        lambda g: (
            bool(g.get("beneficiaryLocation"))
            and bool(_recipients(g))
            and not _recipients(g)[0].get("postalCode")
            and not _recipients(g)[0].get("location")
        ),
    ),
    (
        "RecipientGeoDataButNoBeneficiary",
        "recipient organisation location data but no beneficiary location data",
        lambda g: bool(_recipients(g)) and bool(_recipients(g)[0].get("location")) and not g.get("beneficiaryLocation"),
    ),
)


def quality_problems(package: dict[str, Any]) -> list[dict[str, Any]]:
    """What 360Giving's Data Quality tool would flag in a package, one entry per check that fires.

    Returns
    -------
    list of dict
        ``check`` (the tool's name for it), ``grants`` (how many grants it flags), ``message`` (plain English,
        naming the first grants flagged). Empty when no check fires. Checks on the whole file (more than one
        funder identifier, a funder name with two identifiers) are included.
    """
    grants = list(package.get("grants") or [])
    problems = []
    for name, what, fires in QUALITY_CHECKS:
        flagged = [g.get("id", f"grant {i + 1}") for i, g in enumerate(grants) if fires(g)]
        if flagged:
            shown = ", ".join(flagged[:3]) + (f" and {len(flagged) - 3} more" if len(flagged) > 3 else "")
            problems.append(
                {
                    "check": name,
                    "grants": len(flagged),
                    "message": f"{len(flagged)} of {len(grants)} grants have {what} ({shown}).",
                }
            )
    funders: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    for grant in grants:
        for org in grant.get("fundingOrganization") or []:
            funders.setdefault(str(org.get("name")), set()).add(str(org.get("id")))
            names.setdefault(str(org.get("id")), set()).add(str(org.get("name")))
    ids = {i for found in funders.values() for i in found}
    if len(ids) > 1:
        problems.append(
            {
                "check": "MoreThanOneFundingOrg",
                "grants": len(grants),
                "message": f"{len(ids)} different funding organisation identifiers are listed.",
            }
        )
    for kind, table in (("MultiFundingOrgIdsForName", funders), ("MultiFundingNamesForOrgId", names)):
        for key, found in table.items():
            if len(found) > 1:
                problems.append(
                    {
                        "check": kind,
                        "grants": len(grants),
                        "message": f"'{key}' appears with {', '.join(sorted(found))}.",
                    }
                )
    return problems
