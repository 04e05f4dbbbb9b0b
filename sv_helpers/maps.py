"""Ward maps drawn with matplotlib polygons from GeoJSON, no geopandas (interface layer).

The boundaries are the 2013 wards of Sevenoaks District (``data/boundaries``,
CC BY 4.0 Martin Chorley; contains Ordnance Survey data © Crown copyright and
database right).  Colours come from ``cividis``, a sequential scale readable
with the common colour-vision deficiencies; wards with nothing are left pale
grey and hatched, so colour is never the only cue.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402

from sv_helpers.formatting import format_money  # noqa: E402
from sv_helpers.paths import data_path  # noqa: E402

WARDS_FILE = ("boundaries", "sevenoaks_wards_2013.geojson")

#: Shown under every map.
ATTRIBUTION = (
    "2013 ward boundaries: UK-GeoJSON by Martin Chorley (CC BY 4.0). Contains Ordnance Survey data © Crown copyright "
    "and database right; Open Government Licence v3.0; OS OpenData Licence."
)


@lru_cache(maxsize=4)
def ward_shapes(parts: tuple[str, ...] = WARDS_FILE) -> dict[str, list[np.ndarray]]:
    """Return each ward's outer rings (lon, lat arrays) by ward name, from the shipped GeoJSON."""
    geo = json.loads(data_path(*parts).read_text(encoding="utf-8"))
    shapes: dict[str, list[np.ndarray]] = {}
    for feature in geo["features"]:
        name = feature["properties"]["WD13NM"]
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        shapes[name] = [np.asarray(poly[0], dtype=float) for poly in polygons]
    return shapes


def _label_point(rings: list[np.ndarray]) -> tuple[float, float]:
    ring = max(rings, key=len)
    return float(ring[:, 0].mean()), float(ring[:, 1].mean())


def ward_map(
    values: pd.Series,
    *,
    title: str,
    legend_label: str,
    value_format: Callable[[float], str] = lambda v: format_money(v),
    label_top: int = 5,
) -> plt.Figure:
    """Return a map of the district's wards shaded by ``values`` (a Series indexed by ward name).

    Parameters
    ----------
    values : Series
        One number per ward name; wards missing or at 0 are drawn pale grey and hatched.
    title, legend_label : str
        The map's title and the colour bar's label.
    value_format : callable
        Formats the colour bar's ticks and the labels on the map.
    label_top : int
        How many of the largest wards to label with their value on the map.
    """
    shapes = ward_shapes()
    fig, ax = plt.subplots(figsize=(7.5, 7.0), dpi=100)
    positive = values[values > 0]
    norm = Normalize(vmin=0, vmax=float(positive.max()) if len(positive) else 1.0)
    cmap = plt.get_cmap("cividis")
    lats = []
    for ward, rings in shapes.items():
        value = float(values.get(ward, 0.0) or 0.0)
        for ring in rings:
            lats.append(ring[:, 1].mean())
            if value > 0:
                patch = Polygon(ring, closed=True, facecolor=cmap(norm(value)), edgecolor="white", linewidth=0.8)
            else:
                patch = Polygon(ring, closed=True, facecolor="#EEEEEE", edgecolor="#767676", linewidth=0.6, hatch="///")
            ax.add_patch(patch)
    for ward in positive.sort_values(ascending=False).index[:label_top]:
        if ward in shapes:
            x, y = _label_point(shapes[ward])
            ax.annotate(f"{ward}\n{value_format(float(values[ward]))}", (x, y), ha="center", va="center", fontsize=7.5,
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    ax.autoscale_view()
    ax.set_aspect(1 / math.cos(math.radians(float(np.mean(lats)))))
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=12)
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    bar = fig.colorbar(mappable, ax=ax, shrink=0.6, pad=0.02)
    bar.set_label(legend_label)
    bar.ax.yaxis.set_major_formatter(lambda v, _: value_format(v))
    return fig
