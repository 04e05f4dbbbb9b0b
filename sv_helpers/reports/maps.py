"""Ward maps from GeoJSON, no geopandas (interface layer): as SVG for the apps, with matplotlib for a PNG.

The boundaries are the 2013 wards of Sevenoaks District (``data/boundaries``,
CC BY 4.0 Martin Chorley; contains Ordnance Survey data © Crown copyright and
database right) or, given ``boundaries=WARDS_2025_FILE``, the wards of May 2025 (ONS, Open Government
Licence v3.0).  Colours come from ``cividis``, a sequential scale readable
with the common colour-vision deficiencies; wards with nothing are left pale
grey and hatched, so colour is never the only cue.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sv_helpers.core.formatting import format_money
from sv_helpers.core.paths import data_path

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

WARDS_FILE = ("boundaries", "sevenoaks_wards_2013.geojson")
#: The wards of May 2025 (ONS; the 2024/25 ward codes), for figures on today's wards.
WARDS_2025_FILE = ("boundaries", "sevenoaks_wards_2025.geojson")

#: matplotlib's ``cividis`` at 17 even steps (0, 1/16, …, 1), so the SVG map needs no matplotlib; between steps
#: the colour is interpolated linearly (within 12 of 255 in any channel of matplotlib's own 256 steps).
CIVIDIS = (
    "#00224e", "#002e6a", "#1a386f", "#32436d", "#434e6c", "#535a6d", "#61656f", "#6f7073", "#7d7c78",
    "#8c8878", "#9b9476", "#aba072", "#bcae6c", "#cdbb63", "#dec958", "#f0d846", "#fee838",
)  # fmt: skip


def cividis(share: float) -> str:
    """The ``cividis`` colour at ``share`` (0 to 1) as ``#rrggbb``.

    >>> cividis(0.0), cividis(1.0), cividis(0.5)
    ('#00224e', '#fee838', '#7d7c78')
    """
    share = min(max(float(share), 0.0), 1.0) * (len(CIVIDIS) - 1)
    i = min(int(share), len(CIVIDIS) - 2)
    t = share - i
    a, b = CIVIDIS[i], CIVIDIS[i + 1]
    rgb = [round(int(a[k : k + 2], 16) * (1 - t) + int(b[k : k + 2], 16) * t) for k in (1, 3, 5)]
    return "#" + "".join(f"{v:02x}" for v in rgb)


#: Shown under every map.
ATTRIBUTION = (
    "2013 ward boundaries: UK-GeoJSON by Martin Chorley (CC BY 4.0). Contains Ordnance Survey data © Crown copyright "
    "and database right; Open Government Licence v3.0; OS OpenData Licence."
)


#: Shown under every map drawn on the 2025 boundaries.
ATTRIBUTION_2025 = (
    "2025 ward boundaries: Office for National Statistics (Wards, May 2025) licensed under the Open Government "
    "Licence v3.0. Contains OS data © Crown copyright and database right."
)


def attribution(parts: tuple[str, ...] = WARDS_FILE) -> str:
    """The line shown under a map drawn on the boundaries ``parts``."""
    return ATTRIBUTION_2025 if tuple(parts) == WARDS_2025_FILE else ATTRIBUTION


def _ward_name(properties: dict) -> str:
    """The ward's name in any ONS ward boundary file (``WD13NM``, ``WD25NM``, ...)."""
    for key, value in properties.items():
        if key.startswith("WD") and key.endswith("NM") and key[2:-2].isdigit():
            return value
    raise KeyError("no ward name (WDxxNM) in the boundary file")


@lru_cache(maxsize=4)
def ward_shapes(parts: tuple[str, ...] = WARDS_FILE) -> dict[str, list[np.ndarray]]:
    """Return each ward's outer rings (lon, lat arrays) by ward name, from the shipped GeoJSON."""
    geo = json.loads(data_path(*parts).read_text(encoding="utf-8"))
    shapes: dict[str, list[np.ndarray]] = {}
    for feature in geo["features"]:
        name = _ward_name(feature["properties"])
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
    boundaries: tuple[str, ...] = WARDS_FILE,
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
    boundaries : tuple of str
        The shipped boundary file (2013 wards by default; :data:`WARDS_2025_FILE` for today's).
    """
    from matplotlib.colors import Normalize
    from matplotlib.patches import Polygon

    from sv_helpers.reports.charts import _pyplot

    plt = _pyplot()
    shapes = ward_shapes(tuple(boundaries))
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
            ax.annotate(
                f"{ward}\n{value_format(float(values[ward]))}",
                (x, y),
                ha="center",
                va="center",
                fontsize=7.5,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
            )
    ax.autoscale_view()
    ax.set_aspect(1 / math.cos(math.radians(float(np.mean(lats)))))
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=12)
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    bar = fig.colorbar(mappable, ax=ax, shrink=0.6, pad=0.02)
    bar.set_label(legend_label)
    bar.ax.yaxis.set_major_formatter(lambda v, _: value_format(v))
    return fig


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@lru_cache(maxsize=4)
def _projected(
    width: float, parts: tuple[str, ...] = WARDS_FILE
) -> tuple[dict[str, list[str]], float, dict[str, tuple]]:
    """Each ward's rings as SVG point lists in a ``width``-wide frame (equirectangular at the district's latitude)."""
    shapes = ward_shapes(parts)
    allpts = np.vstack([r for rings in shapes.values() for r in rings])
    lat0 = math.radians(float(allpts[:, 1].mean()))
    x0, x1 = float(allpts[:, 0].min()), float(allpts[:, 0].max())
    y0, y1 = float(allpts[:, 1].min()), float(allpts[:, 1].max())
    scale = width / ((x1 - x0) * math.cos(lat0))
    height = (y1 - y0) * scale

    def xy(ring: np.ndarray) -> np.ndarray:
        return np.column_stack([(ring[:, 0] - x0) * math.cos(lat0) * scale, (y1 - ring[:, 1]) * scale])

    points = {w: [" ".join(f"{x:.1f},{y:.1f}" for x, y in xy(r)) for r in rings] for w, rings in shapes.items()}
    centres = {w: tuple(xy(max(rings, key=len)).mean(axis=0)) for w, rings in shapes.items()}
    return points, height, centres


def ward_map_svg(
    values: pd.Series,
    *,
    title: str,
    legend_label: str,
    value_format: Callable[[float], str] = lambda v: format_money(v),
    label_top: int = 5,
    width: float = 480.0,
    boundaries: tuple[str, ...] = WARDS_FILE,
) -> str:
    """Return the ward map of :func:`ward_map` as SVG text: the same colours and hatching, drawn in milliseconds.

    Parameters are those of :func:`ward_map`; the map is ``width`` pixels wide
    plus a colour bar.  Show it as an ``<img>`` with alt text (an SVG data URI).
    """
    points, height, centres = _projected(width, tuple(boundaries))
    positive = values[values > 0]
    top = float(positive.max()) if len(positive) else 1.0

    def colour(v: float) -> str:
        return cividis(v / top)

    pad, bar_x = 30.0, width + 40.0
    # Room on the right for the colour bar's title (about 6.8 pixels a character at 11 pixels).
    full_w, full_h = width + max(150.0, 40.0 + 6.8 * len(legend_label)), height + pad + 10.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {full_w:.0f} {full_h:.0f}" width="{full_w:.0f}" '
        f'height="{full_h:.0f}" font-family="DejaVu Sans, Arial, sans-serif">',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#EEEEEE"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#767676" stroke-width="1"/>'
        '</pattern><linearGradient id="scale" x1="0" y1="1" x2="0" y2="0">'
        + "".join(f'<stop offset="{k / 10:.1f}" stop-color="{colour(top * k / 10)}"/>' for k in range(11))
        + "</linearGradient></defs>",
        f'<rect width="{full_w:.0f}" height="{full_h:.0f}" fill="#ffffff"/>',
        f'<text x="0" y="18" font-size="15">{_esc(title)}</text>',
        f'<g transform="translate(0,{pad:.0f})">',
    ]
    for ward, rings in points.items():
        value = float(values.get(ward, 0.0) or 0.0)
        fill, stroke = (colour(value), "#ffffff") if value > 0 else ("url(#hatch)", "#767676")
        parts.extend(f'<polygon points="{ring}" fill="{fill}" stroke="{stroke}" stroke-width="0.8"/>' for ring in rings)
    for ward in positive.sort_values(ascending=False).index[:label_top]:
        if ward in centres:
            x, y = centres[ward]
            lines = [str(ward), value_format(float(values[ward]))]
            w = 7.0 * max(len(t) for t in lines) + 8
            x = min(max(x, w / 2 + 2), width - w / 2 - 2)  # keep the label inside the frame
            parts.append(
                f'<rect x="{x - w / 2:.1f}" y="{y - 15:.1f}" width="{w:.1f}" height="30" rx="3" '
                'fill="#ffffff" fill-opacity="0.85"/>'
            )
            parts.extend(
                f'<text x="{x:.1f}" y="{y - 3 + 13 * i:.1f}" font-size="11" text-anchor="middle" '
                f'fill="#1a1a1a">{_esc(t)}</text>'
                for i, t in enumerate(lines)
            )
    bar_h = height * 0.6
    bar_y = (height - bar_h) / 2
    parts += [
        f'<rect x="{bar_x:.0f}" y="{bar_y:.1f}" width="16" height="{bar_h:.1f}" fill="url(#scale)" stroke="#767676"/>',
        f'<text x="{bar_x + 22:.0f}" y="{bar_y + 5:.1f}" font-size="11" fill="#1a1a1a">'
        f"{_esc(value_format(top))}</text>",
        f'<text x="{bar_x + 22:.0f}" y="{bar_y + bar_h + 4:.1f}" font-size="11" fill="#1a1a1a">'
        f"{_esc(value_format(0))}</text>",
        f'<text x="{bar_x - 6:.0f}" y="{bar_y - 10:.1f}" font-size="11" fill="#1a1a1a">{_esc(legend_label)}</text>',
        "</g></svg>",
    ]
    return "".join(parts)
