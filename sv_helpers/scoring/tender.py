"""The tender: its evaluation file (criteria, bids, scores, commitments, settings), how it is read, and its
weights and price method changed.

The evaluation file (an .xlsx workbook, or a folder of CSV files with the same names) has the sheets
``criteria``, ``bids``, ``scores``, ``commitments`` and, optionally, ``settings``; :func:`load_tender` reads it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.tables import Column, TableSchema, load_tables

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
