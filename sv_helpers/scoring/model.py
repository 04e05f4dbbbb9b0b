"""Score the tenders for a council contract on price, quality and social value.

The evaluation file (an .xlsx workbook, or a folder of CSV files with the
same names) has the sheets ``criteria``, ``bids``, ``scores``,
``commitments`` and, optionally, ``settings``; :func:`load_tender` reads it,
:func:`check_tender` lists the problems in plain English and
:func:`score_tender` scores it.

The scoring rules (the defaults; each criterion's ``weight`` is in
percentage points of the total score):

* price, ``lowest_price``: weight × lowest price ÷ this bid's price;
* price, ``deviation_from_lowest``: weight × (1 − (price − lowest) ÷ lowest),
  never below 0 (a bid twice the lowest price or more scores 0);
* ``scored``: weight × final score ÷ maximum score, where the final score is
  the ``moderated`` evaluator's score if there is one, else the mean of the
  evaluators' scores;
* ``proxy_value`` (social value only): weight × the bid's social value in
  pounds ÷ the highest social value among the bids (0 for every bid when none
  commits anything monetised).

A bid's total is the sum of its criterion scores; rank 1 is the highest
total and equal totals share a rank.

Every score is ``weight × fraction`` with a fraction between 0 and 1 that
does not depend on the weights; :func:`score_fractions` returns those
fractions, which :mod:`sv_helpers.scoring.sensitivity` reuses.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sv_helpers.core import valuation as val
from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.formatting import format_money, format_number
from sv_helpers.core.measures import THEMES, social_value, unknown_measure_codes
from sv_helpers.core.numerics import exact_sum
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.tables import Column, TableSchema, load_tables

if TYPE_CHECKING:
    pass

#: The three groups of criteria, in the order they are shown.
GROUPS: tuple[str, ...] = ("price", "quality", "social_value")
#: Screen labels of the groups.
GROUP_LABELS: dict[str, str] = {"price": "Price", "quality": "Quality", "social_value": "Social value"}
#: Ways to turn a price into a score.
PRICE_METHODS: tuple[str, ...] = ("lowest_price", "deviation_from_lowest")
#: Screen labels of the price methods.
PRICE_METHOD_LABELS: dict[str, str] = {
    "lowest_price": "Lowest price ÷ bid price",
    "deviation_from_lowest": "Deduct the % above the lowest price",
}
#: Ways to score a quality or social value criterion.
OTHER_METHODS: tuple[str, ...] = ("scored", "proxy_value")
#: The evaluator name of the final, agreed score.
MODERATED = "moderated"
#: Weights must add up to this many percentage points.
TOTAL_WEIGHT = 100.0
#: Totals closer than this are treated as equal (rounding of weights and fractions).
TIE_TOLERANCE = 1e-9

CRITERIA_SCHEMA = TableSchema(
    "criteria",
    (
        Column(
            "criterion",
            "text",
            unique=True,
            description="The criterion's name, unique, e.g. 'Price' or 'Delivery plan'.",
        ),
        Column("group", "category", allowed=GROUPS, description="price, quality or social_value."),
        Column(
            "weight",
            "number",
            minimum=0,
            maximum=100,
            description="Percentage points of the total score; all weights add up to 100.",
        ),
        Column(
            "method",
            "category",
            required=False,
            allow_blank=True,
            allowed=PRICE_METHODS + OTHER_METHODS,
            description="Price: lowest_price (default) or deviation_from_lowest. Others: scored (default) or, for social value, proxy_value.",
        ),
    ),
    description="The evaluation criteria and their weights.",
)
BIDS_SCHEMA = TableSchema(
    "bids",
    (
        Column("bidder", "text", unique=True, description="The bidder's name, unique."),
        Column("price", "money", label="Price (£)", description="The tendered price in pounds."),
    ),
    description="One row per bid.",
)
SCORES_SCHEMA = TableSchema(
    "scores",
    (
        Column("bidder", "text", description="As in the bids sheet."),
        Column("criterion", "text", description="As in the criteria sheet."),
        Column(
            "evaluator",
            "text",
            description="The evaluator's name or initials; 'moderated' for the final, agreed score.",
        ),
        Column("score", "number", description="From 0 to the maximum score (5 unless the settings say otherwise)."),
        Column(
            "comment", "text", required=False, allow_blank=True, default="", description="The reasons for the score."
        ),
    ),
    min_rows=0,
    description="Evaluators' scores for the scored criteria.",
)
COMMITMENTS_SCHEMA = TableSchema(
    "commitments",
    (
        Column("bidder", "text", description="As in the bids sheet."),
        Column("measure_code", "text", description="A code from the measures library."),
        Column(
            "quantity",
            "number",
            minimum=0,
            description="How much the bidder commits to deliver, in the measure's unit.",
        ),
    ),
    min_rows=0,
    description="The social value each bidder commits to deliver.",
)
SETTINGS_SCHEMA = TableSchema(
    "settings",
    (
        Column(
            "key",
            "text",
            unique=True,
            description="max_score, minimum_social_value_weight or moderation_margin; or a fact for the award notice "
            "(tender_reference, tender_title, cpv_code, lot, contract_start, contract_end, award_date, "
            "assessment_summaries_sent, notice_date).",
        ),
        Column("value", "text", description="The setting's value."),
    ),
    min_rows=0,
    description="Optional settings; a missing key takes the council's default.",
)
#: The sheets of an evaluation workbook, in order.
TENDER_SCHEMAS: dict[str, TableSchema] = {
    "criteria": CRITERIA_SCHEMA,
    "bids": BIDS_SCHEMA,
    "scores": SCORES_SCHEMA,
    "commitments": COMMITMENTS_SCHEMA,
    "settings": SETTINGS_SCHEMA,
}

#: Settings keys and the parameter file that gives each one's default.
SETTING_PARAMETERS: dict[str, str] = {
    "max_score": "scoring.max_score",
    "minimum_social_value_weight": "scoring.minimum_social_value_weight",
    "moderation_margin": "scoring.moderation_margin",
}
#: Optional settings keys that describe the procurement for its contract award notice (OCDS), as text: what the
#: scores cannot tell. A missing key is listed beside the notice data as what an officer still enters.
NOTICE_KEYS: dict[str, str] = {
    "tender_reference": "the procurement's own reference (the notice's ocid ends with it)",
    "tender_title": "the contract's title",
    "cpv_code": "the main Common Procurement Vocabulary (CPV) code, 8 digits",
    "lot": "the lot this evaluation awards, when the procurement is divided into lots",
    "contract_start": "the date the contract starts",
    "contract_end": "the date the contract ends",
    "award_date": "the date the award decision was made",
    "assessment_summaries_sent": "the date the assessment summaries were sent to the suppliers",
    "notice_date": "the date the contract award notice is published",
}
#: The notice keys that are dates (written 2026-05-01).
NOTICE_DATES: tuple[str, ...] = (
    "contract_start",
    "contract_end",
    "award_date",
    "assessment_summaries_sent",
    "notice_date",
)
_CPV = re.compile(r"^(\d{8})(-\d)?$")


@dataclass(frozen=True)
class TenderSettings:
    """The settings of one evaluation.

    Parameters
    ----------
    max_score : float
        The top of the scoring scale (scores run from 0).
    minimum_social_value_weight : float
        The lowest social value weight, in percentage points, before a warning.
    moderation_margin : float
        Evaluators whose scores for one bid and criterion differ by more
        than this are flagged for moderation.
    """

    max_score: float
    minimum_social_value_weight: float
    moderation_margin: float

    @classmethod
    def defaults(cls) -> TenderSettings:
        """The council's defaults, from ``data/parameters/scoring/``."""
        return cls(**{key: float(parameter_value(name)) for key, name in SETTING_PARAMETERS.items()})


@dataclass(frozen=True)
class Tender:
    """One evaluation: its criteria, bids, scores, commitments and settings."""

    criteria: pd.DataFrame
    bids: pd.DataFrame
    scores: pd.DataFrame
    commitments: pd.DataFrame
    settings: TenderSettings
    name: str = "tender"
    #: The settings sheet's facts for the award notice (:data:`NOTICE_KEYS`), each as checked text.
    notice: Mapping[str, str] = field(default_factory=dict)

    # A tender is a value (``with_weights`` and the like make a new one), so what is read from its tables is
    # worked out once: a redraw reads the weights and names dozens of times. Each read gets its own copy.

    @cached_property
    def _weights(self) -> pd.Series:
        return pd.Series(self.criteria["weight"].to_numpy(dtype=float), index=self.criterion_names, name="weight")

    @cached_property
    def _groups(self) -> pd.Series:
        return pd.Series(self.criteria["group"].to_numpy(dtype=object), index=self.criterion_names, name="group")

    @cached_property
    def _criterion_names(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.criteria["criterion"])

    @cached_property
    def _bidders(self) -> tuple[str, ...]:
        return tuple(str(b) for b in self.bids["bidder"])

    @property
    def weights(self) -> pd.Series:
        """Weights indexed by criterion."""
        return self._weights.copy()

    @property
    def groups(self) -> pd.Series:
        """Group of each criterion, indexed by criterion."""
        return self._groups.copy()

    @property
    def criterion_names(self) -> list[str]:
        return list(self._criterion_names)

    @property
    def bidders(self) -> list[str]:
        return list(self._bidders)

    @property
    def price_method(self) -> str | None:
        """The price criterion's method, or None when there is no price criterion."""
        price = self.criteria[self.criteria["group"] == "price"]
        return str(price["method"].iloc[0]) if len(price) else None


# --------------------------------------------------------------------------- loading


def _notice_value(key: str, value_raw: object, where: str) -> str:
    """A notice fact from the settings sheet, checked: dates as 2026-05-01, the CPV code as its 8 digits."""
    text = str(value_raw).strip()
    if key in NOTICE_DATES:
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            raise InputError(
                f"{where}: the value of '{key}', '{text[:40]}', is not a date; write it as 2026-05-01."
            ) from None
    if key == "cpv_code":
        match = _CPV.match(text.replace(" ", ""))
        if not match:
            raise InputError(
                f"{where}: the value of 'cpv_code', '{text[:40]}', is not a CPV code; write its 8 digits, e.g. 77310000."
            )
        return match.group(1)
    return text


def _settings_from_table(table: pd.DataFrame | None, filename: str) -> tuple[TenderSettings, dict[str, str]]:
    values = TenderSettings.defaults().__dict__.copy()
    notice: dict[str, str] = {}
    if table is None:
        return TenderSettings(**values), notice
    for row, key_raw, value_raw in zip(table.index, table["key"], table["value"]):
        key = re.sub(r"[^0-9a-z]+", "_", str(key_raw).strip().lower()).strip("_")
        where = f"{filename}, sheet 'settings', row {row}"
        if key in NOTICE_KEYS:
            if str(value_raw).strip():
                notice[key] = _notice_value(key, value_raw, where)
            continue
        if key not in values:
            raise InputError(
                f"{where}: '{key_raw}' is not a setting. The settings are: {', '.join(SETTING_PARAMETERS)}, "
                f"and for the award notice {', '.join(NOTICE_KEYS)}."
            )
        try:
            number = float(str(value_raw).strip().rstrip("%"))
        except ValueError:
            raise InputError(f"{where}: the value of '{key}', '{value_raw}', is not a number.") from None
        if not math.isfinite(number) or number < 0 or (key == "max_score" and number <= 0):
            raise InputError(f"{where}: the value of '{key}' must be a number above 0.")
        if key == "minimum_social_value_weight" and number > TOTAL_WEIGHT:
            raise InputError(f"{where}: the minimum social value weight must be between 0 and 100.")
        values[key] = number
    return TenderSettings(**values), notice


def _with_default_methods(criteria: pd.DataFrame) -> pd.DataFrame:
    out = criteria.copy()
    default = np.where(out["group"] == "price", "lowest_price", "scored")
    method = out["method"].where(out["method"].notna(), pd.Series(default, index=out.index))
    out["method"] = method.astype(object)
    return out


def load_tender(source: str | Path | bytes, *, filename: str | None = None) -> Tender:
    """Load an evaluation workbook (.xlsx) or a folder of CSV files.

    Parameters
    ----------
    source : str, Path or bytes
        The workbook's path or uploaded contents, or a folder holding
        ``criteria.csv``, ``bids.csv``, ``scores.csv``, ``commitments.csv``
        and optionally ``settings.csv``.
    filename : str, optional
        The workbook's name; needed when ``source`` is bytes.

    Returns
    -------
    Tender
        Tables indexed by spreadsheet row number (see
        :func:`sv_helpers.core.tables.check_table`); a blank ``method`` is filled
        with the group's default (``lowest_price`` or ``scored``).

    Raises
    ------
    InputError
        When a sheet or column is missing or a cell cannot be read.
    """
    tables = load_tables(source, TENDER_SCHEMAS, filename=filename, optional=("settings",))
    name = filename or Path(str(source)).name
    scores = tables["scores"].copy()
    scores["comment"] = scores["comment"].fillna("").astype(object)
    settings, notice = _settings_from_table(tables.get("settings"), name)
    return Tender(
        criteria=_with_default_methods(tables["criteria"]),
        bids=tables["bids"],
        scores=scores,
        commitments=tables["commitments"],
        settings=settings,
        name=name,
        notice=notice,
    )


# --------------------------------------------------------------------------- changing weights and methods


def with_weights(tender: Tender, weights: Mapping[str, float]) -> Tender:
    """Return the tender with some criteria's weights replaced.

    Raises
    ------
    InputError
        When a name is not one of the tender's criteria.
    """
    unknown = [c for c in weights if c not in tender.criterion_names]
    if unknown:
        raise InputError(
            f"There is no criterion called {', '.join(repr(c) for c in unknown)}; the criteria are: {', '.join(tender.criterion_names)}."
        )
    criteria = tender.criteria.copy()
    criteria["weight"] = [float(weights.get(c, w)) for c, w in zip(tender.criterion_names, criteria["weight"])]
    return replace(tender, criteria=criteria)


def with_price_method(tender: Tender, method: str) -> Tender:
    """Return the tender with the price criterion scored by ``method``."""
    if method not in PRICE_METHODS:
        raise InputError(f"'{method}' is not a price method; choose one of: {', '.join(PRICE_METHODS)}.")
    criteria = tender.criteria.copy()
    criteria.loc[criteria["group"] == "price", "method"] = method
    return replace(tender, criteria=criteria)


def rebalance_weights(weights: pd.Series, changed: str, new_weight: float, decimals: int = 1) -> pd.Series:
    """Set one weight and scale the others in proportion so they still add up to 100.

    Parameters
    ----------
    weights : Series
        Weights indexed by criterion.
    changed : str
        The criterion whose weight was moved.
    new_weight : float
        Its new weight, between 0 and 100.
    decimals : int
        Weights are rounded to this many decimals; the rounding remainder is
        put on the largest of the other weights so the sum is exactly 100.

    Returns
    -------
    Series
        The new weights, same index.  When every other weight is 0, the rest
        is shared equally among them.
    """
    new_weight = float(min(max(new_weight, 0.0), TOTAL_WEIGHT))
    out = weights.astype(float).copy()
    others = [c for c in out.index if c != changed]
    out[changed] = round(new_weight, decimals)
    if not others:
        out[changed] = TOTAL_WEIGHT
        return out
    rest = TOTAL_WEIGHT - out[changed]
    current = out[others]
    shares = current / current.sum() if current.sum() > 0 else pd.Series(1.0 / len(others), index=others)
    out[others] = (shares * rest).round(decimals)
    remainder = round(TOTAL_WEIGHT - out.sum(), decimals)
    if remainder:
        largest = out[others].idxmax()
        out[largest] = round(out[largest] + remainder, decimals)
    return out


# --------------------------------------------------------------------------- checks


def _sheet_row(filename: str, sheet: str, row: object) -> str:
    return f"{filename}, sheet '{sheet}', row {row}"


def check_tender(tender: Tender, measures: pd.DataFrame, *, kept: dict | None = None) -> list[Finding]:
    """Check an evaluation before it is scored.

    Parameters
    ----------
    tender : Tender
        From :func:`load_tender`.
    measures : DataFrame
        The measures library, from :func:`sv_helpers.core.measures.load_measures`.
    kept : dict, optional
        Keeps the findings that do not depend on the weights, for checking the same tender and library again
        with other weights (an app's redraw). Give a new dict for another tender or library.

    Returns
    -------
    list of Finding
        Errors (the tender cannot be scored) and warnings (shown beside the
        results), each a plain-English sentence that says what to do.
    """
    criteria = tender.criteria
    findings: list[Finding] = []
    total = float(criteria["weight"].sum())
    if abs(total - TOTAL_WEIGHT) > 1e-6:
        findings.append(
            Finding(
                "error",
                f"The criteria weights add up to {format_number(total, 1)}, not 100. Change the weights so that they add up to 100.",
            )
        )
    key = tuple(zip(criteria.index, criteria["criterion"], criteria["group"], criteria["method"], strict=True))
    if kept is None or kept.get("key") != key:
        checked = {
            "key": key,
            "methods": _method_findings(tender),
            "evaluation": _evaluation_findings(tender, measures),
        }
        if kept is not None:
            kept.clear()
            kept.update(checked)
    else:
        checked = kept
    findings += checked["methods"]
    sv_weight = float(criteria.loc[criteria["group"] == "social_value", "weight"].sum())
    minimum = tender.settings.minimum_social_value_weight
    if sv_weight < minimum:
        findings.append(
            Finding(
                "warning",
                f"Social value carries {format_number(sv_weight, 1)}% of the total score, below the minimum of {format_number(minimum, 1)}%. "
                "Central government's Social Value Model requires at least 10%; check the council's own minimum before publishing.",
            )
        )
    return findings + checked["evaluation"]


def _method_findings(tender: Tender) -> list[Finding]:
    """:func:`check_tender`'s findings about the criteria's groups and methods."""
    findings: list[Finding] = []
    name, criteria = tender.name, tender.criteria
    price_rows = criteria[criteria["group"] == "price"]
    if len(price_rows) > 1:
        findings.append(
            Finding(
                "error",
                f"There are {len(price_rows)} price criteria ({', '.join(price_rows['criterion'])}); keep one price criterion.",
            )
        )
    for row, criterion, group, method in zip(
        criteria.index, criteria["criterion"], criteria["group"], criteria["method"]
    ):
        where = _sheet_row(name, "criteria", row)
        if group == "price" and method not in PRICE_METHODS:
            findings.append(
                Finding(
                    "error",
                    f"{where}: the price criterion '{criterion}' has the method '{method}'; use {' or '.join(PRICE_METHODS)}.",
                )
            )
        elif group != "price" and method in PRICE_METHODS:
            findings.append(
                Finding(
                    "error",
                    f"{where}: '{criterion}' is not a price criterion, so its method cannot be '{method}'; use 'scored'.",
                )
            )
        elif group == "quality" and method == "proxy_value":
            findings.append(
                Finding(
                    "error",
                    f"{where}: '{criterion}' is a quality criterion; only social value criteria can use 'proxy_value'. Use 'scored'.",
                )
            )
    return findings


def _evaluation_findings(tender: Tender, measures: pd.DataFrame) -> list[Finding]:
    """:func:`check_tender`'s findings about the bids, the scores and the commitments (none is about weights)."""
    findings: list[Finding] = []
    name = tender.name
    criteria, bids, scores, commitments = tender.criteria, tender.bids, tender.scores, tender.commitments
    max_score = tender.settings.max_score
    for row, bidder, price in zip(bids.index, bids["bidder"], bids["price"]):
        if not price > 0:
            findings.append(
                Finding(
                    "error",
                    f"{_sheet_row(name, 'bids', row)}: the price of {bidder}'s bid is {format_money(price, 2)}; a price must be more than £0.",
                )
            )

    bidders = set(tender.bidders)
    criterion_method = dict(zip(criteria["criterion"], criteria["method"]))
    scored = [c for c, m in criterion_method.items() if m == "scored"]
    for row, bidder, criterion, evaluator, score in zip(
        scores.index, scores["bidder"], scores["criterion"], scores["evaluator"], scores["score"]
    ):
        where = _sheet_row(name, "scores", row)
        if bidder not in bidders:
            findings.append(
                Finding(
                    "error",
                    f"{where}: '{bidder}' is not a bidder in the bids sheet. Correct the name so it matches exactly.",
                )
            )
        if criterion not in criterion_method:
            findings.append(
                Finding(
                    "error",
                    f"{where}: '{criterion}' is not a criterion in the criteria sheet. Correct the name so it matches exactly.",
                )
            )
        elif criterion_method[criterion] != "scored":
            findings.append(
                Finding(
                    "warning",
                    f"{where}: '{criterion}' is scored by {criterion_method[criterion].replace('_', ' ')}, so this evaluator's score is not used.",
                )
            )
        if not (0 <= score <= max_score):
            findings.append(
                Finding(
                    "error",
                    f"{where}: {evaluator}'s score {format_number(score, 1)} is outside the scale of 0 to {format_number(max_score, 1)}.",
                )
            )
    duplicated = scores.duplicated(["bidder", "criterion", "evaluator"], keep="first")
    for row in scores.index[duplicated]:
        r = scores.loc[row]
        findings.append(
            Finding(
                "error",
                f"{_sheet_row(name, 'scores', row)}: {r['evaluator']} has scored {r['bidder']} on '{r['criterion']}' twice. Delete one of the rows.",
            )
        )

    present = set(zip(scores["bidder"], scores["criterion"]))
    for bidder in tender.bidders:
        missing = [c for c in scored if (bidder, c) not in present]
        if missing:
            findings.append(
                Finding(
                    "error",
                    f"{bidder} has no score for {', '.join(repr(c) for c in missing)}. Add the evaluators' scores (or the moderated score) to the scores sheet.",
                )
            )

    margin = tender.settings.moderation_margin
    evaluators = scores[scores["evaluator"].str.strip().str.lower() != MODERATED]
    moderated = set(
        zip(
            scores.loc[scores["evaluator"].str.strip().str.lower() == MODERATED, "bidder"],
            scores.loc[scores["evaluator"].str.strip().str.lower() == MODERATED, "criterion"],
        )
    )
    if len(evaluators):
        spread = evaluators.groupby(["bidder", "criterion"], sort=False)["score"].agg(["min", "max"])
        for (bidder, criterion), lo, hi in zip(spread.index, spread["min"], spread["max"]):
            if hi - lo > margin + 1e-9 and (bidder, criterion) not in moderated:
                findings.append(
                    Finding(
                        "warning",
                        f"The evaluators' scores for {bidder} on '{criterion}' range from {format_number(lo, 1)} to {format_number(hi, 1)}, "
                        f"more than {format_number(margin, 1)} apart: flagged for moderation. Add a 'moderated' row with the agreed score.",
                    )
                )

    unknown = unknown_measure_codes(commitments, measures)
    if unknown:
        findings.append(
            Finding(
                "error",
                f"The commitments sheet uses the measure code{'s' if len(unknown) > 1 else ''} {', '.join(repr(c) for c in unknown)}, not in the measures library. Correct the code, or load the library that defines it.",
            )
        )
    strangers = sorted(set(commitments["bidder"]) - bidders)
    if strangers:
        findings.append(
            Finding(
                "error",
                f"The commitments sheet names {', '.join(repr(b) for b in strangers)}, not a bidder in the bids sheet. Correct the name so it matches exactly.",
            )
        )
    return findings


# --------------------------------------------------------------------------- scoring


def final_scores(tender: Tender) -> pd.DataFrame:
    """The final score of each bid on each scored criterion.

    Returns
    -------
    DataFrame
        ``bidder, criterion, final_score, basis, reasons``: the
        ``moderated`` row's score where there is one, else the mean of the
        evaluators' scores; ``basis`` says which; ``reasons`` joins the
        comments that apply.
    """
    rows = []
    scores = tender.scores
    is_moderated = scores["evaluator"].str.strip().str.lower() == MODERATED
    for (bidder, criterion), group in scores.groupby(["bidder", "criterion"], sort=False):
        mod = group[is_moderated.loc[group.index]]
        if len(mod):
            score, basis, comments = (
                float(mod["score"].iloc[-1]),
                "moderated",
                [str(c) for c in mod["comment"] if str(c).strip()],
            )
        else:
            score = exact_sum(group["score"]) / len(group)
            basis = f"mean of {len(group)} evaluator{'s' if len(group) != 1 else ''}"
            comments = [f"{e}: {c}" for e, c in zip(group["evaluator"], group["comment"]) if str(c).strip()]
        rows.append(
            {
                "bidder": bidder,
                "criterion": criterion,
                "final_score": score,
                "basis": basis,
                "reasons": " | ".join(comments),
            }
        )
    return pd.DataFrame(rows, columns=["bidder", "criterion", "final_score", "basis", "reasons"])


def price_fraction(prices: np.ndarray, method: str = "lowest_price") -> np.ndarray:
    """The share of the price weight each bid earns (0 to 1).

    Parameters
    ----------
    prices : array
        Prices along the last axis (one row per scenario allowed).
    method : str
        ``lowest_price``: lowest ÷ price.  ``deviation_from_lowest``:
        1 − (price − lowest) ÷ lowest, not below 0.

    Examples
    --------
    >>> price_fraction(np.array([100.0, 125.0, 200.0])).tolist()
    [1.0, 0.8, 0.5]
    >>> price_fraction(np.array([100.0, 125.0, 200.0]), "deviation_from_lowest").tolist()
    [1.0, 0.75, 0.0]
    """
    prices = np.asarray(prices, dtype=float)
    lowest = prices.min(axis=-1, keepdims=True)
    if method == "lowest_price":
        return lowest / prices
    if method == "deviation_from_lowest":
        return np.clip(2.0 - prices / lowest, 0.0, 1.0)
    raise InputError(f"'{method}' is not a price method; choose one of: {', '.join(PRICE_METHODS)}.")


def value_fraction(values: np.ndarray) -> np.ndarray:
    """Each bid's social value as a share of the highest (all 0 when the highest is 0)."""
    values = np.asarray(values, dtype=float)
    highest = values.max(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(highest > 0, values / np.where(highest > 0, highest, 1.0), 0.0)


def social_value_by_bidder(
    tender: Tender, measures: pd.DataFrame, basis: val.Discounting | None = None
) -> pd.DataFrame:
    """Each bid's committed social value, in total, by theme and per pound of price.

    Values are present values by the one valuation rule (:mod:`sv_helpers.core.valuation`: net of the
    library's deadweight, attribution and displacement, over each measure's duration with its drop-off,
    discounted by ``basis``, default the Green Book's); a library without adjustments gives the gross value.

    Returns
    -------
    DataFrame
        Indexed by bidder (in the bids sheet's order): ``price``,
        ``social``, ``economic``, ``environmental`` (pounds, present value),
        ``social_value_gbp`` (their sum), ``value_per_pound`` (social value ÷
        price), ``measures_not_monetised`` (commitments counted but with
        no proxy value), then ``gross_value_gbp`` and ``net_value_gbp`` (the bid's gross and net values).
    """
    valued = social_value(tender.commitments, measures)
    values = val.value_items(valued, measures, "quantity", basis or val.discounting())
    bidders = pd.Index(tender.bidders, name="bidder")
    money = values["present_value_gbp"].fillna(0.0).astype("float64")
    by_theme = money.groupby([valued["bidder"].astype(object), valued["theme"].astype(object)]).sum()
    table = by_theme.unstack("theme") if len(by_theme) else pd.DataFrame()
    out = table.reindex(index=bidders, columns=list(THEMES)).fillna(0.0).astype("float64")
    out.columns.name = None
    prices = tender.bids["price"].to_numpy(dtype=float)
    out.insert(0, "price", prices)
    out["social_value_gbp"] = out[list(THEMES)].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value_per_pound"] = np.where(
            prices > 0, out["social_value_gbp"].to_numpy() / np.where(prices > 0, prices, 1.0), np.nan
        )
    missing = valued["value_gbp"].isna().groupby(valued["bidder"].astype(object)).sum()
    out["measures_not_monetised"] = missing.reindex(bidders).fillna(0).astype(int).to_numpy()
    for column in ("gross_value_gbp", "net_value_gbp"):
        totals = values[column].fillna(0.0).astype("float64").groupby(valued["bidder"].astype(object)).sum()
        out[column] = totals.reindex(bidders).fillna(0.0).astype("float64").to_numpy()
    return out


def score_fractions(
    tender: Tender,
    measures: pd.DataFrame,
    finals: pd.DataFrame | None = None,
    social: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The share of each criterion's weight each bid earns, 0 to 1.

    A bid's score on a criterion is its weight × this fraction, so the
    fractions do not change when the weights do.

    Returns
    -------
    DataFrame
        Bidders (rows, bids-sheet order) × criteria (columns, criteria-sheet order).
    """
    finals = final_scores(tender) if finals is None else finals
    prices = tender.bids["price"].to_numpy(dtype=float)
    fractions = pd.DataFrame(0.0, index=pd.Index(tender.bidders, name="bidder"), columns=tender.criterion_names)
    value = None
    finals_wide = (
        finals.pivot(index="bidder", columns="criterion", values="final_score") if len(finals) else pd.DataFrame()
    )
    for criterion, method in zip(tender.criterion_names, tender.criteria["method"]):
        if method in PRICE_METHODS:
            fractions[criterion] = price_fraction(prices, method)
        elif method == "proxy_value":
            if value is None:
                social = social_value_by_bidder(tender, measures) if social is None else social
                value = social["social_value_gbp"].reindex(tender.bidders).to_numpy()
            fractions[criterion] = value_fraction(value)
        else:
            column = finals_wide[criterion] if criterion in finals_wide.columns else pd.Series(dtype=float)
            fractions[criterion] = column.reindex(tender.bidders).to_numpy(dtype=float) / tender.settings.max_score
    return fractions


def rank_totals(totals: pd.Series) -> pd.Series:
    """Rank totals: 1 is the highest, equal totals (to 1e-9) share the better rank."""
    rounded = totals.round(9)
    return rounded.rank(method="min", ascending=False).astype(int)


@dataclass(frozen=True)
class TenderResult:
    """The scored tender.

    Attributes
    ----------
    tender : Tender
        The tender as scored (its weights and price method).
    ranking : DataFrame
        ``bidder, price_score, quality_score, social_value_score,
        total_score, rank``, best first (ties in bids-sheet order).
    criterion_scores : DataFrame
        ``bidder, criterion, group, score`` (long form).
    fractions : DataFrame
        Bidders × criteria, see :func:`score_fractions`.
    finals : DataFrame
        See :func:`final_scores`.
    social_value : DataFrame
        See :func:`social_value_by_bidder`.
    findings : list of Finding
        The warnings from :func:`check_tender`.
    """

    tender: Tender
    ranking: pd.DataFrame
    criterion_scores: pd.DataFrame
    fractions: pd.DataFrame
    finals: pd.DataFrame
    social_value: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)

    @cached_property
    def _winners(self) -> tuple[str, ...]:
        return tuple(self.ranking.loc[self.ranking["rank"] == 1, "bidder"])

    @property
    def winners(self) -> list[str]:
        """The bidder(s) ranked 1 (more than one when tied)."""
        return list(self._winners)

    @property
    def winner(self) -> str:
        """The winning bidder; equal winners are joined with ' and '."""
        return " and ".join(self.winners)


def _group_totals(scores: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame(index=scores.index)
    for group in GROUPS:
        columns = [c for c in scores.columns if groups[c] == group]
        out[f"{group}_score"] = scores[columns].sum(axis=1) if columns else 0.0
    return out


def score_tender(
    tender: Tender,
    measures: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    price_method: str | None = None,
    finals: pd.DataFrame | None = None,
    social: pd.DataFrame | None = None,
    checked: dict | None = None,
    basis: val.Discounting | None = None,
) -> TenderResult:
    """Check and score a tender.

    Parameters
    ----------
    tender : Tender
        From :func:`load_tender`.
    measures : DataFrame
        The measures library.
    weights : mapping of criterion to weight, optional
        Weights to use instead of the file's (e.g. from the app's sliders).
    price_method : str, optional
        The price method to use instead of the file's.
    finals, social : DataFrame, optional
        :func:`final_scores` and :func:`social_value_by_bidder` of this tender and library, when already made
        (neither depends on the weights or the price method).
    basis : Discounting, optional
        The discount rate and convention of the social value's present value (default the Green Book's).
    checked : dict, optional
        Keeps :func:`check_tender`'s findings that do not depend on the weights (its ``kept``).

    Returns
    -------
    TenderResult

    Raises
    ------
    InputError
        Listing every error :func:`check_tender` finds.
    """
    if weights:
        tender = with_weights(tender, weights)
    if price_method and tender.price_method is not None:
        tender = with_price_method(tender, price_method)
    findings = check_tender(tender, measures, kept=checked)
    raise_for_errors(findings)
    finals = final_scores(tender) if finals is None else finals
    social = social_value_by_bidder(tender, measures, basis) if social is None else social
    fractions = score_fractions(tender, measures, finals, social)
    scores = fractions * tender.weights
    groups = tender.groups
    ranking = _group_totals(scores, groups)
    ranking["total_score"] = scores.sum(axis=1)
    ranking["rank"] = rank_totals(ranking["total_score"])
    ranking = ranking.reset_index().rename(columns={"index": "bidder"})
    order = np.lexsort((np.arange(len(ranking)), ranking["rank"].to_numpy()))
    ranking = ranking.iloc[order].reset_index(drop=True)
    long = scores.reset_index().melt(id_vars="bidder", var_name="criterion", value_name="score")
    long.insert(2, "group", long["criterion"].map(groups))
    return TenderResult(
        tender=tender,
        ranking=ranking[["bidder", "price_score", "quality_score", "social_value_score", "total_score", "rank"]],
        criterion_scores=long[["bidder", "criterion", "group", "score"]],
        fractions=fractions,
        finals=finals,
        social_value=social,
        findings=[f for f in findings if not f.is_error],
    )


# --------------------------------------------------------------------------- assessment summaries


class _Lookups:
    """What the assessment summaries look up per bid and criterion, indexed once (not filtered per row)."""

    def __init__(self, result: TenderResult) -> None:
        tender = result.tender
        self.max_score = tender.settings.max_score
        self.prices = dict(zip(tender.bids["bidder"], tender.bids["price"].astype(float), strict=True))
        self.lowest = float(tender.bids["price"].min())
        values = result.social_value["social_value_gbp"]
        self.values = {b: float(v) for b, v in values.items()}
        social = result.social_value
        self.gross_net = (
            {
                b: (float(g), float(n))
                for b, g, n in zip(social.index, social["gross_value_gbp"], social["net_value_gbp"])
            }
            if "gross_value_gbp" in social.columns
            else {}
        )
        self.is_adjusted = any(abs(g - self.values[b]) > 0.005 for b, (g, _) in self.gross_net.items())
        self.highest = float(values.max())
        finals = result.finals
        self.finals: dict[tuple[str, str], tuple[float, str, str]] = {}
        for b, c, f, basis, reasons in zip(
            finals["bidder"],
            finals["criterion"],
            finals["final_score"],
            finals["basis"],
            finals["reasons"],
            strict=True,
        ):
            self.finals.setdefault((b, c), (float(f), str(basis), str(reasons)))

    def basis(self, bidder: str, criterion: str, method: str) -> str:
        if method in PRICE_METHODS:
            return f"Price {format_money(self.prices[bidder])}; lowest price {format_money(self.lowest)}"
        if method == "proxy_value":
            if self.is_adjusted:
                gross, net = self.gross_net[bidder]
                return (
                    f"Social value committed {format_money(self.values[bidder])} in present value "
                    f"({format_money(gross)} gross, {format_money(net)} net); highest {format_money(self.highest)}"
                )
            return f"Social value committed {format_money(self.values[bidder])}; highest {format_money(self.highest)}"
        final = self.finals.get((bidder, criterion))
        if final is None:
            return "No score"
        return f"Score {format_number(final[0], 2)} out of {format_number(self.max_score)} ({final[1]})"

    def reasons(self, bidder: str, criterion: str) -> str:
        final = self.finals.get((bidder, criterion))
        return final[2] if final else ""


def assessment_summaries(result: TenderResult) -> pd.DataFrame:
    """Each bidder's scores and reasons by criterion beside the winning bid's.

    The Procurement Act 2023 asks the authority to give every assessed
    supplier such a summary.

    Returns
    -------
    DataFrame
        ``bidder, rank, criterion, group, weight, basis, score, reasons,
        winning_bidder, winning_basis, winning_score, winning_reasons``;
        one row per bidder and criterion plus a ``Total`` row per bidder.
    """
    tender = result.tender
    winner = result.winners[0]
    look = _Lookups(result)
    scores = result.criterion_scores.set_index(["bidder", "criterion"])["score"].to_dict()
    ranks = result.ranking.set_index("bidder")["rank"]
    totals = result.ranking.set_index("bidder")["total_score"]
    rows = []
    for bidder in result.ranking["bidder"]:
        for criterion, group, weight, method in zip(
            tender.criterion_names, tender.criteria["group"], tender.criteria["weight"], tender.criteria["method"]
        ):
            rows.append(
                {
                    "bidder": bidder,
                    "rank": int(ranks[bidder]),
                    "criterion": criterion,
                    "group": group,
                    "weight": float(weight),
                    "basis": look.basis(bidder, criterion, method),
                    "score": float(scores[(bidder, criterion)]),
                    "reasons": look.reasons(bidder, criterion),
                    "winning_bidder": winner,
                    "winning_basis": look.basis(winner, criterion, method),
                    "winning_score": float(scores[(winner, criterion)]),
                    "winning_reasons": look.reasons(winner, criterion),
                }
            )
        rows.append(
            {
                "bidder": bidder,
                "rank": int(ranks[bidder]),
                "criterion": "Total",
                "group": "",
                "weight": float(tender.weights.sum()),
                "basis": "",
                "score": float(totals[bidder]),
                "reasons": "",
                "winning_bidder": winner,
                "winning_basis": "",
                "winning_score": float(totals[winner]),
                "winning_reasons": "",
            }
        )
    return pd.DataFrame(rows)


def assessment_summary_text(result: TenderResult, bidder: str, table: pd.DataFrame | None = None) -> str:
    """A plain-text (Markdown) assessment summary for one bidder (``table``: :func:`assessment_summaries`, if made)."""
    table = assessment_summaries(result) if table is None else table
    mine = table[table["bidder"] == bidder]
    if not len(mine):
        raise InputError(f"'{bidder}' is not a bidder in this tender.")
    winner = mine["winning_bidder"].iloc[0]
    rank = int(mine["rank"].iloc[0])
    # The total is each bidder's last row (a criterion may itself be called "Total").
    total = mine["score"].iloc[-1]
    win_total = mine["winning_score"].iloc[-1]
    lines = [
        f"# Assessment summary: {bidder}",
        "",
        f"Tender: {result.tender.name}. {bidder} scored {format_number(total, 2)} out of 100 and was ranked {rank} of {len(result.ranking)}. "
        + (
            "This is the winning bid."
            if bidder in result.winners
            else f"The winning bid, from {winner}, scored {format_number(win_total, 2)}."
        ),
        "",
    ]
    for _, r in mine.iloc[:-1].iterrows():
        lines += [
            f"## {r['criterion']} ({GROUP_LABELS.get(r['group'], r['group'])}, weight {format_number(r['weight'], 1)})",
            "",
            f"- Your bid: {format_number(r['score'], 2)} points. {r['basis']}."
            + (f" Reasons: {r['reasons']}" if r["reasons"] else ""),
        ]
        if bidder != winner:
            lines.append(
                f"- Winning bid ({winner}): {format_number(r['winning_score'], 2)} points. {r['winning_basis']}."
                + (f" Reasons: {r['winning_reasons']}" if r["winning_reasons"] else "")
            )
        lines.append("")
    return "\n".join(lines)


def _file_slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_") or "bidder"


def assessment_summary_files(
    result: TenderResult, created_note: str = "", table: pd.DataFrame | None = None
) -> dict[str, str]:
    """One Markdown assessment summary per bidder, keyed by file name.

    Parameters
    ----------
    result : TenderResult
    created_note : str
        A line added at the end of each summary (e.g. the provenance).
    table : DataFrame, optional
        :func:`assessment_summaries` of the result, when already made.

    Returns
    -------
    dict of str to str
        ``assessment_summary_<bidder>.md`` → its text, in ranking order.
    """
    files: dict[str, str] = {}
    table = assessment_summaries(result) if table is None else table
    for bidder in result.ranking["bidder"]:
        name = f"assessment_summary_{_file_slug(str(bidder))}.md"
        if name in files:  # two names that differ only in punctuation
            name = name.replace(".md", f"_{len(files) + 1}.md")
        files[name] = assessment_summary_text(result, bidder, table) + (f"\n{created_note}\n" if created_note else "")
    return files


def checks_table(findings: list[Finding]) -> pd.DataFrame:
    """The checks' findings as a table: ``level, message``."""
    return pd.DataFrame([{"level": f.level, "message": f.message} for f in findings], columns=["level", "message"])
