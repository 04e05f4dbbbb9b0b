"""Charts drawn directly as SVG text, for the apps' redraws.

A matplotlib PNG takes 80 to 350 ms to draw on the machines the workbook runs on; the same chart written
as SVG takes a few milliseconds, so an app can redraw every chart a control changes within the 150 ms
a councillor should wait (issue 11). The charts keep the workbook's look: Okabe and Ito's palette
(:data:`sv_helpers.reports.charts.PALETTE`, re-exported here), a hatch as well as a colour wherever bars or
areas sit side by side, large text, no top or right axis line. Each chart goes on the page with :func:`figure_html`: an ``<img>``
with its text alternative, a caption and the chart's numbers as a table, as
:func:`sv_helpers.reports.charts.figure_html` does for matplotlib.

A chart is a :class:`Plot`: marks are added in data units (lines, points, rectangles, areas, reference
lines, text), and :meth:`Plot.svg` fits the axes to them::

    >>> plot = Plot(title="Emissions", y_label="kt CO2", x_format=lambda v: f"{v:.0f}")
    >>> plot.line([2020, 2021, 2022], [10.0, 9.0, 7.5], colour="#0072B2", label="Actual")
    >>> svg = plot.svg()
    >>> svg.startswith("<svg") and "Actual" in svg and "2021" in svg
    True

Text is escaped: a supplier's name is drawn as written, never read as markup.

Interface layer: the model never imports this module.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sv_helpers.reports.charts import HATCHES, PALETTE, colour, table_html

__all__ = ["HATCHES", "PALETTE", "Plot", "colour", "figure_html", "hbar_chart", "nice_ticks", "side_by_side"]

#: Dash patterns by matplotlib's names, so a chart reads the same in SVG.
DASHES = {"-": None, "--": "7 4", ":": "2 3", "-.": "7 3 2 3"}
TEXT = "#0b0c0c"
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
#: Average advance of a character, as a share of the font size (to lay out labels without measuring text).
CHAR_WIDTH = 0.6


def esc(text: Any) -> str:
    """Text as SVG character data or an attribute value."""
    return html.escape(str(text), quote=True)


def text_width(text: str, size: float) -> float:
    """The width a label takes at ``size`` pixels (an estimate; the layout leaves room for error)."""
    return len(str(text)) * size * CHAR_WIDTH


def shorten(text: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels at ``size`` (a long supplier's name on an axis; the full
    name is in the text alternative and the data table).

    >>> shorten("Acme Ltd", 12, 200)
    'Acme Ltd'
    >>> shorten("x" * 500, 12, 72)
    'xxxxxxxxx…'
    """
    text = " ".join(str(text).split())  # a line break in a name is a space on a chart
    if text_width(text, size) <= width:
        return text
    keep = max(int(width / (size * CHAR_WIDTH)) - 1, 1)
    return text[:keep].rstrip() + "…"


def thin_ticks(ticks: Sequence[tuple[float, str]], spacing: float, size: float) -> list[tuple[float, str]]:
    """Every k-th tick, the fewest dropped so that no two labels overlap (``spacing``: pixels between ticks).

    >>> thin_ticks([(i, "Jun 2025") for i in range(12)], spacing=40, size=12)[:3]
    [(0, 'Jun 2025'), (2, 'Jun 2025'), (4, 'Jun 2025')]
    >>> len(thin_ticks([(i, "2020") for i in range(5)], spacing=80, size=12))
    5
    """
    ticks = list(ticks)
    widest = max((text_width(t, size) for _, t in ticks), default=0.0) + 8
    if spacing <= 0 or widest <= spacing:
        return ticks
    step = math.ceil(widest / spacing)
    return ticks[::step]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low`` to ``high`` (steps of 1, 2, 2.5 or 5 times a power of ten).

    >>> nice_ticks(0, 97)
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    >>> nice_ticks(2005, 2050, 6)
    [2000.0, 2010.0, 2020.0, 2030.0, 2040.0, 2050.0]
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high < low:
        low, high = high, low
    if high == low:
        high, low = high + 1.0, low - (1.0 if low != 0 else 0.0)
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step + 1e-9) * step
    ticks, value = [], start
    while value < high + step * 0.999:
        ticks.append(round(value, 10) + 0.0)
        value += step
        if len(ticks) > 50:
            break
    return ticks


@dataclass
class _Mark:
    kind: str
    data: dict[str, Any]


@dataclass
class Plot:
    """One chart's axes and marks (data units); :meth:`svg` lays it out and writes it.

    ``categories`` makes the vertical axis a list of labelled rows (bar charts): row ``i`` is at ``y = i``,
    the first at the top; a row label wider than ``label_share`` of the chart is cut with an ellipsis.
    ``legend`` is ``"right"``, ``"bottom"`` or ``None``. ``x_ticks`` (value, label) replaces the horizontal axis's
    ticks (dates as numbers, say); labels that would overlap are thinned out.
    """

    title: str = ""
    x_label: str = ""
    y_label: str = ""
    width: float = 800.0
    height: float = 400.0
    x_format: Callable[[float], str] = lambda v: f"{v:,.0f}"
    y_format: Callable[[float], str] = lambda v: f"{v:,.0f}"
    categories: Sequence[str] | None = None
    legend: str | None = "right"
    legend_title: str = ""
    x_min: float | None = None
    x_max: float | None = None
    y_min: float | None = None
    y_max: float | None = None
    x_ticks: Sequence[tuple[float, str]] | None = None
    x_pad: float = 0.0
    label_share: float = 0.6
    font_size: float = 13.0
    marks: list[_Mark] = field(default_factory=list)
    _legend: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    # ------------------------------------------------------------------ marks

    def _key(self, label: str | None, **swatch: Any) -> None:
        if label and all(label != name for name, _ in self._legend):
            self._legend.append((label, swatch))

    def line(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        *,
        colour: str,
        dash: str = "-",
        width: float = 2.5,
        label: str | None = None,
        marker: str | None = None,
    ) -> None:
        """A line through the points (a missing value breaks it); ``marker`` ``"o"`` or ``"D"`` marks each point."""
        pts = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
        self.marks.append(_Mark("line", {"pts": pts, "colour": colour, "dash": dash, "width": width, "marker": marker}))
        self._key(label, kind="line", colour=colour, dash=dash, width=width, marker=marker)

    def points(
        self, xs: Sequence[float], ys: Sequence[float], *, colour: str, marker: str = "o", label: str | None = None
    ) -> None:
        """Markers at the points (``"o"`` circle, ``"D"`` diamond, ``"s"`` square)."""
        pts = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
        self.marks.append(_Mark("points", {"pts": pts, "colour": colour, "marker": marker}))
        self._key(label, kind="marker", colour=colour, marker=marker)

    def rect(
        self,
        x0: float,
        x1: float,
        y0: float,
        y1: float,
        *,
        colour: str,
        hatch: str = "",
        label: str | None = None,
        edge: str = "#ffffff",
    ) -> None:
        """A rectangle in data units (a bar)."""
        self.marks.append(
            _Mark("rect", {"x": (float(x0), float(x1)), "y": (float(y0), float(y1)), "colour": colour, "hatch": hatch})
        )
        self.marks[-1].data["edge"] = edge
        self._key(label, kind="box", colour=colour, hatch=hatch)

    def area(
        self,
        xs: Sequence[float],
        low: Sequence[float],
        high: Sequence[float],
        *,
        colour: str,
        hatch: str = "",
        label: str | None = None,
    ) -> None:
        """The band between two lines (a stacked area's layer)."""
        pts = [(float(x), float(a), float(b)) for x, a, b in zip(xs, low, high, strict=True)]
        self.marks.append(_Mark("area", {"pts": pts, "colour": colour, "hatch": hatch}))
        self._key(label, kind="box", colour=colour, hatch=hatch)

    def vline(
        self, x: float, *, colour: str = "#767676", dash: str = "-", width: float = 1.0, label: str | None = None
    ) -> None:
        """A vertical reference line across the plot."""
        self.marks.append(_Mark("vline", {"x": float(x), "colour": colour, "dash": dash, "width": width}))
        self._key(label, kind="line", colour=colour, dash=dash, width=width, marker=None)

    def text(
        self, x: float, y: float, text: str, *, dx: float = 0.0, dy: float = 0.0, size: float = 11.0, anchor="start"
    ) -> None:
        """A label at a point, offset by ``dx``, ``dy`` pixels (a bar's value, a milestone's percentage)."""
        self.marks.append(
            _Mark(
                "text", {"x": float(x), "y": float(y), "text": str(text), "dx": dx, "dy": dy, "size": size, "a": anchor}
            )
        )

    # ------------------------------------------------------------------ layout

    def _extent(self) -> tuple[float, float, float, float]:
        xs: list[float] = []
        ys: list[float] = []
        for m in self.marks:
            d = m.data
            if m.kind in ("line", "points"):
                xs += [p[0] for p in d["pts"]]
                ys += [p[1] for p in d["pts"]]
            elif m.kind == "rect":
                xs += list(d["x"])
                ys += list(d["y"])
            elif m.kind == "area":
                xs += [p[0] for p in d["pts"]]
                ys += [p[1] for p in d["pts"]] + [p[2] for p in d["pts"]]
            elif m.kind in ("vline",):
                xs.append(d["x"])
            elif m.kind == "text":
                xs.append(d["x"])
                ys.append(d["y"])
        xs = [v for v in xs if math.isfinite(v)] or [0.0, 1.0]
        ys = [v for v in ys if math.isfinite(v)] or [0.0, 1.0]
        return min(xs), max(xs), min(ys), max(ys)

    def svg(self) -> str:
        """The chart as an SVG document."""
        fs = self.font_size
        x_lo, x_hi, y_lo, y_hi = self._extent()
        data_x_hi = x_hi
        x_lo = self.x_min if self.x_min is not None else x_lo
        x_hi = self.x_max if self.x_max is not None else x_hi
        if self.x_pad:
            x_lo, x_hi = x_lo - self.x_pad, x_hi + self.x_pad
        if self.categories is not None:
            n = max(len(self.categories), 1)
            y_lo, y_hi = -0.5, n - 0.5
            y_ticks: list[tuple[float, str]] = [
                (i, shorten(c, fs - 1, self.width * self.label_share)) for i, c in enumerate(self.categories)
            ]
            # Ticks cover the bars; the axis may run on past the last tick to leave room for the bars' labels.
            x_tick_values = nice_ticks(min(x_lo, 0.0), min(data_x_hi, x_hi))
            x_lo, x_hi = x_tick_values[0], max(x_hi, x_tick_values[-1])
        else:
            y_lo = self.y_min if self.y_min is not None else y_lo
            y_hi = self.y_max if self.y_max is not None else y_hi
            values = nice_ticks(y_lo, y_hi)
            y_lo, y_hi = min(values[0], y_lo), max(values[-1], y_hi)
            y_ticks = [(v, self.y_format(v)) for v in values if y_lo - 1e-9 <= v <= y_hi + 1e-9]
            x_tick_values = nice_ticks(x_lo, x_hi, 8)
        if self.x_ticks is not None:
            x_ticks = [(float(v), t) for v, t in self.x_ticks]
        else:
            x_ticks = [(v, self.x_format(v)) for v in x_tick_values if x_lo - 1e-9 <= v <= x_hi + 1e-9]
        if x_hi == x_lo:
            x_hi = x_lo + 1.0
        if y_hi == y_lo:
            y_hi = y_lo + 1.0

        # Margins: room for the longest tick label, the axis titles, the legend.
        left = 12 + max((text_width(t, fs - 1) for _, t in y_ticks), default=0) + (fs + 10 if self.y_label else 0)
        legend_w = 0.0
        if self._legend and self.legend == "right":
            longest = max(text_width(name, fs - 1) for name, _ in self._legend)
            legend_w = min(longest + 40, self.width * 0.34)
        top = 34.0 if self.title else 12.0
        bottom = 30.0 + (fs + 10 if self.x_label else 0)
        legend_rows: list[list[tuple[str, dict]]] = []
        if self._legend and self.legend == "bottom":
            row: list[tuple[str, dict]] = []
            used = 0.0
            for name, sw in self._legend:
                w = text_width(name, fs - 1) + 44
                if row and used + w > self.width - left:
                    legend_rows.append(row)
                    row, used = [], 0.0
                row.append((name, sw))
                used += w
            legend_rows.append(row)
        extra = 22 * len(legend_rows) + 6 if legend_rows else 0  # a legend below makes the chart taller
        height = self.height + extra
        bottom += extra
        right = max(30.0, text_width(x_ticks[-1][1], fs - 1) * 0.55 + 10) if x_ticks else 30.0
        plot_l, plot_r = left, self.width - right - legend_w
        plot_t, plot_b = top, height - bottom
        if plot_r - plot_l < 80:
            plot_r = plot_l + 80
        if plot_b - plot_t < 60:
            plot_b = plot_t + 60

        def sx(v: float) -> float:
            return plot_l + (v - x_lo) / (x_hi - x_lo) * (plot_r - plot_l)

        if len(x_ticks) > 1:  # dates or long amounts: fewer labels rather than labels over each other
            x_ticks = thin_ticks(
                x_ticks, min(abs(sx(b) - sx(a)) for (a, _), (b, _) in zip(x_ticks, x_ticks[1:])), fs - 1
            )

        def sy(v: float) -> float:
            if self.categories is not None:  # row 0 at the top
                return plot_t + (v - y_lo) / (y_hi - y_lo) * (plot_b - plot_t)
            return plot_b - (v - y_lo) / (y_hi - y_lo) * (plot_b - plot_t)

        defs: dict[tuple[str, str], str] = {}
        body: list[str] = []

        def fill(colour_: str, hatch: str) -> str:
            if not hatch:
                return colour_
            key = (colour_, hatch)
            if key not in defs:
                defs[key] = f"h{len(defs)}"
            return f"url(#{defs[key]})"

        # Grid and axes.
        if self.categories is None:
            for v, t in y_ticks:
                y = sy(v)
                body.append(f'<line x1="{plot_l:.1f}" y1="{y:.1f}" x2="{plot_r:.1f}" y2="{y:.1f}" stroke="#dddddd"/>')
                body.append(_text(plot_l - 6, y + fs * 0.35, t, fs - 1, "end"))
        else:
            for v, t in y_ticks:
                body.append(_text(plot_l - 6, sy(v) + fs * 0.35, t, fs - 1, "end"))
            for v, _t in x_ticks:
                x = sx(v)
                body.append(f'<line x1="{x:.1f}" y1="{plot_t:.1f}" x2="{x:.1f}" y2="{plot_b:.1f}" stroke="#e5e5e5"/>')
        for v, t in x_ticks:
            x = sx(v)
            body.append(f'<line x1="{x:.1f}" y1="{plot_b:.1f}" x2="{x:.1f}" y2="{plot_b + 5:.1f}" stroke="{TEXT}"/>')
            body.append(_text(x, plot_b + 8 + fs, t, fs - 1, "middle"))

        # Marks, in the order given.
        for m in self.marks:
            d = m.data
            if m.kind == "rect":
                (x0, x1), (y0, y1) = d["x"], d["y"]
                px, py = min(sx(x0), sx(x1)), min(sy(y0), sy(y1))
                pw, ph = abs(sx(x1) - sx(x0)), abs(sy(y1) - sy(y0))
                body.append(
                    f'<rect x="{px:.1f}" y="{py:.1f}" width="{pw:.1f}" height="{ph:.1f}" '
                    f'fill="{fill(d["colour"], d["hatch"])}" stroke="{d["edge"]}" stroke-width="0.6"/>'
                )
            elif m.kind == "area":
                pts = [p for p in d["pts"] if all(math.isfinite(v) for v in p)]
                if len(pts) >= 2:
                    upper = " ".join(f"{sx(x):.1f},{sy(b):.1f}" for x, _a, b in pts)
                    lower = " ".join(f"{sx(x):.1f},{sy(a):.1f}" for x, a, _b in reversed(pts))
                    body.append(
                        f'<polygon points="{upper} {lower}" fill="{fill(d["colour"], d["hatch"])}" '
                        'stroke="#ffffff" stroke-width="0.5"/>'
                    )
            elif m.kind == "line":
                for run in _runs(d["pts"]):
                    path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in run)
                    body.append(
                        f'<polyline points="{path}" fill="none" stroke="{d["colour"]}" stroke-width="{d["width"]}"'
                        f'{_dash(d["dash"])} stroke-linejoin="round"/>'
                    )
                    if d["marker"]:
                        body += [_marker(d["marker"], sx(x), sy(y), d["colour"]) for x, y in run]
            elif m.kind == "points":
                body += [
                    _marker(d["marker"], sx(x), sy(y), d["colour"])
                    for x, y in d["pts"]
                    if math.isfinite(x) and math.isfinite(y)
                ]
            elif m.kind == "vline":
                x = sx(d["x"])
                body.append(
                    f'<line x1="{x:.1f}" y1="{plot_t:.1f}" x2="{x:.1f}" y2="{plot_b:.1f}" stroke="{d["colour"]}" '
                    f'stroke-width="{d["width"]}"{_dash(d["dash"])}/>'
                )
        # Labels last, on a white halo, so a reference line or a neighbouring bar never hides them.
        for m in self.marks:
            d = m.data
            if m.kind == "text":
                x, y = sx(d["x"]) + d["dx"], sy(d["y"]) - d["dy"] + d["size"] * 0.35
                body.append(_text(x, y, d["text"], d["size"], d["a"], halo=True))
        body.append(
            f'<path d="M{plot_l:.1f},{plot_t:.1f}V{plot_b:.1f}H{plot_r:.1f}" fill="none" stroke="{TEXT}" '
            'stroke-width="1"/>'
        )

        # Titles and legend.
        if self.title:  # smaller, down to 11 pixels, rather than cut off (bold text is about a tenth wider)
            size = max(11.0, min(fs + 2, (self.width - 8) / max(len(self.title) * CHAR_WIDTH * 1.1, 1)))
            body.append(_text(4, 20, self.title, round(size, 1), "start", bold=True))
        if self.x_label:
            body.append(_text((plot_l + plot_r) / 2, plot_b + 30 + fs, self.x_label, fs, "middle"))
        if self.y_label:
            cy = (plot_t + plot_b) / 2
            body.append(
                f'<text x="{fs + 2:.1f}" y="{cy:.1f}" font-size="{fs}" fill="{TEXT}" text-anchor="middle" '
                f'transform="rotate(-90 {fs + 2:.1f} {cy:.1f})">{esc(self.y_label)}</text>'
            )
        if self._legend and self.legend == "right":
            x, y = plot_r + 16, plot_t + 4
            if self.legend_title:
                body.append(_text(x, y + fs * 0.8, self.legend_title, fs - 1, "start", bold=True))
                y += 20
            for name, sw in self._legend:
                body.append(_swatch(x, y, sw, fill))
                body.append(_wrap_text(x + 30, y + fs * 0.75, name, fs - 1, legend_w - 34))
                y += 20 + 16 * (len(_wrap(name, fs - 1, legend_w - 34)) - 1)
        elif legend_rows:
            y = plot_b + bottom - 22 * len(legend_rows) - 2
            for row in legend_rows:
                x = plot_l
                for name, sw in row:
                    body.append(_swatch(x, y, sw, fill))
                    body.append(_text(x + 30, y + fs * 0.75, name, fs - 1, "start"))
                    x += text_width(name, fs - 1) + 44
                y += 22

        patterns = "".join(_pattern(pid, c, h) for (c, h), pid in defs.items())
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {self.width:.0f} {height:.0f}" font-family="{FONT}">'
            + (f"<defs>{patterns}</defs>" if patterns else "")
            + f'<rect width="{self.width:.0f}" height="{height:.0f}" fill="#ffffff"/>'
            + "".join(body)
            + "</svg>"
        )


# --------------------------------------------------------------------------- drawing pieces


def text_element(x: float, y: float, text: str, **attrs: Any) -> str:
    """A ``<text>`` element, its text escaped; ``attrs`` are SVG attributes with ``_`` for ``-``.

    >>> text_element(4, 18, "Beta <b> & $x$", font_size=15, text_anchor="end")
    '<text x="4.0" y="18.0" font-size="15" text-anchor="end">Beta &lt;b&gt; &amp; $x$</text>'
    """
    extra = "".join(f' {k.replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{esc(text)}</text>'


def _text(
    x: float, y: float, text: str, size: float, anchor: str = "start", *, bold: bool = False, halo: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    if halo:
        weight += ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{TEXT}" text-anchor="{anchor}"{weight}>'
        f"{esc(text)}</text>"
    )


def _wrap(text: str, size: float, width: float) -> list[str]:
    words, lines, line = str(text).split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if line and text_width(trial, size) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line] if line else lines or [""]


def _wrap_text(x: float, y: float, text: str, size: float, width: float) -> str:
    lines = _wrap(text, size, width)
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 16}">{esc(line)}</tspan>' for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{TEXT}">{spans}</text>'


def _dash(style: str) -> str:
    pattern = DASHES.get(style, style if style and style[0].isdigit() else None)
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def _runs(pts: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """The stretches of a line between missing values."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in pts:
        if math.isfinite(x) and math.isfinite(y):
            runs[-1].append((x, y))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def _marker(kind: str, x: float, y: float, colour_: str, r: float = 4.5) -> str:
    if kind == "D":
        return (
            f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} {x:.1f},{y + r + 1:.1f} '
            f'{x - r - 1:.1f},{y:.1f}" fill="{colour_}" stroke="#ffffff" stroke-width="0.8"/>'
        )
    if kind == "s":
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:g}" height="{2 * r:g}" fill="{colour_}" '
            'stroke="#ffffff" stroke-width="0.8"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:g}" fill="{colour_}" stroke="#ffffff" stroke-width="0.8"/>'


def _swatch(x: float, y: float, sw: dict[str, Any], fill: Callable[[str, str], str]) -> str:
    if sw["kind"] == "box":
        return (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="22" height="13" fill="{fill(sw["colour"], sw.get("hatch", ""))}" '
            'stroke="#505a5f" stroke-width="0.6"/>'
        )
    if sw["kind"] == "marker":
        return _marker(sw["marker"], x + 11, y + 6.5, sw["colour"])
    line = (
        f'<line x1="{x:.1f}" y1="{y + 6.5:.1f}" x2="{x + 22:.1f}" y2="{y + 6.5:.1f}" stroke="{sw["colour"]}" '
        f'stroke-width="{sw["width"]}"{_dash(sw["dash"])}/>'
    )
    return line + (_marker(sw["marker"], x + 11, y + 6.5, sw["colour"]) if sw.get("marker") else "")


def _pattern(pid: str, colour_: str, hatch: str) -> str:
    """A hatch as an SVG pattern: the colour, with dark strokes over it (seen on every colour of the palette)."""
    ink = 'stroke="#000000" stroke-opacity="0.45" stroke-width="1.2"'
    shapes = {
        "/": f'<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6" {ink}/>',
        "\\": f'<path d="M0,0 L8,8 M-2,6 L2,10 M6,-2 L10,2" {ink}/>',
        ".": '<circle cx="2" cy="2" r="1.1" fill="#000000" fill-opacity="0.5"/>'
        '<circle cx="6" cy="6" r="1.1" fill="#000000" fill-opacity="0.5"/>',
        "x": f'<path d="M0,8 L8,0 M0,0 L8,8" {ink}/>',
        "-": f'<path d="M0,4 H8" {ink}/>',
        "+": f'<path d="M0,4 H8 M4,0 V8" {ink}/>',
        "o": '<circle cx="4" cy="4" r="2.2" fill="none" stroke="#000000" stroke-opacity="0.5" stroke-width="1"/>',
    }
    shape = shapes.get(hatch[:1], "")
    return (
        f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{colour_}"/>{shape}</pattern>'
    )


# --------------------------------------------------------------------------- composing and showing


def side_by_side(*svgs: str, gap: float = 10.0, title: str = "") -> str:
    """Place SVG charts next to each other in one SVG (the panels of one figure), under one title."""
    top = 30.0 if title else 0.0
    parts, x, height = [], 0.0, 0.0
    for svg in svgs:
        w = float(svg.split('width="', 1)[1].split('"', 1)[0])
        h = float(svg.split('height="', 1)[1].split('"', 1)[0])
        parts.append(svg.replace("<svg ", f'<svg x="{x:.0f}" y="{top:.0f}" ', 1))
        x += w + gap
        height = max(height, h + top)
    width = x - gap
    heading = _text(4, 20, title, 15, "start", bold=True) if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}"><rect width="{width:.0f}" '
        f'height="{height:.0f}" fill="#ffffff"/>' + heading + "".join(parts) + "</svg>"
    )


def figure_html(svg: str, alt: str, caption: str | None = None, data: pd.DataFrame | str | None = None) -> str:
    """An SVG chart as an accessible figure: ``<img alt>`` (a data URI), the caption, and the numbers as a table.

    The same shape as :func:`sv_helpers.reports.charts.figure_html`. An empty text alternative is refused.

    >>> page = figure_html(Plot(title="t").svg(), alt="A chart of nothing", caption="Example")
    >>> 'alt="A chart of nothing"' in page and "<figcaption>Example</figcaption>" in page
    True
    """
    if not alt or not alt.strip():
        raise ValueError("Every chart needs a text alternative.")
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    parts = [
        f'<figure class="sv-figure"><img src="data:image/svg+xml;base64,{encoded}" '
        f'alt="{html.escape(alt, quote=True)}" style="max-width:100%;height:auto">'
    ]
    if caption:
        parts.append(f"<figcaption>{html.escape(caption)}</figcaption>")
    if data is not None:
        table = data if isinstance(data, str) else table_html(data)
        parts.append(f"<details><summary>Show the chart's data as a table</summary>{table}</details>")
    parts.append("</figure>")
    return "".join(parts)


def hbar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str | None, Sequence[float], str | Sequence[str], str]],
    *,
    mode: str = "stacked",
    title: str = "",
    x_label: str = "",
    value_format: Callable[[float], str] = lambda v: f"{v:,.0f}",
    end_labels: Sequence[str] | None = None,
    width: float = 800.0,
    row_height: float = 30.0,
    legend: str | None = "right",
    legend_title: str = "",
    height: float | None = None,
    label_share: float = 0.6,
) -> Plot:
    """Horizontal bars, one row per category: ``series`` is ``(label, values, colour or colours, hatch)``.

    ``mode`` ``"stacked"`` piles the series along a row; ``"grouped"`` puts them side by side within it.
    ``end_labels`` are written at the end of each row (by default each row's total, formatted; grouped bars
    have none unless given). ``height`` in pixels (by default ``row_height`` a row) is kept at least 16 pixels
    a row, so no two row labels overlap; ``label_share`` is the widest share of the chart a row label takes
    (longer ones are cut). Returns the :class:`Plot`, to add reference lines before :meth:`Plot.svg`.

    >>> plot = hbar_chart(["Arts", "Sport"], [("Rank", [3.0, 1.0], "#0072B2", ""), ("Pro rata", [2.0, 2.0],
    ...     "#E69F00", "//")], mode="grouped", title="Awards", legend="bottom")
    >>> plot.x_max, len([m for m in plot.marks if m.kind == "text"])
    (3.0, 0)
    >>> svg = hbar_chart(["A"], [(None, [5.0], ["#0072B2"], "")], end_labels=["£5 (counted)"]).svg()
    >>> "£5 (counted)" in svg and "<pattern" not in svg
    True
    """
    n = len(categories)
    totals = [0.0] * n
    k = max(len(series), 1)
    fitted = (46 if title else 24) + row_height * n + (64 if x_label else 40)
    least = (46 if title else 24) + 16 * n + (64 if x_label else 40)
    plot = Plot(
        title=title,
        x_label=x_label,
        width=width,
        height=fitted if height is None else max(float(height), least),
        x_format=value_format,
        categories=list(categories),
        legend=legend,
        legend_title=legend_title,
        label_share=label_share,
    )
    for j, (label, values, colours, hatch) in enumerate(series):
        per_row = [colours] * n if isinstance(colours, str) else list(colours)
        for i, value in enumerate(values):
            v = float(value) if value is not None and math.isfinite(float(value)) else 0.0
            if mode == "grouped":
                h = 0.8 / k
                y0 = i - 0.4 + j * h
                plot.rect(0.0, v, y0, y0 + h, colour=per_row[i], hatch=hatch, label=label)
                totals[i] = max(totals[i], v)
            else:
                plot.rect(totals[i], totals[i] + v, i - 0.36, i + 0.36, colour=per_row[i], hatch=hatch, label=label)
                totals[i] += v
    labelled = mode != "grouped" or end_labels is not None
    labels = (list(end_labels) if end_labels is not None else [value_format(t) for t in totals]) if labelled else []
    for i, text in enumerate(labels):
        plot.text(max(totals[i], 0.0), i, " " + text, dx=4, size=12)
    most = max(totals + [0.0])
    # Room after each bar for its label: the value axis runs on far enough that the widest bar-and-label fits.
    # The plot's width is estimated as Plot.svg lays it out (row labels on the left, a legend on the right).
    row_labels = max((text_width(shorten(c, 12, width * label_share), 12) for c in categories), default=0.0)
    keys = [label for label, *_ in series if label]
    key_w = min(max(text_width(k, 12) for k in keys) + 40, width * 0.34) if keys and legend == "right" else 0.0
    plot_w = max(width - row_labels - 12 - 40 - key_w, 80.0)
    reach = [t / (1 - min(0.7, (text_width(label, 12) + 16) / plot_w)) for t, label in zip(totals, labels)]
    plot.x_max = max(reach + [most]) if most > 0 else 1.0
    plot.x_min = 0.0
    return plot
