"""Accessible charts: a colour-blind-safe palette and a text alternative for every chart.

Interface layer: the model never imports this module.  Charts are drawn with
matplotlib and shown as an HTML ``<figure>`` holding a PNG with ``alt`` text,
a visible caption (the data source) and, optionally, the chart's data as a
table inside ``<details>`` for screen-reader and keyboard users.
"""

from __future__ import annotations

import base64
import html
import io
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

#: Okabe and Ito's palette, distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

#: One colour per social value theme, used by every app.
THEME_COLOURS: dict[str, str] = {"social": "#CC79A7", "economic": "#0072B2", "environmental": "#009E73"}

#: Hatches to pair with colours where bars sit side by side (colour is never the only cue).
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "--", "++", "oo")


def colour(i: int) -> str:
    """Return the i-th palette colour, cycling."""
    return PALETTE[i % len(PALETTE)]


def _pyplot():
    """matplotlib's pyplot, loaded on first use: the apps draw SVG (:mod:`sv_helpers.reports.svgcharts`), and a kernel
    that never draws with matplotlib never pays for loading it (about 30 MB and a quarter of a second)."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # the workbook's charts are images in HTML; no window, no inline backend
    import matplotlib.pyplot as plt

    #: Text on charts is never read as maths: a bidder called "Beta $\\foo$ Ltd" is drawn as written
    #: (matplotlib's mathtext would otherwise parse the dollar signs, and fail on an unknown command).
    matplotlib.rcParams["text.parse_math"] = False  # set each time, in case a notebook reset the style
    return plt


def new_figure(width: float = 8.0, height: float = 4.5) -> tuple[plt.Figure, plt.Axes]:
    """Return a figure and axes in the workbook's style (large text, no top/right spines)."""
    fig, ax = _pyplot().subplots(figsize=(width, height), dpi=100)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_prop_cycle(color=list(PALETTE))
    ax.tick_params(labelsize=10)
    return fig, ax


def figure_png(fig: plt.Figure) -> bytes:
    """Render a figure to PNG bytes and close it (figures are never left open)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=100, metadata={"Software": None})
    _pyplot().close(fig)
    return buffer.getvalue()


def table_html(table: pd.DataFrame, caption: str | None = None) -> str:
    """Return an accessible HTML table (header cells with scope, optional caption)."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="sv-table">{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def figure_html(
    fig: plt.Figure,
    alt: str,
    caption: str | None = None,
    data: pd.DataFrame | None = None,
) -> str:
    """Return a chart as an accessible HTML figure, closing the matplotlib figure.

    Parameters
    ----------
    fig : Figure
        The chart.
    alt : str
        The text alternative: what the chart shows and its main finding.
        Required; an empty alt text is refused.
    caption : str, optional
        A visible caption, such as the data source and licence.
    data : DataFrame, optional
        The chart's numbers, offered as a table under "Show the chart's data".

    Returns
    -------
    str
        HTML: ``<figure>`` with ``<img alt>``, ``<figcaption>`` and ``<details>``.
    """
    if not alt or not alt.strip():
        _pyplot().close(fig)
        raise ValueError("Every chart needs a text alternative.")
    encoded = base64.b64encode(figure_png(fig)).decode("ascii")
    parts = [
        f'<figure class="sv-figure"><img src="data:image/png;base64,{encoded}" alt="{html.escape(alt, quote=True)}" style="max-width:100%;height:auto">'
    ]
    if caption:
        parts.append(f"<figcaption>{html.escape(caption)}</figcaption>")
    if data is not None:
        parts.append(f"<details><summary>Show the chart's data as a table</summary>{table_html(data)}</details>")
    parts.append("</figure>")
    return "".join(parts)


def describe_values(labels: Iterable[str], values: Iterable[str], *, limit: int = 12) -> str:
    """Write "A: £1,000; B: £2,000" for alt texts, cut after ``limit`` items."""
    pairs = [f"{label}: {value}" for label, value in zip(labels, values)]
    if len(pairs) > limit:
        pairs = pairs[:limit] + [f"and {len(pairs) - limit} more"]
    return "; ".join(pairs)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    xlabel: str = "",
    horizontal: bool = True,
    colours: Sequence[str] | None = None,
    value_format=lambda v: f"{v:,.0f}",
) -> plt.Figure:
    """Return a simple labelled bar chart: values written on the bars and on the
    value axis with ``value_format`` (so money reads £2,000, never 2000)."""
    height = max(3.0, 0.45 * len(labels) + 1.2) if horizontal else 4.5
    fig, ax = new_figure(8.0, height)
    colours = list(colours) if colours else [PALETTE[0]] * len(labels)
    if horizontal:
        bars = ax.barh(list(labels), list(values), color=colours)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
    else:
        bars = ax.bar(list(labels), list(values), color=colours)
        ax.set_ylabel(xlabel)
    ax.bar_label(bars, labels=[value_format(v) for v in values], padding=3, fontsize=9)
    from matplotlib.ticker import FuncFormatter

    (ax.xaxis if horizontal else ax.yaxis).set_major_formatter(FuncFormatter(lambda v, _pos: value_format(v)))
    ax.set_title(title, loc="left", fontsize=12)
    return fig


def stacked_theme_bars(ax: plt.Axes, labels: Sequence[str], table: pd.DataFrame, themes: Sequence[str]) -> list[float]:
    """Draw one horizontal bar per label, stacked by theme (the theme's colour and hatch); return each bar's total."""
    left = [0.0] * len(labels)
    for i, theme in enumerate(themes):
        values = [float(v) for v in table[theme]]
        ax.barh(
            list(labels),
            values,
            left=left,
            color=THEME_COLOURS[theme],
            hatch=HATCHES[i],
            edgecolor="white",
            label=theme.capitalize(),
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    return left
