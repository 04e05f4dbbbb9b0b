"""Numbers that come out the same on every machine: exact sums, and the precision every table is written at.

Two things make the last digits of a float depend on the machine rather than on the inputs:

- **the order of a sum.** A BLAS matrix product (``a @ b``) or a least-squares fit adds its terms in an
  order chosen by the processor's kernels (``OPENBLAS_CORETYPE``), the thread count and numpy's SIMD code,
  so ``19.098859096545823`` on one machine is ``19.09885909654581`` on another. :func:`exact_sum` and
  :func:`exact_dot` add with :func:`math.fsum`, which returns the correctly rounded sum whatever the order:
  every machine with IEEE 754 doubles gives the same bits. Products and quotients of two doubles are
  correctly rounded already, so arithmetic made of them and of these sums is the same everywhere.
- **library kernels for powers and logarithms**, which differ by processor (numpy's AVX-512 code, glibc's
  FMA variants). :func:`powers` raises a number to whole powers by repeated multiplication instead.

Then every table is written at a stated precision (:func:`decimals_for`): money to the penny, percentages to
4 decimal places, every other number to 6. What is left of a difference in the 16th digit disappears there.
``README.md`` ("Output contract") lists the columns of each kind.

Examples
--------
>>> exact_sum([0.1] * 10)
1.0
>>> decimals_for("awarded"), decimals_for("pct_of_expected"), decimals_for("total_score")
(2, 4, 6)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

#: Decimal places of each kind of number in a written table.
MONEY_DECIMALS = 2
PERCENT_DECIMALS = 4
OTHER_DECIMALS = 6

#: Money columns whose names do not end in ``_gbp`` (output column names are a contract, so they stay).
MONEY_COLUMNS: frozenset[str] = frozenset(
    {
        # grants: allocations.csv and allocation_summary.csv
        "amount_requested",
        "capped_request",
        "minimum_award",
        "awarded",
        "budget",
        "available",
        "committed",
        "total_awarded",
        "unallocated",
        "unfunded_demand",
        # planning: cil_allocation.csv, ifs_*.csv, neighbourhood_portion.csv, s106_at_risk.csv
        "amount",
        "cap",
        "cil_receipts",
        "neighbourhood_portion",
        "unspent",
        # scoring: social_value_by_bidder.csv (a bid's price and its commitments' value by theme)
        "price",
        "social",
        "economic",
        "environmental",
        # climate: cost_curve.csv
        "cost",
        # 360Giving
        "amountAwarded",
        "amountRequested",
        "amountAppliedFor",
    }
)
#: Money columns by how their names begin (``awarded_rank``, ``due_by_28_april``, ``receipts_at_15pct``).
MONEY_PREFIXES: tuple[str, ...] = ("awarded_", "due_by_", "receipts_at_")


def decimals_for(column: Any) -> int:
    """The decimal places a number in this column (or JSON key) is written with.

    Money (a name ending ``_gbp``, or one of :data:`MONEY_COLUMNS` and :data:`MONEY_PREFIXES`) to the penny;
    percentages (``_pct``, ``pct_``) to 4 places; everything else (weights, scores, shares, probabilities,
    quantities, tonnes) to 6.
    """
    name = str(column)
    if name.endswith("_gbp") or name in MONEY_COLUMNS or name.startswith(MONEY_PREFIXES):
        return MONEY_DECIMALS
    if name.endswith("_pct") or name.startswith("pct_") or name.endswith("_percent"):
        return PERCENT_DECIMALS
    return OTHER_DECIMALS


def round_number(value: float, decimals: int) -> float:
    """``value`` rounded half to even at ``decimals`` places, without a negative zero (infinities, NaN kept)."""
    if not math.isfinite(value):
        return value
    return round(float(value), decimals) + 0.0


def at_stated_precision(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table with every float column rounded to its :func:`decimals_for` places (others untouched)."""
    out = table.copy()
    for position, name in enumerate(out.columns):
        column = out.iloc[:, position]
        if pd.api.types.is_float_dtype(column.dtype):
            places = decimals_for(name)
            out.isetitem(position, column.map(lambda v, d=places: v if pd.isna(v) else round_number(v, d)))
        elif column.dtype == object:
            places = decimals_for(name)
            out.isetitem(
                position,
                column.map(lambda v, d=places: round_number(v, d) if isinstance(v, (float, np.floating)) else v),
            )
    return out


def json_at_stated_precision(value: Any, key: Any = None) -> Any:
    """The same for a JSON value: every float rounded by the key it sits under (list items by their list's key)."""
    if isinstance(value, Mapping):
        return {k: json_at_stated_precision(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_at_stated_precision(v, key) for v in value]
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        return round_number(float(value), decimals_for(key))
    return value


def exact_sum(values: Iterable[float]) -> float:
    """The correctly rounded sum of some numbers (:func:`math.fsum`): the same whatever their order."""
    return math.fsum(float(v) for v in values)


def exact_dot(matrix: Any, vector: Any) -> np.ndarray:
    """``matrix @ vector`` with each row's products added exactly (no BLAS): the same bits on every machine."""
    m = np.asarray(matrix, dtype=float)
    v = np.asarray(vector, dtype=float)
    if m.ndim == 1:
        return np.asarray(math.fsum(m * v))
    products = m * v  # each product correctly rounded, elementwise
    return np.array([math.fsum(row) for row in products.reshape(-1, products.shape[-1])], dtype=float).reshape(
        products.shape[:-1]
    )


def exact_mean(values: Any, axis: int = 0) -> np.ndarray:
    """The mean along an axis from exact sums."""
    a = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
    n = a.shape[-1]
    return np.array([math.fsum(r) / n for r in a.reshape(-1, n)], dtype=float).reshape(a.shape[:-1])


def powers(base: Any, steps: Any) -> np.ndarray:
    """``base ** steps`` for whole, non-negative ``steps``, by repeated multiplication in a fixed order.

    ``base`` broadcasts against ``steps`` (e.g. ``(n, 1)`` bases and ``(m,)`` steps give ``(n, m)``).
    """
    b, t = np.broadcast_arrays(np.asarray(base, dtype=float), np.asarray(steps, dtype=float))
    if np.any(t < 0) or np.any(t != np.floor(t)):
        raise ValueError("powers() takes whole, non-negative steps")
    out = np.ones(b.shape)
    for k in range(1, int(t.max()) + 1 if t.size else 1):
        out = np.where(t >= k, out * b, out)
    return out


def linear_fit(x: Any, y: Any) -> tuple[float, float]:
    """The least-squares line ``y = slope × x + intercept``, in closed form from exact sums (no LAPACK)."""
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    n = len(xs)
    mean_x, mean_y = exact_sum(xs) / n, exact_sum(ys) / n
    dx = xs - mean_x
    slope = exact_sum(dx * (ys - mean_y)) / exact_sum(dx * dx)
    return slope, mean_y - slope * mean_x
