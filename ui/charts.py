"""Plotly figures in the theme's colours. Figures take frames with already-translated
labels; they never see raw user text as HTML (Plotly escapes text it draws).

Every axis has a title with its unit; dates are written in the user's language by
explicit d3 formats (Streamlit's Plotly has no locale bundle, so "Oct 4" would stay
English); an axis on the right gets its own round ticks aligned with the left one's
grid, never Plotly's synced fractions (1.03 / 2.06 / 3.09)."""

from __future__ import annotations

import base64
import functools
import itertools
import logging
import math
import re
from collections.abc import Callable
from datetime import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from analytics.report import CHART_ROWS_MAX, chart_rows  # noqa: F401  (the views draw through here)
from ui.state import FRAME_HASH, lang, t

_log = logging.getLogger(__name__)

PRIMARY = "#1f6feb"
SECOND = "#f59e0b"
THIRD = "#10b981"
TARGET = "#dc2626"
GREY = "#6b7280"
PARTS = ("#1f6feb", "#f59e0b", "#10b981")


# Built once per (figure, language, data). Building a figure is Plotly's validation of every
# property (5-60 ms a figure, 0.1-0.3 s for a page of them on this machine) and it ran on
# every rerun, also when every query was a cache hit; drawing a built figure (to_dict, JSON)
# is about 1 ms. The data are the key, so an import or another filter builds anew, and two
# people who see the same numbers share the figure. Shared: never change a figure that
# ``once`` or a builder below returned (build every change into the builder); only ``show``
# dresses it, once, for the width it is drawn at.
@st.cache_resource(show_spinner=False, max_entries=500, hash_funcs=FRAME_HASH)
def _built(name: str, lang_: str, key, _build: Callable[[], go.Figure]) -> go.Figure:
    return _build()


# --- Drawing: the theme and the margins, so the browser lays each chart out once ------------
# Streamlit's chart theme (st.plotly_chart's theme="streamlit") sends a 5.6 KB template
# with every figure and re-themes it in the browser at every draw; and with every figure
# asking for 10 px margins, Plotly's automargin found each chart's tick labels and titles
# did not fit and laid the chart out a second time. Measured in the browser (bench/
# chart_libs.py's four charts, busy time): 0.15-0.23 s with both, 0.13-0.15 s without the
# theme, 0.06-0.07 s without either. So the charts are drawn with theme=None in a small
# template of the same look, resolved once for the app's light theme (.streamlit/
# config.toml; read off Streamlit's themed charts in the browser), and margins worked out
# here from each figure's own labels. Automargin stays on: a label the estimate misses
# still fits, at the cost of the second layout, as before.
_FONT = '"Source Sans", sans-serif'
_MUTED, _LEGEND_TEXT, _TITLE_TEXT, _GRID, _BACKGROUND = "#808495", "#262730", "#1f2933", "#e6eaf1", "#ffffff"
_AXIS = dict(
    gridcolor=_GRID,
    zerolinecolor=_GRID,
    tickcolor=_GRID,
    minor=dict(gridcolor=_GRID),
    automargin=True,
    tickfont=dict(color=_MUTED, size=12),
)
THEME = go.layout.Template(
    layout=dict(
        colorway=[
            "#0068c9",
            "#83c9ff",
            "#ff2b2b",
            "#ffabab",
            "#29b09d",
            "#7defa1",
            "#ff8700",
            "#ffd16a",
            "#6d3fc0",
            "#d5dae5",
        ],
        font=dict(family=_FONT, size=12, color=_MUTED),
        title=dict(font=dict(family=_FONT, size=16, color=_TITLE_TEXT), pad=dict(l=4), xanchor="left", x=0),
        legend=dict(
            title=dict(font=dict(size=12, color=_MUTED), side="top"),
            valign="top",
            borderwidth=0,
            font=dict(size=12, color=_LEGEND_TEXT),
        ),
        paper_bgcolor=_BACKGROUND,
        plot_bgcolor=_BACKGROUND,
        xaxis=dict(_AXIS, showgrid=False, zeroline=False, title=dict(font=dict(color=_MUTED, size=14), standoff=20)),
        yaxis=dict(_AXIS, ticklabelposition="outside", title=dict(font=dict(color=_MUTED, size=14), standoff=24)),
        margin=dict(pad=8),
        hoverlabel=dict(
            bgcolor=_BACKGROUND, bordercolor="rgba(31, 41, 51, 0.2)", font=dict(color=_MUTED, family=_FONT, size=12)
        ),
    )
)

# Figures the app builds start in it (Streamlit made its own template Plotly's default).
pio.templates["callcenter"] = THEME
pio.templates.default = "callcenter"


def _dress(fig: go.Figure, width: float) -> None:
    """The app's template and margins that fit the figure's labels (see above) when drawn
    ``width`` px wide. Read from the figure's plain JSON and set by assignment: Plotly's
    property access and ``update_layout`` validation made this 5 ms a figure, now about 1.
    The figure remembers the width it was dressed for, so a figure built once (``_built``)
    is not dressed again on every run."""
    spec = fig.to_plotly_json()
    try:
        margins = fit_margins(spec, width)
    except Exception:  # only a guess to save a layout pass: automargin still fits the chart
        _log.warning("margins not worked out for a figure", exc_info=True)
        margins = {}
    lay = spec["layout"]
    if _get(lay, "template", "layout", "font", "family") != _FONT:  # e.g. the report's plotly_white
        fig.layout.template = THEME
    fig.layout.margin = {**(lay.get("margin") or {}), **margins}
    fig._dressed_width = width


def show(fig: go.Figure, key: str, share: float = 1.0, **kwargs) -> None:
    """Draw a figure on the page: every chart of the app goes through here. ``share``: the
    share of the main area's width given to the column it is drawn in (``st.columns`` of
    two), e.g. 1/2, so that its margins are worked out for the width it will have."""
    width = _column_width(share)
    # A figure a view built for this run only, or one built once and shown for the first
    # time (a shared figure is shown in one place, at one width, so this holds after).
    if getattr(fig, "_dressed_width", None) != width:
        _dress(fig, width)
    st.plotly_chart(fig, key=key, theme=None, **kwargs)


# Text widths in the theme's font (Source Sans), in thousandths of an em; CJK falls back to a
# full-width face. Checked against the browser's tick labels (digits 6 px at 12 px, "Wed"
# 22 px, "Occupancy, last 3 months" 128 px).
_TICK_PX, _TITLE_PX = 12, 14
_CJK_FROM = 0x2E80  # code points from here (CJK radicals on) are drawn full width
_FULL_WIDTH = 980  # a chart across the main area at 1440 px
_COLUMN_GAP = 16  # between st.columns (gap "small", 1 rem)


def _column_width(share: float) -> float:
    """The width of a column given ``share`` of the main area in a row of two: Streamlit
    takes half the gap off each (482 px for 1/2, 580 for 3/5, read in the browser)."""
    return _FULL_WIDTH if share >= 1 else share * _FULL_WIDTH - _COLUMN_GAP / 2


_EM_1000 = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;()[]-−–/%'+",
        (486, 546, 448, 546, 496, 291, 488, 537, 245, 247, 480, 255, 813, 537, 534, 546, 546, 341, 418, 331, 533, 457)
        + (719, 437, 456, 419, 544, 593, 571, 620, 529, 497, 619, 653, 262, 479, 579, 480, 726, 647, 664, 582, 664)
        + (589, 541, 541, 642, 522, 782, 514, 480, 536, 200, 249, 249, 249, 249, 301, 301, 301, 301, 311, 497, 497)
        + (339, 822, 220, 497),
        strict=True,
    )
)


def text_px(text: str, size: float = _TICK_PX) -> float:
    """About how wide ``text`` is drawn at ``size`` px, in px."""
    ems = 0
    for ch in text:
        if ch.isdigit():
            ems += 500
        elif ord(ch) >= _CJK_FROM:
            ems += 1000
        else:
            ems += _EM_1000.get(ch, 560)
    return ems * size / 1000


def _get(d: dict | None, *path):
    """``d[path[0]][path[1]]...``, or None where a level is missing."""
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def _has_cjk(text: str) -> bool:
    return any(ord(ch) >= _CJK_FROM for ch in text)


def _values(v) -> np.ndarray | None:
    if v is None:
        return None
    if isinstance(v, dict) and "bdata" in v:  # a typed array as Plotly serialises it
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v, dtype=object) if isinstance(v, list | tuple) else np.asarray(v)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?([ T]\d{2}:\d{2}.*)?$")


def _kind(a: np.ndarray) -> str:
    """``date``, ``number`` or ``category``: how Plotly types an axis of these values."""
    if a.dtype.kind == "M":
        return "date"
    if a.dtype.kind in "iuf":
        return "number"
    sample = next((x for x in a.flat if x is not None), None)
    if isinstance(sample, datetime | pd.Timestamp) or (isinstance(sample, str) and _ISO_DATE.match(sample)):
        return "date"
    if isinstance(sample, int | float | np.number):
        return "number"
    return "category"


def _date_ticks(a: np.ndarray, fmt: str | None) -> list[str]:
    """The widest tick label's lines of a date axis drawn in ``fmt``. Plotly's default: the
    month and year ("Nov 2026") over months; over days or hours a second line under the
    first tick with the year ("Oct 31" over "2026")."""
    dates = pd.to_datetime(pd.Series(a.ravel()), errors="coerce").dropna()
    if dates.empty:
        return [""]
    last = dates.max()
    if fmt:
        return last.strftime(fmt).split("\n")
    if last - dates.min() >= pd.Timedelta(days=60):
        return [last.strftime("%b %Y")]
    return [last.strftime("%b %d"), last.strftime("%Y")]


def _auto_step(span: float) -> float:
    """The tick step Plotly picks for a span: about a tenth of it (a chart's 200-300 px of
    plot over its 24 px per tick, at most nine), rounded up to 1, 2 or 5 x 10^k. Not
    ``nice_step``, the app's own choice of ticks (about five, and 2.5 among its steps)."""
    raw = max(span, 1e-12) / 10
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw * (1 - 1e-9))


def _number_tick(lo: float, hi: float, fmt: str | None, dtick) -> str:
    """The widest tick label of a number axis whose range is ``lo``..``hi``: Plotly's
    default format (10k above 9,999; the step's decimals; a true minus) or the axis's d3
    format."""
    step = float(dtick) if isinstance(dtick, int | float) and dtick > 0 else _auto_step(hi - lo)
    texts = []
    for v in (hi, lo):
        tick = math.floor(v / step + 1e-9) * step if v >= 0 else math.ceil(v / step - 1e-9) * step
        if fmt and fmt.endswith("%"):
            digits = re.search(r"\.(\d+)", fmt)
            text = f"{tick * 100:.{int(digits.group(1)) if digits else 0}f}%"
        elif fmt:
            try:
                text = format(tick, fmt.replace("~", ""))
            except ValueError:
                text = f"{tick:g}"
        elif abs(tick) >= 10_000:
            text = f"{tick / 1000:g}k"
        else:
            decimals = 0 if float(step).is_integer() else len(f"{step:g}".split(".")[-1])
            text = f"{tick:.{decimals}f}"
        texts.append(text.replace("-", "−"))
    return max(texts, key=text_px)


def _axis_ticks(
    axis: dict, values: list[np.ndarray], bars: bool, stacked: list[np.ndarray]
) -> tuple[float, list[str], list[str], str | None]:
    """Width (px) of an axis's widest tick label, that label's lines, the categories the
    axis holds in Plotly's order, first seen first (none: dates or numbers), and the axis's
    kind (``_kind``; None when it holds no values)."""
    values = [v for v in values if v is not None and v.size]
    if not values:
        return 0.0, [""], [], None
    kind = _kind(values[0])
    if kind == "category":
        labels = list(dict.fromkeys(str(x) for v in values for x in v.ravel() if x is not None))
        widest = max(labels, key=text_px, default="")
        return text_px(widest), [widest], labels, kind
    if kind == "date":
        lines = _date_ticks(np.concatenate([v.ravel() for v in values]), axis.get("tickformat"))
        return max(text_px(line) for line in lines), lines, [], kind
    if axis.get("range") is not None and None not in axis["range"]:
        lo, hi = (float(x) for x in axis["range"])
    else:
        nums = np.concatenate([pd.to_numeric(v.ravel(), errors="coerce").astype(float) for v in values])
        nums = nums[np.isfinite(nums)]
        if not nums.size:
            return text_px("0"), ["0"], [], kind
        hi, lo = float(nums.max()), float(nums.min())
        if stacked:  # stacked bars reach the sums of their parts, up and down
            parts = np.vstack([np.resize(p, max(len(q) for q in stacked)) for p in stacked])
            hi = max(hi, float(np.clip(parts, 0, None).sum(0).max()))
            lo = min(lo, float(np.clip(parts, None, 0).sum(0).min()))
        if bars or axis.get("rangemode") == "tozero":
            hi, lo = max(hi, 0.0), min(lo, 0.0)
        pad = 0.05 * (hi - lo)  # Plotly pads a range a little; its end tick stays inside
        hi, lo = hi + (pad if hi > 0 else 0), lo - (pad if lo < 0 else 0)
    text = _number_tick(lo, hi, axis.get("tickformat"), axis.get("dtick"))
    return text_px(text), [text], [], kind


def _hold_slanted(margins: dict, widths: list[float], angle: float, chart_width: float, leftwards: bool) -> None:
    """Grow the side margin so that slanted category labels stay inside the figure. Category
    i sits at a share f = (i + 0.5) / n of the plot's width w along it. Turned clockwise
    (Plotly's own 30 degrees), a label hangs right of its tick; turned the other way (the
    review's queues), left of it. Either way it reaches its run (width x cos angle), its
    line's run (15 px x sin angle) and a few px more: 10 to the right, 6 to the left, the
    least that Plotly did not grow, read off the browser in zh and en at 25 and 30 degrees."""
    run, rise, n = math.cos(math.radians(angle)), 15 * math.sin(math.radians(angle)), len(widths)
    if leftwards:  # l + f w - reach >= 0 with w = W - l - r
        room = chart_width - margins["r"]
        for i, width in enumerate(widths):
            f = (i + 0.5) / n
            margins["l"] = max(margins["l"], math.ceil((width * run + rise + 6 - f * room) / (1 - f)))
    else:  # l + f w + reach <= W, i.e. w <= (W - l - reach) / f
        room = chart_width - margins["l"]
        reach = [w * run + rise + 10 for w in widths]
        plot = min([room - margins["r"]] + [(room - x) / ((i + 0.5) / n) for i, x in enumerate(reach)])
        margins["r"] = max(margins["r"], math.ceil(room - plot))


def fit_margins(fig: go.Figure | dict, chart_width: float = _FULL_WIDTH) -> dict:
    """Margins (px) that hold the figure's tick labels, axis titles, colour bar and a legend
    above or below the plot, drawn ``chart_width`` px wide: at least the figure's own.
    ``fig``: a figure or its plain JSON (``to_plotly_json``). Constants read off the browser's
    automargin with this module's theme (tick labels 12 px, titles 14 px, standoffs 24 and
    20 px)."""
    spec = fig if isinstance(fig, dict) else fig.to_plotly_json()
    lay = spec.get("layout") or {}
    plotly_default = {"l": 80, "r": 80, "t": 100, "b": 80}
    own = lay.get("margin") or {}
    given = {side: plotly_default[side] if own.get(side) is None else own[side] for side in "lrtb"}
    on_axis: dict[str, list[np.ndarray]] = {}
    stacked: dict[str, list[np.ndarray]] = {}
    bars: set[str] = set()
    heat: set[str] = set()  # a heat map's category labels sit a few px further out
    padded_axes: set[str] = set()  # axes that hold something other than lines (Plotly pads those)
    line_axes: set[str] = set()  # axes that hold lines
    colourbar = 0.0
    entries = []
    for tr in spec.get("data") or []:
        kind = tr.get("type", "scatter")
        if kind not in ("scatter", "bar", "heatmap", "histogram", "box", "scattergl"):
            if kind in ("sankey", "pie", "table"):
                continue
            return given  # a kind of chart this does not know: leave it to automargin
        xa, ya = tr.get("xaxis") or "x", tr.get("yaxis") or "y"
        x, y = _values(tr.get("x")), _values(tr.get("y"))
        on_axis.setdefault(xa, []).append(x)
        on_axis.setdefault(ya, []).append(y)
        # A trace with no mode may draw markers (Plotly's default under 20 points): counted as padded.
        if kind in ("scatter", "scattergl") and "markers" not in (tr.get("mode") or "markers") and not tr.get("fill"):
            line_axes.add(xa)
        else:
            padded_axes.add(xa)
        if kind in ("bar", "histogram"):
            upright = tr.get("orientation") != "h"
            bars.add(ya if upright else xa)
            if upright and lay.get("barmode") in ("stack", "relative") and y is not None and _kind(y) == "number":
                stacked.setdefault(ya, []).append(np.nan_to_num(pd.to_numeric(y.ravel(), errors="coerce")))
        if kind == "heatmap":
            heat.update((xa, ya))
            if tr.get("showscale") is not False:
                cb = tr.get("colorbar") or {}
                z = pd.to_numeric(pd.Series(np.asarray(tr.get("z"), dtype=object).ravel()), errors="coerce")
                lo = tr["zmin"] if tr.get("zmin") is not None else float(z.min()) if z.notna().any() else 0.0
                hi = tr["zmax"] if tr.get("zmax") is not None else float(z.max()) if z.notna().any() else 1.0
                ticks = text_px(_number_tick(lo, hi, cb.get("tickformat"), cb.get("dtick")))
                title = text_px(_get(cb, "title", "text") or "", _TITLE_PX)
                colourbar = max(77 + ticks, 46 + title)
        if tr.get("name") and tr.get("showlegend") is not False:
            entries.append(str(tr["name"]))
    margins = dict(given)
    if colourbar:
        margins["r"] = max(margins["r"], math.ceil(colourbar + 4))
    # The y axes first: the plot's width left between them decides whether x labels turn.
    for ref, values in sorted(on_axis.items(), key=lambda item: item[0].startswith("x")):
        axis = lay.get(("xaxis" if ref[0] == "x" else "yaxis") + ref[1:]) or {}
        if axis.get("visible") is False:
            continue
        width, lines, categories, axis_kind = _axis_ticks(axis, values, ref in bars, stacked.get(ref, []))
        category = bool(categories)
        cells = category and ref in heat
        title = _get(axis, "title", "text")
        if ref[0] == "y":
            side = "r" if axis.get("side") == "right" else "l"
            need = (53 if title else 19) + width + (7 if cells else 0) + 2
            margins[side] = max(margins[side], math.ceil(need))
            continue
        tickangle = axis.get("tickangle")
        angle = abs(tickangle) if isinstance(tickangle, int | float) else 0
        widths = [text_px(c) for c in categories]
        if category and tickangle is None:
            # Plotly's rule (plotly.js axes.js, autotickangles [0, 30, 90]): labels turn when
            # two neighbours' boxes (each 2 px wider than its text) touch; by 30 degrees when
            # the ticks are at least sqrt(3) line heights (15 px a line) apart, else upright.
            # Latin labels get 1 px, not 2: their sums of letters run up to a px over what the
            # browser draws, kerned ("HZ-T01": 36.5 against 35.4 px), and 12 teams in a 580 px
            # column sit right at the edge. CJK is exact (12 px a character).
            spacing = (chart_width - margins["l"] - margins["r"]) / len(categories)
            pads = [2 if all(map(_has_cjk, c)) else 1 for c in categories]
            touch = any(
                spacing <= (w1 + w2) / 2 + min(p1, p2)
                for (w1, p1), (w2, p2) in itertools.pairwise(zip(widths, pads, strict=True))
            )
            angle = 0 if not touch else 30 if spacing >= math.sqrt(3) * 15 * len(lines) else 90
        if category and 0 < angle < 90:
            _hold_slanted(margins, widths, angle, chart_width, leftwards=(tickangle or 0) < 0)
        elif category and angle == 90:
            # Upright, the last label stands half a line past its tick: for 205 teams in a
            # 580 px column Plotly grew 10 px to 15, then 15 to 17; 20 it kept.
            margins["r"] = max(margins["r"], 20)
        height = 15 + (len(lines) - 1) * (26 if any(map(_has_cjk, lines)) else 15)
        if angle:
            height = width * math.sin(math.radians(angle)) + height * math.cos(math.radians(angle)) + 4
        need = 20 + height + (30 if title else 0) + (6 if cells else 0) + 4
        side = "t" if axis.get("side") == "top" else "b"
        margins[side] = max(margins[side], math.ceil(need))
        # Numbers only: a date axis of lines keeps its margins (its ticks were read off as fitting).
        unpadded = axis_kind == "number" and ref in line_axes and ref not in padded_axes and axis.get("range") is None
        if not category and not angle and isinstance(axis.get("dtick"), int | float):
            # Linear ticks from zero: the last one can sit on the right edge, half outside.
            margins["r"] = max(margins["r"], math.ceil(width / 2 + 7))
        elif not category and not angle and unpadded:
            # An axis of lines only, which Plotly does not pad (the retention curves' days):
            # its last tick can sit on the plot's edge. Plotly hides that label when the
            # margin is too small to start drawing it, and grows the margin to half the
            # label plus 12 px when it is not (read in Chromium: "1600" at the edge of
            # 0-1,600 hidden with r 10, r 16-22 grown to 24; the demo's 0-1,506 grew 19 to 22).
            margins["r"] = max(margins["r"], math.ceil(width / 2 + 12))
    legend = lay.get("legend") or {}
    at = legend.get("y")
    shown = lay["showlegend"] if lay.get("showlegend") is not None else len(entries) > 1
    if shown and entries and legend.get("orientation") == "h" and at is not None and not 0 <= at <= 1:
        rows = math.ceil(sum(text_px(e) + 30 for e in entries) / chart_width)
        height = lay.get("height") or 450
        if at > 1:
            # The legend's middle sits ``above`` plot heights over the plot: solve t for it.
            above = at - 1
            need = (above * (height - margins["b"]) + 10 + 19 * (rows - 1)) / (1 + above) + 4
            margins["t"] = max(margins["t"], math.ceil(need))
        else:
            # Its top sits ``below`` plot heights under the plot, 39 px a row and 19 more a row.
            below = -at
            need = (below * (height - margins["t"]) + 39 + 19 * (rows - 1)) / (1 + below) + 2
            margins["b"] = max(margins["b"], math.ceil(need))
    return margins


def once(name: str, build: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """``build(*args, **kwargs)``, built once per ``name`` (one name per builder), language
    and arguments (hashed: frames by content); the figure returned is shared, not a copy."""
    if any(isinstance(a, pd.DataFrame | pd.Series) and len(a) >= 50_000 for a in (*args, *kwargs.values())):
        return build(*args, **kwargs)  # Streamlit hashes such a frame by a sample of its rows
    return _built(name, lang(), (args, kwargs), lambda: build(*args, **kwargs))


def keyed(name: str, key: tuple, build: Callable[[], go.Figure]) -> go.Figure:
    """``build()``, built once per ``name``, language and ``key``, a key that names all the
    data ``build`` reads (e.g. the cache key of the result it draws); shared, as ``once``."""
    return _built(name, lang(), key, build)


def _once(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """This module's builders of a figure from data, each built once (see ``once``)."""

    @functools.wraps(build)
    def cached(*args, **kwargs) -> go.Figure:
        return once(f"ui.charts.{build.__name__}", build, *args, **kwargs)

    return cached


# d3 time formats by grain of the x values and language.
_DATE_FORMATS = {
    "zh": {
        "day": ("%-m月%-d日", "%Y年%-m月%-d日"),
        "month": ("%-m月\n%Y年", "%Y年%-m月"),
        "time": ("%H:%M", "%-m月%-d日 %H:%M"),
    },
    "en": {"day": ("%b %-d", "%a %-d %b %Y"), "month": ("%b\n%Y", "%B %Y"), "time": ("%H:%M", "%-d %b %H:%M")},
}
_GRAIN_KIND = {
    "day": "day",
    "week": "day",
    "month": "month",
    "interval15": "time",
    "interval30": "time",
    "hour": "time",
}


def date_axis(fig: go.Figure, grain: str, axis: str = "x") -> go.Figure:
    """Tick and hover formats of a date axis in the user's language; ``grain`` is the
    x column's grain (day, week, month, interval15, hour...)."""
    kind = _GRAIN_KIND.get(grain)
    if kind is None:
        return fig
    tick, hover = _DATE_FORMATS[lang()][kind]
    upd = dict(tickformat=tick, hoverformat=hover)
    if kind == "month":
        upd["dtick"] = "M1"
    fig.update_xaxes(**upd) if axis == "x" else fig.update_yaxes(**upd)
    return fig


def nice_step(top: float, intervals: int = 5, whole: bool = False) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) such that ``intervals`` steps cover ``top``;
    ``whole`` for counts: a whole number, never 2.5 or 0.5 (no "12.5 complaints" tick)."""
    if not top or top <= 0 or not math.isfinite(top):
        return 1.0
    raw = top / intervals
    if whole and raw <= 1:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10):
        if m * mag >= raw * (1 - 1e-9):
            return m * mag
    return 10 * mag


def count_axis(fig: go.Figure, top: float) -> go.Figure:
    """A left axis of counts from zero with whole-number ticks."""
    step = nice_step(top, 5, whole=True)
    return fig.update_yaxes(tickmode="linear", tick0=0, dtick=step, rangemode="tozero")


def _max(values) -> float:
    s = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    return float(s.max()) if len(s) else 0.0


def _steps(
    left_max: float, right_max: float, right_percent: bool, intervals: int, left_whole: bool = False
) -> tuple[float, float]:
    ls, rs = nice_step(left_max, intervals, whole=left_whole), nice_step(right_max, intervals)
    if right_percent and right_max <= 1:
        rs = 1 / intervals if right_max > 0.5 else rs
    return ls, rs


def two_axes(
    fig: go.Figure,
    left_max: float,
    right_max: float,
    left_title: str,
    right_title: str,
    right_percent: bool = False,
    intervals: int | None = None,
    left_whole: bool = False,
) -> go.Figure:
    """Round ticks from zero on both y axes with the same number of steps, so the right
    axis's ticks sit on the left axis's grid lines; the number of steps (4 or 5) is the
    one that leaves the least empty space above the data."""
    if intervals is None:

        def waste(n: int) -> float:
            ls, rs = _steps(left_max, right_max, right_percent, n, left_whole)
            return (ls * n / left_max if left_max > 0 else 1) + (rs * n / right_max if right_max > 0 else 1)

        intervals = min((5, 4), key=waste)
    ls, rs = _steps(left_max, right_max, right_percent, intervals, left_whole)
    fig.update_layout(
        yaxis=dict(
            title_text=left_title,
            range=[0, ls * intervals * 1.02],
            tickmode="linear",
            tick0=0,
            dtick=ls,
            rangemode="normal",
        ),
        yaxis2=_right_axis(right_title, rs, intervals, right_percent),
    )
    return fig


def _right_axis(title: str, step: float, intervals: int, percent: bool = False) -> dict:
    """A right-hand y axis from zero in ``intervals`` round steps of ``step``, no grid of its own."""
    return dict(
        title_text=title,
        overlaying="y",
        side="right",
        showgrid=False,
        tickmode="linear",
        tick0=0,
        dtick=step,
        range=[0, step * intervals * 1.02],
        tickformat=".0%" if percent else None,
        rangemode="normal",
    )


def _layout(
    fig: go.Figure, y_title: str = "", y_percent: bool = False, height: int = 340, x_title: str = ""
) -> go.Figure:
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12), hovermode="x unified"
    )
    fig.update_yaxes(title_text=y_title, tickformat=".0%" if y_percent else None, rangemode="tozero")
    if x_title:
        fig.update_xaxes(title_text=x_title)
    return fig


def _x_title(x: str) -> str:
    from i18n import CATALOGUE

    return t(f"col.{x}") if f"col.{x}" in CATALOGUE else ""


def _percent_axis(fig: go.Figure) -> go.Figure:
    """0-100 % in steps of 20 %: the scale people read rates on."""
    return fig.update_yaxes(range=[0, 1.05], tickmode="linear", tick0=0, dtick=0.2, tickformat=".0%")


@_once
def rate_trend(
    df: pd.DataFrame, x: str, series: dict[str, str], targets: dict[str, float | None], target_label: str, y_title: str
) -> go.Figure:
    """Lines of rates (fractions) with dashed target lines."""
    fig = go.Figure()
    colours = [PRIMARY, SECOND, THIRD]
    for (col, label), colour in zip(series.items(), colours):
        fig.add_trace(
            go.Scatter(
                x=df[x],
                y=df[col],
                name=label,
                mode="lines+markers",
                line=dict(color=colour, width=2),
                hovertemplate="%{y:.1%}",
            )
        )
        target = targets.get(col)
        if target is not None:
            fig.add_hline(
                y=target,
                line=dict(color=colour, dash="dash", width=1),
                annotation_text=f"{label} {target_label} {target:.0%}",
                annotation_position="bottom right",
            )
    fig = _layout(fig, f"{y_title} (%)", y_percent=True, x_title=_x_title(x))
    return date_axis(_percent_axis(fig), x)


@_once
def heatmap(
    df: pd.DataFrame,
    x_labels: list[str],
    y_labels: list[str],
    z: list[list],
    hover_calls: list[list],
    z_label: str,
    calls_label: str,
) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x_labels,
            y=y_labels,
            customdata=hover_calls,
            colorscale="RdYlGn",
            zmin=0.4,
            zmax=1.0,
            colorbar=dict(title=z_label, tickformat=".0%"),
            hovertemplate="%{y} %{x}:00<br>"
            + z_label
            + " %{z:.1%}<br>"
            + calls_label
            + " %{customdata:,}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig = _layout(fig, height=320, x_title=t("chart.hour_local"))
    fig.update_yaxes(title_text=t("col.weekday"), rangemode="normal")
    return fig.update_layout(hovermode="closest")


@_once
def stacked_parts(
    df: pd.DataFrame, x: str, parts: dict[str, str], target: float | None, target_label: str, y_title: str
) -> go.Figure:
    fig = go.Figure()
    for (col, label), colour in zip(parts.items(), PARTS):
        fig.add_trace(go.Bar(x=df[x], y=df[col], name=label, marker_color=colour, hovertemplate="%{y:.0f}"))
    fig.update_layout(barmode="stack")
    if target is not None:
        fig.add_hline(y=target, line=dict(color=TARGET, dash="dash"), annotation_text=target_label)
    return date_axis(_layout(fig, y_title, x_title=_x_title(x)), x)


@_once
def histogram(
    df: pd.DataFrame,
    x: str,
    y: str,
    colour_col: str,
    labels: dict[str, str],
    vline: float,
    vline_label: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    fig = go.Figure()
    for (value, label), colour in zip(labels.items(), PARTS):
        part = df[df[colour_col] == value]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part[x] + 15, y=part[y], name=label, marker_color=colour, width=28, hovertemplate="%{x:.0f} s: %{y:,}"
            )
        )
    fig.update_layout(barmode="stack")
    fig.add_vline(x=vline, line=dict(color=TARGET, dash="dash"), annotation_text=vline_label)
    # Ticks every 5 minutes: the handle-time target and its multiples read straight off.
    fig.update_xaxes(title_text=x_title, tickmode="linear", tick0=0, dtick=300)
    return _layout(fig, y_title).update_layout(hovermode="closest")


@_once
def team_lines(trend: pd.DataFrame, y_title: str, legend_max: int) -> go.Figure:
    """A line per team (``trend``: team, month, score) with a legend, up to ``legend_max``
    teams. More (187 at 52.5 M calls): a line per team in its own colour was a tangle no
    legend could name, and 187 traces of lines and markers took the browser ~0.7 s to draw
    after each switch to the page. Then one grey trace holds every team (a gap between two;
    hovering a line names its team) and the median team is drawn over them."""
    fig = go.Figure()
    many = trend["team"].nunique() > legend_max
    trend = trend.sort_values(["team", "month"])  # each line in time order
    if many:
        last = trend["team"].ne(trend["team"].shift(-1)).to_numpy()  # a team's last month
        x, y, team = [], [], []
        for m, v, name, gap in zip(trend["month"], trend["score"], trend["team"].astype(str), last):
            x += [m, None] if gap else [m]
            y += [v, None] if gap else [v]
            team += [name, ""] if gap else [name]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                customdata=team,
                mode="lines",
                name=t("chart.team_lines.each"),
                line={"color": GREY, "width": 1},
                opacity=0.45,
                hovertemplate="%{customdata}, %{x|%Y-%m}: %{y:.1f}<extra></extra>",
            )
        )
        median = trend.groupby("month")["score"].median()
        fig.add_trace(
            go.Scatter(
                x=median.index,
                y=median.to_numpy(),
                mode="lines+markers",
                name=t("chart.team_lines.median"),
                line={"color": PRIMARY, "width": 3},
                hovertemplate=t("chart.team_lines.median") + ", %{x|%Y-%m}: %{y:.1f}<extra></extra>",
            )
        )
    else:
        for team, rows in trend.groupby("team"):
            fig.add_trace(
                go.Scatter(
                    x=rows["month"],
                    y=rows["score"],
                    mode="lines+markers",
                    name=str(team),
                    hovertemplate="%{x|%Y-%m}: %{y:.1f}",
                )
            )
    fig.update_xaxes(tickformat="%Y-%m", dtick="M1")
    fig = _layout(fig, y_title).update_yaxes(rangemode="normal")
    return fig.update_layout(hovermode="closest") if many else fig  # a unified hover would list every team


@_once
def bars_with_target(
    df: pd.DataFrame, x: str, y: str, target: float | None, target_label: str, y_title: str
) -> go.Figure:
    colours = [THIRD if (target is None or v >= target) else SECOND for v in df[y].fillna(0)]
    fig = go.Figure(go.Bar(x=df[x], y=df[y], marker_color=colours, hovertemplate="%{x}: %{y:.1f}<extra></extra>"))
    if target is not None:
        fig.add_hline(y=target, line=dict(color=TARGET, dash="dash"), annotation_text=target_label)
    return _layout(fig, y_title, x_title=_x_title(x)).update_layout(hovermode="closest")


@_once
def intervals(
    df: pd.DataFrame, x: str, offered_label: str, sl_label: str, staffed_label: str, sl_target: float | None
) -> go.Figure:
    """One day's intervals: offered calls (bars), service level (line, right axis), agents staffed."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=df[x], y=df["offered"], name=offered_label, marker_color="#93c5fd", yaxis="y"))
    fig.add_trace(
        go.Scatter(
            x=df[x],
            y=df["staffed_agents"],
            name=staffed_label,
            mode="lines",
            line=dict(color=GREY, dash="dot"),
            yaxis="y",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=df[x],
            y=df["service_level"],
            name=sl_label,
            mode="lines+markers",
            line=dict(color=PRIMARY, width=2),
            yaxis="y2",
            hovertemplate="%{y:.1%}",
        )
    )
    if sl_target is not None and len(df):
        fig.add_trace(
            go.Scatter(
                x=[df[x].min(), df[x].max()],
                y=[sl_target, sl_target],
                mode="lines",
                line=dict(color=TARGET, dash="dash", width=1),
                yaxis="y2",
                showlegend=False,
                hoverinfo="skip",
            )
        )
    fig = _layout(fig, x_title=t("chart.time_local"))
    # After _layout, whose update_yaxes would otherwise reset the right axis too.
    left_max = max(_max(df["offered"]), _max(df["staffed_agents"]))
    two_axes(fig, left_max, 1.0, t("chart.calls_or_agents"), f"{sl_label} (%)", right_percent=True)
    return date_axis(fig, x)


@_once
def bars_and_rate(
    x,
    bars: list[tuple[str, pd.Series, str]],
    rate: pd.Series,
    rate_label: str,
    rate_colour: str,
    grain: str,
    left_title: str,
    right_title: str,
    rate_hover: str = "%{y:.2f}",
    height: int = 340,
) -> go.Figure:
    """Stacked bars (counts, left axis) with a rate line on the right axis; both axes
    with round ticks on the same grid."""
    fig = go.Figure()
    total = None
    for label, values, colour in bars:
        fig.add_trace(go.Bar(x=x, y=values, name=label, marker_color=colour))
        total = values if total is None else total + values
    fig.add_trace(
        go.Scatter(
            x=x,
            y=rate,
            yaxis="y2",
            mode="lines+markers",
            name=rate_label,
            line=dict(color=rate_colour, width=2),
            hovertemplate=rate_hover,
        )
    )
    fig.update_layout(
        barmode="stack",
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        hovermode="x unified",
        legend=dict(orientation="h", y=1.12),
    )
    two_axes(fig, _max(total), _max(rate), left_title, right_title, left_whole=True)
    fig.update_xaxes(title_text=_x_title(grain))
    return date_axis(fig, grain)


@_once
def pareto(
    categories: pd.Series,
    counts: pd.Series,
    cumulative: pd.Series,
    vital: pd.Series,
    count_label: str,
    cumulative_label: str,
    x_title: str,
) -> go.Figure:
    """Bars of counts (dark: the vital few) and the cumulative share on a 0-100 % axis in
    steps of 20 %, with the 80 % line."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(x=categories, y=counts, name=count_label, marker_color=[PRIMARY if v else "#93c5fd" for v in vital])
    )
    fig.add_trace(
        go.Scatter(
            x=categories,
            y=cumulative,
            yaxis="y2",
            mode="lines+markers",
            name=cumulative_label,
            line=dict(color=SECOND),
            hovertemplate="%{y:.0%}",
        )
    )
    fig.add_hline(y=0.8, yref="y2", line=dict(color=GREY, dash="dot", width=1))
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12))
    two_axes(fig, _max(counts), 1.0, count_label, f"{cumulative_label} (%)", right_percent=True, left_whole=True)
    fig.update_xaxes(title_text=x_title)
    return fig


@_once
def two_metric_trend(
    df: pd.DataFrame,
    x: str,
    left: tuple[str, str, float | None],
    right: tuple[str, str, float | None],
    unit: str,
    grain: str = "month",
) -> go.Figure:
    """Two metrics of the same unit but different size (AHT ~300 s, ASA ~5 s): each on its
    own axis, so the small one is not drawn flat along the bottom. ``left`` / ``right`` are
    (column, label, target)."""
    fig = go.Figure()
    for (col, label, target), colour, axis in ((left, PRIMARY, "y"), (right, SECOND, "y2")):
        fig.add_trace(
            go.Scatter(
                x=df[x],
                y=df[col],
                name=label,
                mode="lines+markers",
                yaxis=axis,
                line=dict(color=colour, width=2),
                hovertemplate="%{y:,.0f} " + unit,
            )
        )
        if target is not None:
            fig.add_trace(
                go.Scatter(
                    x=[df[x].min(), df[x].max()],
                    y=[target, target],
                    mode="lines",
                    yaxis=axis,
                    line=dict(color=colour, dash="dash", width=1),
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
    fig.update_layout(
        height=320, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=1.15), hovermode="x unified"
    )
    two_axes(
        fig,
        max(_max(df[left[0]]), left[2] or 0),
        max(_max(df[right[0]]), right[2] or 0),
        f"{left[1]} ({unit})",
        f"{right[1]} ({unit})",
    )
    fig.update_yaxes(title_font=dict(color=PRIMARY), selector=dict(side=None))
    fig.update_layout(yaxis2_title_font=dict(color=SECOND))
    fig.update_xaxes(title_text=_x_title(grain))
    return date_axis(fig, grain)


def localise(
    fig: go.Figure,
    grain: str | None = None,
    x_title: str = "",
    y_title: str = "",
    right_title: str | None = None,
    right_percent: bool = False,
) -> go.Figure:
    """Finish a figure drawn elsewhere (the monthly review's shared figures): axis titles,
    dates in the user's language, and, when it has a right axis, round ticks on both."""
    if x_title:
        fig.update_xaxes(title_text=x_title)
    if y_title:
        fig.update_yaxes(title_text=y_title, selector=dict(overlaying=None))
    if grain:
        date_axis(fig, grain)
    if right_title is not None:
        left = [tr.y for tr in fig.data if getattr(tr, "yaxis", None) in (None, "y")]
        right = [tr.y for tr in fig.data if getattr(tr, "yaxis", None) == "y2"]
        lmax = max((_max(v) for v in left), default=0.0)
        lmin = min((float(pd.to_numeric(pd.Series(v), errors="coerce").min()) for v in left), default=0.0)
        rmax = max((_max(v) for v in right), default=0.0)
        if lmin < 0:  # bars below zero (leavers): keep the left axis as drawn, round ticks on the right
            rs = nice_step(rmax)
            fig.update_layout(yaxis2=_right_axis(right_title, rs, 5))
        else:
            two_axes(fig, lmax, rmax, y_title, right_title, right_percent=right_percent)
    return fig
