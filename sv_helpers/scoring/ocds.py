"""The award as Open Contracting Data Standard (OCDS 1.1.5) data, for the contract award notice (model layer).

The UK's Central Digital Platform (Find a Tender) publishes Procurement Act 2023 notices as OCDS release
packages. :func:`release_package` makes one from a scored tender: a package of one release tagged ``award``,
with the buyer and every bidder as parties, the tender's award criteria and their weights, and the award to
the winning bid with a document for each assessment summary and for the evaluation report. It carries the two
award fields of the Cabinet Office's UK extension that the workbook knows, ``assessmentSummariesDateSent`` and
``standstillPeriod``.

:func:`validation_errors` checks a package against the standard's own schema and codelists, shipped in
``data/ocds/`` (Apache 2.0, open-contracting/standard), with jsonschema's Draft 4 validator and its format
checker; the package schema refers to the release schema by its address, which a ``referencing`` registry
maps to the local copy (nothing is fetched). :func:`notice_findings` says, in plain English, what stops a
tender from making a valid release (tied winners, no price) and :func:`missing_fields` what an officer still
enters on the platform.

Every value comes from the evaluation workbook, its settings sheet (:data:`~sv_helpers.scoring.tender.NOTICE_KEYS`)
or a parameter file (``data/parameters/scoring/``: the OCDS prefix, the buyer's name and identifier); nothing
is invented.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from sv_helpers.core.errors import Finding
from sv_helpers.core.formatting import format_number
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.paths import data_path
from sv_helpers.scoring.model import TenderResult
from sv_helpers.scoring.standstill import Standstill, standstill_period
from sv_helpers.scoring.tender import GROUP_LABELS, NOTICE_KEYS

#: The standard's version that the package declares and is checked against.
VERSION = "1.1"
#: The file names a run writes.
PACKAGE_FILE = "ocds_release_package.json"
MISSING_FILE = "ocds_release_package_missing.txt"
FLAT_FILE = "ocds_release_package.xlsx"
#: The evaluation report's file name, as the award's documents name it.
REPORT_FILE = "report.html"


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", str(text)).strip("-") or "tender"


def _datetime(date: str) -> str:
    """A date (2026-05-01) as the start of that day in UTC, the form OCDS's date-time fields take."""
    return f"{date}T00:00:00Z"


def buyer() -> dict[str, Any]:
    """The council as an OCDS party: its name and identifier from ``data/parameters/scoring/``."""
    identifier = str(parameter_value("scoring.buyer_identifier"))
    name = str(parameter_value("scoring.buyer_name"))
    scheme, _, local = identifier.rpartition("-")
    return {
        "id": identifier,
        "name": name,
        "identifier": {"scheme": scheme, "id": local, "legalName": name},
        "roles": ["buyer", "procuringEntity"],
    }


def ocid(reference: str) -> str:
    """The procurement's open contracting identifier: the council's prefix and the tender's own reference."""
    return f"{parameter_value('scoring.ocds_prefix')}-{_slug(reference)}"


def tender_reference(result: TenderResult) -> str:
    """The tender's own reference: the settings sheet's ``tender_reference``, else the workbook's name."""
    notice = result.tender.notice
    return notice.get("tender_reference") or re.sub(r"\.(xlsx|csv)$", "", result.tender.name)


def notice_date(result: TenderResult, override: str = "") -> str | None:
    """The day the contract award notice is published: the run's setting, else the settings sheet's, else None."""
    return override or result.tender.notice.get("notice_date") or None


def standstill(result: TenderResult, override: str = "") -> Standstill | None:
    """The standstill period the notice starts, or None when its publication date is not known."""
    date = notice_date(result, override)
    return standstill_period(date) if date else None


def award_criteria(result: TenderResult) -> tuple[str, str]:
    """The ``awardCriteria`` code and the ``awardCriteriaDetails`` text: every criterion, its group and weight."""
    tender = result.tender
    weights, groups = tender.weights, tender.groups
    rated = any(groups[c] != "price" and weights[c] > 0 for c in tender.criterion_names)
    parts = [
        f"{criterion} ({GROUP_LABELS.get(groups[criterion], groups[criterion]).lower()}): "
        f"{format_number(float(weights[criterion]), 1)}%"
        for criterion in tender.criterion_names
    ]
    social = float(weights[groups == "social_value"].sum())
    details = (
        "The most advantageous tender, scored out of 100 points on these criteria and weights: "
        + "; ".join(parts)
        + f". Social value is weighted at {format_number(social, 1)}% of the total."
    )
    return ("ratedCriteria" if rated else "priceOnly"), details


def notice_findings(result: TenderResult) -> list[Finding]:
    """What stops the scored tender from making a valid award release, in plain English (empty when nothing does)."""
    findings = []
    if len(result.ranking) == 0:
        findings.append(Finding("warning", "There are no bids, so there is no award to publish as OCDS data."))
    elif len(result.winners) > 1:
        findings.append(
            Finding(
                "warning",
                f"The bids of {' and '.join(result.winners)} are tied on the top total, so there is no single "
                "supplier to publish in the award notice data (OCDS). Resolve the tie (see the tie-break in the "
                "procurement documents) before the notice is published.",
            )
        )
    return findings


def missing_fields(result: TenderResult, override_notice_date: str = "") -> list[str]:
    """What the package leaves out because the workbook does not know it, in plain English."""
    notice = result.tender.notice
    missing = []
    for key in ("tender_reference", "tender_title", "cpv_code", "contract_start", "contract_end", "award_date"):
        if not notice.get(key):
            missing.append(f"{NOTICE_KEYS[key][0].upper()}{NOTICE_KEYS[key][1:]} (settings sheet key '{key}').")
    if not notice.get("assessment_summaries_sent"):
        missing.append(
            "The date the assessment summaries were sent (settings sheet key 'assessment_summaries_sent'; the UK "
            "extension's awards/assessmentSummariesDateSent)."
        )
    if not notice_date(result, override_notice_date):
        missing.append(
            "The date the contract award notice is published (the setting notice_date, or the settings sheet key "
            "'notice_date'): without it the release is dated by the award decision (award_date) or, failing that, "
            "when this file was made, and the standstill period "
            "(awards/standstillPeriod) is not given."
        )
    missing += [
        "Each supplier's identifier (a Companies House number or its PPON) and address: the bidders are named only.",
        "Whether each supplier is a small or medium-sized enterprise or a VCSE (parties/details).",
        "The web address where each document is published (documents/url): the documents are named by file only.",
        "The procurement procedure and its legal basis, the contract's value range and any options, entered on the "
        "Central Digital Platform's own notice form.",
    ]
    if not notice.get("lot"):
        missing.append("The lot awarded, if the procurement is divided into lots (settings sheet key 'lot').")
    return missing


def release_package(
    result: TenderResult,
    summary_files: Mapping[str, str] | list[str],
    *,
    notice_date_override: str = "",
    made_at: str = "",
    report_file: str = REPORT_FILE,
) -> dict[str, Any]:
    """The award as an OCDS 1.1.5 release package (call :func:`notice_findings` first: it must be empty).

    Parameters
    ----------
    result : TenderResult
        The scored tender.
    summary_files : mapping or list of str
        The assessment summaries' file names in ranking order (:func:`~sv_helpers.scoring.summaries.assessment_summary_files`).
    notice_date_override : str
        The run's date the contract award notice is published (``2026-05-01``); blank for the settings sheet's.
    made_at : str
        When the file is made (an ISO date-time): the release's date when the notice date is not known.
    report_file : str
        The evaluation report's file name.
    """
    tender = result.tender
    notice = tender.notice
    reference = tender_reference(result)
    process = ocid(reference)
    published = notice_date(result, notice_date_override)
    # Without the notice's date the release is dated by the award decision, else by when the file is made (then
    # a rerun on another day differs in that date alone: the missing-fields file says so).
    if published:
        date = _datetime(published)
    elif notice.get("award_date"):
        date = _datetime(notice["award_date"])
    else:
        date = made_at or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    council = buyer()
    bidders = list(tender.bidders)
    party_ids = {b: f"{process}-tenderer-{i}" for i, b in enumerate(bidders, start=1)}
    winner = result.winners[0]
    parties = [council] + [
        {"id": party_ids[b], "name": str(b), "roles": ["tenderer", "supplier"] if b == winner else ["tenderer"]}
        for b in bidders
    ]
    criteria, details = award_criteria(result)
    title = notice.get("tender_title") or reference
    tender_part: dict[str, Any] = {
        "id": reference,
        "title": title,
        "status": "complete",
        "procuringEntity": {"id": council["id"], "name": council["name"]},
        "awardCriteria": criteria,
        "awardCriteriaDetails": details,
        "numberOfTenderers": len(bidders),
        "tenderers": [{"id": party_ids[b], "name": str(b)} for b in bidders],
    }
    if notice.get("cpv_code"):
        tender_part["items"] = [
            {"id": "1", "classification": {"scheme": "CPV", "id": notice["cpv_code"]}, "description": title}
        ]
    period = {
        k: _datetime(notice[n])
        for k, n in (("startDate", "contract_start"), ("endDate", "contract_end"))
        if notice.get(n)
    }
    if period:
        tender_part["contractPeriod"] = dict(period)
    if notice.get("lot"):
        tender_part["lots"] = [{"id": "1", "title": notice["lot"]}]  # the OCDS lots extension
    price = round(float(tender.bids.set_index("bidder")["price"][winner]), 2)
    names = list(summary_files)
    ranked = [str(b) for b in result.ranking["bidder"]]
    documents = [
        {
            "id": f"assessment-summary-{i}",
            "documentType": "evaluationReports",
            "title": f"Assessment summary: {bidder}",
            "description": f"File {name}: {bidder}'s scores and reasons beside the winning bid's "
            "(Procurement Act 2023, section 50).",
            "format": "text/markdown",
            "language": "en",
        }
        for i, (bidder, name) in enumerate(zip(ranked, names, strict=True), start=1)
    ]
    documents.append(
        {
            "id": "evaluation-report",
            "documentType": "evaluationReports",
            "title": "Tender evaluation report",
            "description": f"File {report_file}: the award recommendation, the method, the scores, the moderation "
            "record, the social value committed and the sensitivity checks.",
            "format": "text/html",
            "language": "en",
        }
    )
    award: dict[str, Any] = {
        "id": f"{reference}-award-1",
        "title": f"Award of {title}",
        "status": "pending",
        "value": {"amount": price, "currency": "GBP"},
        "suppliers": [{"id": party_ids[winner], "name": str(winner)}],
        "documents": documents,
    }
    award_date = notice.get("award_date") or published
    if award_date:
        award["date"] = _datetime(award_date)
    if period:
        award["contractPeriod"] = dict(period)
    if notice.get("lot"):
        award["relatedLots"] = ["1"]
    if notice.get("assessment_summaries_sent"):
        award["assessmentSummariesDateSent"] = _datetime(notice["assessment_summaries_sent"])  # UK extension
    stand = standstill_period(published) if published else None
    if stand is not None:
        award["standstillPeriod"] = {  # UK extension
            "startDate": _datetime(stand.start.isoformat()),
            "endDate": f"{stand.end.isoformat()}T23:59:59Z",
        }
    release = {
        "ocid": process,
        "id": f"{process}-award-{(published or date[:10])}",
        "date": date,
        "tag": ["award"],
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": {"id": council["id"], "name": council["name"]},
        "tender": tender_part,
        "awards": [award],
    }
    return {
        "version": VERSION,
        "publishedDate": date,
        "publisher": {"name": council["name"]},
        "releases": [release],
    }


# --------------------------------------------------------------------------- checking against the standard


@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package = json.loads(data_path("ocds", "release-package-schema.json").read_text(encoding="utf-8"))
    release = json.loads(data_path("ocds", "release-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(release["id"], Resource.from_contents(release, default_specification=DRAFT4))
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


@cache
def codelist(name: str) -> frozenset[str]:
    """The codes of one of the shipped codelists (``data/ocds/codelists/<name>.csv``)."""
    with data_path("ocds", "codelists", f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))


def codelist_errors(package: Mapping[str, Any]) -> list[str]:
    """Codes in the package that are not in the standard's codelists (open codelists included: we use none of ours)."""
    errors = []
    for r, release in enumerate(package.get("releases", [])):
        checks: list[tuple[str, str, Any]] = [
            (f"releases/{r}/tag/{i}", "releaseTag", t) for i, t in enumerate(release.get("tag", []))
        ]
        for p, party in enumerate(release.get("parties", [])):
            checks += [
                (f"releases/{r}/parties/{p}/roles/{i}", "partyRole", role)
                for i, role in enumerate(party.get("roles", []))
            ]
        tender = release.get("tender", {})
        if "awardCriteria" in tender:
            checks.append((f"releases/{r}/tender/awardCriteria", "awardCriteria", tender["awardCriteria"]))
        if "status" in tender:
            checks.append((f"releases/{r}/tender/status", "tenderStatus", tender["status"]))
        for a, award in enumerate(release.get("awards", [])):
            if "status" in award:
                checks.append((f"releases/{r}/awards/{a}/status", "awardStatus", award["status"]))
            if "value" in award:
                checks.append((f"releases/{r}/awards/{a}/value/currency", "currency", award["value"].get("currency")))
            checks += [
                (f"releases/{r}/awards/{a}/documents/{d}/documentType", "documentType", doc.get("documentType"))
                for d, doc in enumerate(award.get("documents", []))
            ]
        errors += [
            f"{where}: '{code}' is not in the {name} codelist"
            for where, name, code in checks
            if code not in codelist(name)
        ]
    return errors


def validation_errors(package: Mapping[str, Any]) -> list[str]:
    """Every way a package breaks the OCDS 1.1.5 schema or its codelists, in plain words (empty when valid)."""
    errors = sorted(_validator().iter_errors(package), key=lambda e: [str(p) for p in e.absolute_path])
    out = [f"{'/'.join(str(p) for p in e.absolute_path) or 'the package'}: {e.message}" for e in errors]
    return out + codelist_errors(package)


# --------------------------------------------------------------------------- the flat view


def _flat(value: Any, prefix: str, row: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flat(item, f"{prefix}/{key}" if prefix else key, row)
    elif isinstance(value, list) and value and all(not isinstance(v, (dict, list)) for v in value):
        row[prefix] = ";".join(str(v) for v in value)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _flat(item, f"{prefix}/{i}", row)
    else:
        row[prefix] = value


#: The arrays of objects that get a sheet of their own, as flattentool's OCDS templates lay them out.
FLAT_SHEETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("parties", ("parties",)),
    ("tenderers", ("tender", "tenderers")),
    ("items", ("tender", "items")),
    ("awards", ("awards",)),
    ("award_suppliers", ("awards", "*", "suppliers")),
    ("award_documents", ("awards", "*", "documents")),
)


def flat_tables(package: Mapping[str, Any]) -> dict[str, Any]:
    """The package as tables an officer can check in a spreadsheet: one sheet for the release, one per list.

    The layout follows flattentool's for OCDS (a ``releases`` main sheet, a sheet per list of objects, each row
    carrying its release's ``ocid`` and columns named by JSON path, lists of codes joined by ``;``). Write them
    with :func:`sv_helpers.core.exports.excel_bytes`, which stores every text as text, never as a formula.
    """
    import pandas as pd

    sheets: dict[str, list[dict[str, Any]]] = {"releases": []}
    for release in package.get("releases", []):
        main: dict[str, Any] = {}
        shallow = {k: v for k, v in release.items() if k not in ("parties", "awards")}
        shallow["tender"] = {k: v for k, v in release.get("tender", {}).items() if k not in ("tenderers", "items")}
        _flat(shallow, "", main)
        sheets["releases"].append(main)
        for sheet, path in FLAT_SHEETS:
            rows = sheets.setdefault(sheet, [])
            for parent_path, item in _walk(release, path, ""):
                row: dict[str, Any] = {"ocid": release.get("ocid")}
                if sheet == "awards":
                    item = {k: v for k, v in item.items() if k not in ("suppliers", "documents")}
                _flat(item, parent_path, row)
                rows.append(row)
    return {name: pd.DataFrame(rows) for name, rows in sheets.items() if rows}


def _walk(node: Any, path: tuple[str, ...], prefix: str):
    """Each object at ``path`` (``*`` for every item of a list on the way), with its JSON path."""
    if not path:
        return
    key, rest = path[0], path[1:]
    if key == "*":
        for i, item in enumerate(node or []):
            yield from _walk(item, rest, f"{prefix}/{i}")
        return
    child = node.get(key) if isinstance(node, dict) else None
    where = f"{prefix}/{key}" if prefix else key
    if not rest:
        for i, item in enumerate(child or []):
            yield f"{where}/{i}", item
    else:
        yield from _walk(child, rest, where)


# --------------------------------------------------------------------------- the files a run writes


def package_status(result: TenderResult, notice_date_override: str = "") -> tuple[bool, str]:
    """Whether the run makes a valid award package, and the line that says so or says what stops it (the app's
    headline area): the package is built and checked against the schema and codelists, as when it is written."""
    blocking = notice_findings(result)
    if blocking:
        return False, "Award notice data (OCDS): not made. " + " ".join(f.message for f in blocking)
    names = [f"assessment_summary_{i}.md" for i in range(1, len(result.ranking) + 1)]
    package = release_package(result, names, notice_date_override=notice_date_override, made_at="2000-01-01T00:00:00Z")
    errors = validation_errors(package)
    if errors:
        return (
            False,
            f"Award notice data (OCDS): would not meet the OCDS 1.1.5 schema ({errors[0]}), so it is not made.",
        )
    return True, (
        "Award notice data (OCDS): valid against the OCDS 1.1.5 schema and codelists; download it with the "
        "other files below, and see there what an officer still enters on the Central Digital Platform."
    )


def ocds_files(
    result: TenderResult,
    summary_files: Mapping[str, str] | list[str],
    *,
    notice_date_override: str = "",
    made_at: str = "",
    provenance: Mapping[str, Any] | None = None,
) -> dict[str, str | bytes]:
    """The award notice data a run writes: ``ocds_release_package.json`` (checked against the standard), its flat
    view ``ocds_release_package.xlsx`` and, beside them, ``ocds_release_package_missing.txt``: what the package
    leaves out for an officer to enter on the Central Digital Platform.

    A tender that cannot make a valid release, or a package the schema refuses, gets no JSON file: the text file
    says why, in plain English.
    """
    from sv_helpers.core import exports

    blocking = [f.message for f in notice_findings(result)]
    package = None
    if not blocking:
        package = release_package(result, summary_files, notice_date_override=notice_date_override, made_at=made_at)
        errors = validation_errors(package)
        if errors:
            blocking = [
                "The award notice data would not meet the OCDS 1.1.5 schema, so it is not written: "
                + "; ".join(errors[:5])
                + (f" ... and {len(errors) - 5} more." if len(errors) > 5 else ".")
            ]
            package = None
    lines = ["Award notice data (OCDS 1.1.5) for the Central Digital Platform (Find a Tender)", ""]
    if package is None:
        lines += ["No release package was written:", *(f"- {m}" for m in blocking), ""]
    else:
        stand = standstill(result, notice_date_override)
        lines += [
            f"{PACKAGE_FILE}: one release tagged 'award' (ocid {package['releases'][0]['ocid']}), valid against the "
            "OCDS 1.1.5 release package schema and its codelists.",
            f"{FLAT_FILE}: the same package as a spreadsheet to check (one sheet per list).",
        ]
        if stand is not None:
            lines.append(stand.describe())
        if str(parameter_value("scoring.ocds_prefix")).startswith("ocds-example"):
            lines.append(
                "The ocid starts with an EXAMPLE prefix (data/parameters/scoring/ocds_prefix.yaml): use the "
                "council's own OCDS prefix once it is assigned."
            )
        lines.append("")
    lines += ["Not in the package (the workbook does not know it; enter it on the platform):"]
    lines += [f"- {m}" for m in missing_fields(result, notice_date_override)]
    files: dict[str, str | bytes] = {MISSING_FILE: "\n".join(lines) + "\n"}
    if package is not None:
        files[PACKAGE_FILE] = exports.json_text(package)
        files[FLAT_FILE] = exports.excel_bytes(flat_tables(package), provenance)
    return files
