"""The frontier of a sweep: the scenarios no other scenario beats on two figures at once."""

from __future__ import annotations

import pandas as pd


def frontier(table: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """The rows no other row beats on both ``x`` and ``y`` (higher is better on both), sorted by ``x``.

    Examples
    --------
    >>> t = pd.DataFrame({"score": [1, 2, 3, 2], "share": [9, 8, 5, 4]})
    >>> frontier(t, "score", "share")[["score", "share"]].values.tolist()
    [[1, 9], [2, 8], [3, 5]]
    """
    ok = table.dropna(subset=[x, y])
    if "error" in ok:
        ok = ok[ok["error"].fillna("") == ""]
    ordered = ok.sort_values([x, y], ascending=[False, False])
    best_y = float("-inf")
    keep = []
    for index, value in zip(ordered.index, ordered[y], strict=True):
        if float(value) > best_y:
            keep.append(index)
            best_y = float(value)
    return ok.loc[keep].sort_values(x)
