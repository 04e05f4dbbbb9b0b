"""The impact report's scenario core (see :mod:`sv_helpers.core.scenario`): :class:`Settings` (the notebook's
parameters and the app's controls) → :func:`load` → :func:`run` → :class:`~sv_helpers.core.scenario.Result` →
:func:`write` (in :mod:`sv_helpers.impact.report`).

The report's contents are built by :mod:`sv_helpers.impact.contents` from contract delivery
(:mod:`~sv_helpers.impact.delivery`), the council's activities (:mod:`~sv_helpers.impact.activities`), grant
results (:mod:`~sv_helpers.impact.grant_results`), climate results (:mod:`~sv_helpers.impact.climate_results`)
and planning gain (:mod:`~sv_helpers.impact.planning_gain`); their names are reached through this module too.

Model layer: pure functions on pandas objects (only :func:`write` renders the report page and its PDF, through
:mod:`sv_helpers.reports.document`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from sv_helpers.core import valuation as val
from sv_helpers.core.errors import Finding, InputError
from sv_helpers.core.formatting import (
    financial_year_bounds,
    format_date,
    format_number,
    parse_financial_year,
)
from sv_helpers.core.measures import load_measures
from sv_helpers.core.paths import resolve_path
from sv_helpers.core.scenario import Inputs, Result, SettingsBase, Spec, make_provenance, setting
from sv_helpers.core.tables import parse_date
from sv_helpers.impact import activities as act
from sv_helpers.impact import delivery as dlv
from sv_helpers.impact.climate_results import (  # noqa: F401 (reached as sv_helpers.impact.<name>)
    CLIMATE_PATHWAY_SCHEMA,
    CLIMATE_SUMMARY_KEYS,
    climate_progress,
    climate_sentence,
    load_climate_pathway,
    load_climate_summary,
)
from sv_helpers.impact.contents import (  # noqa: F401 (reached as sv_helpers.impact.<name>)
    BY_THEME_COLUMNS,
    SOURCES,
    ImpactReport,
    build_impact_report,
    by_theme_table,
    check_report_inputs,
    summary_sentences,
)
from sv_helpers.impact.grant_results import (  # noqa: F401 (reached as sv_helpers.impact.<name>)
    GRANT_ALLOCATIONS_SCHEMA,
    GRANT_MONITORING_SCHEMA,
    check_grant_monitoring,
    grant_outcomes,
    load_grant_allocations,
    load_grant_monitoring,
)
from sv_helpers.impact.planning_gain import (  # noqa: F401 (reached as sv_helpers.impact.<name>)
    IFS_ITEMS,
    IFS_OPTIONAL_ITEMS,
    IFS_SCHEMA,
    load_planning_ifs,
    planning_figures,
    planning_sentence,
)


def parse_date_text(text: str, what: str = "the date") -> pd.Timestamp:
    """Read a date typed by a user (31/03/2026, 2026-03-31 or 31 March 2026).

    Raises
    ------
    InputError
        When the text is not a date in one of those forms.
    """
    try:
        return parse_date(str(text).strip())
    except ValueError:
        raise InputError(f"'{text}' is not a date; write {what} like 31/03/2026 or 2026-03-31.") from None


#: Every input of the report: role → (screen label, the setting naming its file, required?).
ROLES: dict[str, tuple[str, str, bool]] = {
    "contracts": ("Contracts", "contracts_path", True),
    "commitments": ("Commitments", "commitments_path", True),
    "returns": ("Suppliers' returns", "returns_path", True),
    "measures": ("Measures library", "measures_path", True),
    "activities": ("Council activities", "activities_path", False),
    "grant_allocations": ("Grant allocations (allocations.csv)", "grants_allocations_path", False),
    "grant_monitoring": ("Grant monitoring returns", "grant_monitoring_path", False),
    "climate_summary": ("Climate summary (summary.json)", "climate_summary_path", False),
    "climate_pathway": ("Climate pathway (pathway.csv)", "climate_pathway_path", False),
}

#: The optional inputs each "Include ..." setting switches on and off.
GROUPS: dict[str, tuple[str, ...]] = {
    "include_activities": ("activities",),
    "include_grants": ("grant_allocations", "grant_monitoring"),
    "include_climate": ("climate_summary", "climate_pathway"),
}

EXAMPLE_NOTE = (
    "This report is built from the workbook's fictional example files (contracts, returns, activities and grant "
    "results) and example proxy values: none of those figures is a fact about Sevenoaks District Council, any "
    "supplier, group or person. The climate figures are real: the climate targets notebook's results for Sevenoaks "
    "from the UK local authority CO2 statistics."
)

EXAMPLE_MEASURES_NOTE = (
    "The values in pounds use the workbook's example proxy values (data/measures.csv), not values the council has "
    "adopted. Load the council's own measures library before quoting any value in pounds."
)


def _financial_year(value: str, spec: Spec) -> str:
    try:
        start = parse_financial_year(value)
    except InputError:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must be a financial year written like 2025/26; "
            f"'{value[:40]}' is not."
        ) from None
    if not 2000 <= start <= 2099:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must be a financial year from 2000/01 to 2099/2100; "
            f"'{value[:40]}' is outside that range."
        )
    return f"{start}/{(start + 1) % 100:02d}"


def _date_or_blank(value: str, spec: Spec) -> str:
    if not value.strip():
        return ""
    try:
        day = parse_date(value.strip())
    except ValueError:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}): '{value[:40]}' is not a date; "
            "write it like 31/03/2026 or 2026-03-31, or leave it blank."
        ) from None
    if not 2000 <= day.year <= 2100:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must be a date from 2000 to 2100, not {value[:40]}."
        )
    return day.date().isoformat()


def _short_text(limit: int) -> Callable[[str, Spec], str]:
    def check(value: str, spec: Spec) -> str:
        if len(value) > limit:
            raise InputError(f"The setting '{spec.label}' ({spec.name}) is longer than {limit} characters.")
        return value.strip()

    return check


def _path(default: str, label: str, *, optional: bool = False) -> Any:
    return setting(default, label=label, kind="path", optional=optional)


@dataclass(frozen=True)
class Settings(SettingsBase):
    """Every setting of an impact report: the notebook's parameters and the app's controls."""

    AREA: ClassVar[str] = "impact"
    NOTEBOOK: ClassVar[str] = "impact_report.ipynb"

    contracts_path: str = _path("data/impact/example_contracts.csv", "Contracts file")
    commitments_path: str = _path("data/impact/example_commitments.csv", "Commitments file")
    returns_path: str = _path("data/impact/example_returns.csv", "Suppliers' returns (file or folder)")
    activities_path: str | None = _path("data/impact/example_activities.csv", "Council activities file", optional=True)
    measures_path: str = _path("data/measures.csv", "Measures library")
    grants_allocations_path: str | None = _path(
        "data/impact/example_grant_allocations.csv", "Grant allocations file (allocations.csv)", optional=True
    )
    grant_monitoring_path: str | None = _path(
        "data/impact/example_grant_monitoring.csv", "Grant monitoring returns file", optional=True
    )
    climate_summary_path: str | None = _path(
        "data/impact/climate_summary_sevenoaks.json", "Climate summary file (summary.json)", optional=True
    )
    climate_pathway_path: str | None = _path(
        "data/impact/climate_pathway_sevenoaks.csv", "Climate pathway file (pathway.csv)", optional=True
    )
    planning_dir: str = setting(
        "", label="Planning gain outputs (folder with ifs_cil.csv and ifs_s106.csv)", kind="path"
    )
    financial_year: str = setting("2025/26", label="Financial year", check=_financial_year)
    as_of: str = setting("", label="Measure delivery to", check=_date_or_blank)
    include_activities: bool = setting(True, label="Include the council's own activities")
    include_grants: bool = setting(True, label="Include grant results")
    include_climate: bool = setting(True, label="Include climate results")
    green_threshold_pct: float = setting(
        kind="float",
        label="Green from (% of expected value)",
        parameter="impact.status_green_threshold",
        minimum=0,
        maximum=200,
    )
    amber_threshold_pct: float = setting(
        kind="float",
        label="Amber from (% of expected value)",
        parameter="impact.status_amber_threshold",
        minimum=0,
        maximum=200,
    )
    contract_id: str = setting("", label="Contract shown in detail", check=_short_text(200))
    discount_rate_pct: float = setting(
        val.default_rate_pct(),
        kind="float",
        label="Discount rate (% a year)",
        unit="percent",
        minimum=0,
        maximum=20,
    )
    discount_convention: str = setting("green_book", label="First year discounted?", choices=tuple(val.CONVENTIONS))

    def discounting(self) -> val.Discounting:
        """The discount rate (the parameter file's schedule from this setting's rate) and convention."""
        return val.discounting(self.discount_rate_pct, self.discount_convention)

    def check(self) -> None:
        """The amber threshold may not exceed the green one; the date may not come before the year begins."""
        if self.amber_threshold_pct > self.green_threshold_pct:
            raise InputError(
                f"The setting 'Amber from' (amber_threshold_pct) is {format_number(self.amber_threshold_pct, 1)}%, "
                f"above the green threshold ({format_number(self.green_threshold_pct, 1)}%); "
                "amber must not be above green."
            )
        if self.as_of:
            start, _ = financial_year_bounds(self.financial_year)
            if pd.Timestamp(self.as_of) < start:
                raise InputError(
                    f"The setting 'Measure delivery to' (as_of) is {format_date(self.as_of)}, before the financial "
                    f"year {self.financial_year} begins ({format_date(start)}). Choose a date in or after the year."
                )

    @classmethod
    def from_query(cls, query: str, base: SettingsBase | None = None) -> tuple[Settings, list[str]]:
        """Settings from a link, as :meth:`SettingsBase.from_query`, read twice.

        The base reads a link's values one at a time against the others' current values, so a link that lowers
        both thresholds (green 60, amber 50) would lose the green one to the check that amber is not above green.
        A second reading, from the first one's result, takes such a value; a value still refused is a real conflict,
        and only the second reading's notices are given.
        """
        first, notices = super().from_query(query, base)
        if not notices:
            return first, notices
        return super().from_query(query, first)

    def is_used(self, role: str) -> bool:
        """Whether an input role is used: its file is named and its "Include ..." setting is on."""
        if role not in ROLES:  # the planning gain statement's files
            return bool(self.planning_dir)
        if not getattr(self, ROLES[role][1]):
            return False
        return all(getattr(self, flag) for flag, roles in GROUPS.items() if role in roles)


_LOADERS: dict[str, Callable[..., Any]] = {
    "contracts": dlv.load_contracts,
    "commitments": dlv.load_commitments,
    "returns": lambda path: dlv.load_returns_files([path]),
    "measures": load_measures,
    "activities": act.load_activities,
    "grant_allocations": load_grant_allocations,
    "grant_monitoring": load_grant_monitoring,
    "climate_summary": load_climate_summary,
    "climate_pathway": load_climate_pathway,
}

#: Loaded inputs by (role, path, file stamps): a file read once is not read again while it is unchanged.
_LOADED: dict[tuple, Any] = {}
_LOADED_LIMIT = 64


def _stamp(path: Path) -> tuple:
    if path.is_dir():
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(path.iterdir()) if p.is_file())
    if not path.exists():
        return ("missing",)
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size)


def load(settings: Settings) -> Inputs:
    """Read every input file the settings name (optional ones left blank are skipped).

    Each loader checks its file and raises :class:`~sv_helpers.core.errors.InputError`
    naming the file, row and column.  Tables are cached while the file is
    unchanged and are never modified after loading.

    Returns
    -------
    Inputs
        ``values``: role → loaded table (``climate_summary``: a dict);
        ``sources``: role → resolved path, for provenance.
    """
    values: dict[str, Any] = {}
    sources: dict[str, Path | bytes] = {}
    for role, (label, name, required) in ROLES.items():
        text = getattr(settings, name)
        if not text:
            if required:
                raise InputError(
                    f"The {label.lower()} file is needed for the report: set {name}, or use the example files."
                )
            continue
        path = resolve_path(text, setting=name)  # a file, or for returns a folder of them
        key = (role, str(path.resolve()), _stamp(path))
        if key not in _LOADED:
            if len(_LOADED) >= _LOADED_LIMIT:
                _LOADED.pop(next(iter(_LOADED)))
            _LOADED[key] = _LOADERS[role](path)
        values[role] = _LOADED[key]
        sources[role] = path
    if settings.planning_dir:
        folder = resolve_path(settings.planning_dir, setting="planning_dir", expect="folder")
        values["planning_ifs"] = load_planning_ifs(folder)
        sources.update({f"planning_{n[:-4]}": folder / n for n in IFS_ITEMS})
    return Inputs(values=values, sources=sources)


def inputs_summary(inputs: Inputs) -> pd.DataFrame:
    """What was loaded: one row per input, with its file and how many rows (or figures) it holds."""
    rows = []
    for role, (label, _, _) in ROLES.items():
        if role not in inputs.values:
            rows.append({"input": label, "file": "not provided", "rows": 0})
            continue
        value = inputs.values[role]
        rows.append({"input": label, "file": Path(inputs.sources[role]).name, "rows": len(value)})
    if "planning_ifs" in inputs.values:
        for name in IFS_ITEMS:
            rows.append({"input": f"Planning gain ({name})", "file": name, "rows": len(inputs["planning_ifs"][name])})
    return pd.DataFrame(rows, columns=["input", "file", "rows"])


def check(settings: Settings, inputs: Inputs) -> list[Finding]:
    """The checks :func:`run` makes of the inputs the settings use, as findings (errors and warnings)."""
    used = {role: inputs.get(role) if settings.is_used(role) else None for role in ROLES}
    return check_report_inputs(
        used["contracts"],
        used["commitments"],
        used["returns"],
        used["measures"],
        used["activities"],
        used["grant_allocations"],
        used["grant_monitoring"],
    )


def findings_table(findings: Sequence[Finding]) -> pd.DataFrame:
    """Findings as a table (``level, message``); one row saying so when there are none."""
    if not findings:
        return pd.DataFrame({"level": ["none"], "message": ["No problems found in the inputs."]})
    return pd.DataFrame({"level": [f.level for f in findings], "message": [f.message for f in findings]})


def summary_difference(first: Result, second: Result) -> pd.DataFrame:
    """Two runs' summary figures side by side, with the settings that differ and the difference of each figure."""
    rows = [
        {"item": f"setting: {name}", "first": first.settings.to_parameters()[name], "second": value, "difference": None}
        for name, value in second.settings.changed(first.settings).items()
    ]
    for name, a in first.summary.items():
        b = second.summary.get(name)
        numeric = isinstance(a, (int, float)) and isinstance(b, (int, float))
        rows.append({"item": name, "first": a, "second": b, "difference": round(b - a, 2) if numeric else None})
    return pd.DataFrame(rows, columns=["item", "first", "second", "difference"])


def _parse_as_of(as_of: str) -> pd.Timestamp | None:
    return pd.Timestamp(as_of) if as_of else None


def example_note(settings: Settings) -> str | None:
    """The note a report needs when it rests on example data: example files, or the example measures library."""
    used = [getattr(settings, name) for role, (_, name, _) in ROLES.items() if settings.is_used(role)]
    shipped = {resolve_path(getattr(Settings, name)).resolve() for _, name, _ in ROLES.values()}
    if any("example" in str(p) and resolve_path(p).resolve() in shipped for p in used):
        return EXAMPLE_NOTE
    if resolve_path(settings.measures_path).resolve() == resolve_path(Settings.measures_path).resolve():
        return EXAMPLE_MEASURES_NOTE
    return None


def sources_note(settings: Settings) -> str:
    """The files a report was built from, by role: "Contracts: contracts.csv; ..."."""
    planning = [f"Planning gain: {Path(settings.planning_dir).name}"] if settings.planning_dir else []
    files = [
        f"{label}: {Path(getattr(settings, name)).name}"
        for role, (label, name, _) in ROLES.items()
        if settings.is_used(role)
    ]
    return "; ".join(files + planning)


def summary_figures(report: ImpactReport) -> dict[str, Any]:
    """The headline figures of a report (the columns of a sweep).

    ``total_social_value_gbp`` (valued in the year, every source),
    ``contracts_social_value_gbp`` (contracts in the year), the contracts'
    delivered and expected value to date and its percentage, the number of
    contracts ``n_green``, ``n_amber``, ``n_red`` and ``n_not_due``,
    ``grants_awarded_gbp`` (None when grant results are not used), and ``cil_received_gbp`` and
    ``s106_received_gbp`` from the Infrastructure Funding Statement (None without ``planning_dir``);
    ``total_social_value_gbp`` is the present value, beside it ``total_gross_value_gbp`` and
    ``total_net_value_gbp``, and the contracts' social value ``committed_gbp``, ``claimed_gbp`` and
    ``validated_gbp`` (present values to the report's date).
    """
    counts = dict(zip(report.status_counts["status"], report.status_counts["contracts"], strict=False))
    delivered = float(report.status["delivered_value_gbp"].sum())
    expected = float(report.status["expected_value_gbp"].sum())
    return {
        "total_social_value_gbp": round(float(report.by_theme["value_gbp"].sum()), 2),
        "contracts_social_value_gbp": round(float(report.delivery_in_year["delivered_value_gbp"].sum()), 2),
        "contracts_delivered_to_date_gbp": round(delivered, 2),
        "contracts_expected_to_date_gbp": round(expected, 2),
        "pct_of_expected": round(100.0 * delivered / expected, 2) if expected > 0 else None,
        "n_green": int(counts.get("green", 0)),
        "n_amber": int(counts.get("amber", 0)),
        "n_red": int(counts.get("red", 0)),
        "n_not_due": int(counts.get("not due yet", 0)),
        "grants_awarded_gbp": float(report.grants["awarded_gbp"].iloc[-1]) if report.grants is not None else None,
        "cil_received_gbp": (report.planning_figures or {}).get("cil_received"),
        "s106_received_gbp": (report.planning_figures or {}).get("s106_received"),
        "total_gross_value_gbp": round(float(report.by_theme["gross_value_gbp"].sum()), 2),
        "total_net_value_gbp": round(float(report.by_theme["net_value_gbp"].sum()), 2),
        **(
            {
                "committed_gbp": round(float(report.evidence["committed_gbp"].iloc[-1]), 2),
                "claimed_gbp": round(float(report.evidence["claimed_gbp"].iloc[-1]), 2),
                "validated_gbp": round(float(report.evidence["validated_gbp"].iloc[-1]), 2),
            }
            if report.evidence is not None
            else {}
        ),
    }


#: Reports built lately, by their settings (all but the contract shown) and the inputs they were built from.
_REPORTS: dict[tuple, tuple[Inputs, ImpactReport]] = {}
_REPORTS_LIMIT = 16


def _report_for(settings: Settings, inputs: Inputs, used: Mapping[str, Any]) -> ImpactReport:
    """Build the report, or take the one built for the same settings and inputs (choosing a contract builds none)."""
    key = tuple((k, v) for k, v in settings.to_parameters().items() if k != "contract_id")
    hit = _REPORTS.get(key)
    if hit is not None and hit[0] is inputs:
        return hit[1]
    report = build_impact_report(
        settings.financial_year,
        contracts=used["contracts"],
        commitments=used["commitments"],
        returns=used["returns"],
        measures=used["measures"],
        as_of=_parse_as_of(settings.as_of),
        activities=used["activities"],
        grant_allocations=used["grant_allocations"],
        grant_monitoring=used["grant_monitoring"],
        climate_summary=used["climate_summary"],
        climate_pathway=used["climate_pathway"],
        green=settings.green_threshold_pct,
        amber=settings.amber_threshold_pct,
        planning_ifs=inputs.get("planning_ifs") if settings.planning_dir else None,
        basis=settings.discounting(),
    )
    _REPORTS.pop(key, None)
    _REPORTS[key] = (inputs, report)
    while len(_REPORTS) > _REPORTS_LIMIT:
        _REPORTS.pop(next(iter(_REPORTS)))
    return report


def run(settings: Settings, inputs: Inputs | None = None) -> Result:
    """Check the inputs and build the impact report for the settings (pure: nothing is drawn or written).

    Raises
    ------
    InputError
        Listing every error in the inputs.
    """
    inputs = inputs if inputs is not None else load(settings)
    used = {role: inputs.get(role) if settings.is_used(role) else None for role in ROLES}
    report = dataclasses.replace(_report_for(settings, inputs, used))  # a copy: the contract shown is set below
    findings = [Finding("warning", w) for w in report.warnings]
    contracts = used["contracts"]
    ids = contracts["contract_id"].astype(str).tolist()
    chosen = settings.contract_id if settings.contract_id in ids else (ids[0] if ids else "")
    if settings.contract_id and settings.contract_id not in ids:
        findings.append(
            Finding(
                "warning",
                f"The contract '{settings.contract_id}' is not in the contracts file; "
                f"the detail shows {chosen} instead.",
            )
        )
    if chosen:
        current = dlv.resolve_returns(used["returns"]).current
        report.profile = dlv.delivery_profile(
            chosen, contracts, used["commitments"], current, used["measures"], report.as_of
        )
    report.contracts = contracts
    report.contract_id = chosen
    report.climate_pathway = used["climate_pathway"] if report.climate is not None else None
    report.example_note = example_note(settings)
    report.sources_note = sources_note(settings)
    used = {r: s for r, s in inputs.sources.items() if settings.is_used(r) if r in ROLES or settings.planning_dir}
    record = make_provenance(settings, used)
    record["report"] = {"as_of": report.as_of.date().isoformat(), "not_provided": report.not_provided}
    return Result(
        settings=settings,
        tables=report.tables(),
        findings=findings,
        headline=report.summary[0],
        provenance=record,
        summary=summary_figures(report),
        detail=report,
    )
