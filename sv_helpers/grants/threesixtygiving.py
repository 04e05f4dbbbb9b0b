"""Publish grant awards in the 360Giving Data Standard (1.4.3), as JSON and as a flat spreadsheet (model layer).

The JSON package is validated against the standard's own schema, shipped in
``data/360giving/`` (CC BY 4.0, ThreeSixtyGiving/standard), with jsonschema's
Draft 2020-12 validator and its format checker, before it is offered.

Identifiers: the council's 360Giving prefix must be registered with 360Giving;
``360G-sevenoaks-`` is a placeholder until it is.  Recipients with a charity
number get ``GB-CHC-<number>``; others get an identifier made from the prefix
and their name.
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
    "recipientOrganization/0/postalCode": "Recipient Org:Postal Code",
    "beneficiaryLocation/0/name": "Beneficiary Location:Name",
    "beneficiaryLocation/0/countryCode": "Beneficiary Location:Country Code",
    "beneficiaryLocation/0/geoCode": "Beneficiary Location:Geographic Code",
    "beneficiaryLocation/0/geoCodeType": "Beneficiary Location:Geographic Code Type",
    "fundingOrganization/0/id": "Funding Org:Identifier",
    "fundingOrganization/0/name": "Funding Org:Name",
    "grantProgramme/0/title": "Grant Programme:Title",
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
    for _, row in funded.iterrows():
        charity = (
            _text(extra.at[row["application_id"], "charity_number"])
            if extra is not None and "charity_number" in extra.columns
            else None
        )
        postcode = (
            _text(extra.at[row["application_id"], "postcode"])
            if extra is not None and "postcode" in extra.columns
            else None
        )
        recipient: dict[str, Any] = {
            "id": f"GB-CHC-{charity}" if charity else f"{prefix}org-{_slug(row['organisation'])}",
            "name": str(row["organisation"]),
        }
        if charity:
            recipient["charityNumber"] = charity
        if postcode:
            recipient["postalCode"] = postcode
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
        }
        ward = _text(row.get("ward"))
        if ward:
            location: dict[str, Any] = {"name": ward, "countryCode": "GB"}
            if ward in ward_codes.index:
                location.update(geoCode=str(ward_codes[ward]), geoCodeType="WD")
            grant["beneficiaryLocation"] = [location]
        grants.append(grant)
    return {"grants": grants, "version": VERSION}


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
