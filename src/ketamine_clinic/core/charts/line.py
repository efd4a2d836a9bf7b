"""A small, pure SVG line-chart renderer: score trajectories, pharmacokinetic curves.

``line_chart_svg`` returns one standalone SVG document as a string: no scripts, no external
resources, every piece of text escaped. It is accessible (``role="img"``, ``<title>`` and a
``<desc>`` that states the data in words) and prints well in black and white: series differ by
dash pattern and marker shape, never by colour alone.

X values are either all numbers (e.g. hours after dose) or all timezone-aware datetimes (tick
labels are shown in the time zone of the first datetime).
"""

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

DASHES = {"solid": None, "dashed": "8 4", "dotted": "2 3", "dashdot": "8 3 2 3", "longdash": "14 5"}
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "none")
INK = "#000000"
REFERENCE_INK = "#444444"  # still readable on a black-and-white printout


class ChartError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class LineStyle:
    dash: str = "solid"  # one of DASHES
    marker: str = "circle"  # one of MARKERS
    filled: bool = False  # filled or hollow markers: a second cue besides the shape
    stroke_width: float = 2.0


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[datetime | float, float]]
    style: LineStyle | None = None  # None: the next of DEFAULT_STYLES, by position


# Styles to cycle through when the caller gives none: all black, told apart by dash and marker.
DEFAULT_STYLES = (
    LineStyle("solid", "circle", True),
    LineStyle("dashed", "square", False),
    LineStyle("dotted", "triangle", True),
    LineStyle("dashdot", "diamond", False),
    LineStyle("longdash", "cross", False),
)


@dataclass(frozen=True)
class _Frame:
    """The plot rectangle in pixels and the data ranges it shows."""

    left: int
    top: int
    pw: int  # plot width, pixels
    ph: int  # plot height, pixels
    x_lo: float
    x_hi: float
    lo: float  # y range
    hi: float

    def sx(self, x: float) -> float:
        return self.left + (x - self.x_lo) / (self.x_hi - self.x_lo) * self.pw

    def sy(self, y: float) -> float:
        return self.top + self.ph - (y - self.lo) / (self.hi - self.lo) * self.ph


def line_chart_svg(
    series: Sequence[Series],
    *,
    width: int = 640,
    height: int = 360,
    y_min: float | None = None,
    y_max: float | None = None,
    horizontal_lines: Sequence[tuple] = (),  # (y, label) or (y, label, LineStyle | dash name)
    vertical_markers: Sequence[tuple] = (),  # (x, label)
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    description: str | None = None,  # default: the data described in words
    min_x_span: timedelta | float | None = None,  # widen a narrower x range around its middle (e.g. 7 days)
) -> str:
    """A standalone, accessible SVG line chart as a string."""
    _check_size(width, "width")
    _check_size(height, "height")
    _check_series(series)
    styles = [s.style or DEFAULT_STYLES[i % len(DEFAULT_STYLES)] for i, s in enumerate(series)]
    hlines = [_hline(h, i) for i, h in enumerate(horizontal_lines)]
    vmarks = [_vmark(v, i) for i, v in enumerate(vertical_markers)]

    checked = [_points(s, i) for i, s in enumerate(series)]
    xs_raw = [x for pts in checked for x, _ in pts] + [x for x, _ in vmarks]
    kind = _x_kind(xs_raw)
    tz = next((x.tzinfo for x in xs_raw if isinstance(x, datetime)), None)
    lo, hi = _y_range([y for pts in checked for _, y in pts] + [y for y, _, _ in hlines], y_min, y_max)
    x_lo, x_hi = _x_range([_x_to_num(x) for x in xs_raw], kind, min_x_span)
    frame = _layout(width, height, len(series), title, x_label, (x_lo, x_hi), (lo, hi))

    uid = "c" + hashlib.sha1(repr((title, [(s.name, list(s.points)) for s in series])).encode()).hexdigest()[:10]
    desc = description if description is not None else _describe(series, hlines, vmarks, kind)
    out = _head(uid, width, height, title, desc, frame)
    out += _axes(frame, kind, tz, x_label, y_label)
    out += _reference_lines(frame, hlines, vmarks)
    for s, style, checked_points in zip(series, styles, checked):
        out += _series_group(frame, uid, s.name, style, checked_points)
    out += _legend(frame, width, x_label, series, styles)
    if not any(s.points for s in series):
        out.append(f'<text x="{frame.left + frame.pw / 2:.1f}" y="{frame.top + frame.ph / 2:.1f}" text-anchor="middle" fill="{INK}">No data</text>')
    out.append("</svg>")
    return "\n".join(out)


# --- ranges and layout -------------------------------------------------------------------------

LEGEND_ENTRY_PX = 170  # width of one legend entry


def _check_series(series: object) -> None:
    if isinstance(series, Series) or not isinstance(series, Sequence):
        raise ChartError("series", "Must be a list of Series.")
    for i, s in enumerate(series):
        if not isinstance(s, Series):
            raise ChartError(f"series[{i}]", "Must be a Series.")
        if s.style is not None:
            _check_style(s.style, f"series[{i}].style")


def _y_range(ys: list[float], y_min: object, y_max: object) -> tuple[float, float]:
    """The y axis range: the caller's bounds or the data's (reference lines included).

    An empty data set spans 0..1; a single value is widened by 1 either side.
    """
    lo = _num_or_none(y_min, "y_min")
    hi = _num_or_none(y_max, "y_max")
    lo = min(ys, default=0.0) if lo is None else lo
    hi = max(ys, default=1.0) if hi is None else hi
    if hi < lo:
        raise ChartError("y_max", "Must be greater than y_min.")
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    return lo, hi


def _x_range(xnum: list[float], kind: str, min_x_span: object) -> tuple[float, float]:
    """The x axis range in x units, widened to ``min_x_span`` and padded 3% each side."""
    x_lo, x_hi = (min(xnum), max(xnum)) if xnum else (0.0, 1.0)
    if x_hi == x_lo:
        half = 3600 if kind == "datetime" else 1  # one hour, or one unit, either side
        x_lo, x_hi = x_lo - half, x_hi + half
    min_span = _span_or_none(min_x_span)
    if min_span is not None and x_hi - x_lo < min_span:
        middle = (x_lo + x_hi) / 2
        x_lo, x_hi = middle - min_span / 2, middle + min_span / 2
    pad = (x_hi - x_lo) * 0.03  # keep end markers inside the frame
    return x_lo - pad, x_hi + pad


def _legend_per_row(width: int) -> int:
    return max(1, (width - 80) // LEGEND_ENTRY_PX)


def _layout(width, height, n_series: int, title: str, x_label: str, x_range, y_range) -> _Frame:
    legend_rows = math.ceil(n_series / _legend_per_row(width)) if n_series else 0
    left, right = 64, 20
    top = 40 if title else 16
    bottom = 52 + (18 if x_label else 0) + 20 * legend_rows
    pw, ph = width - left - right, height - top - bottom
    if pw < 40 or ph < 40:
        raise ChartError("height" if ph < 40 else "width", "Too small to draw a chart.")
    return _Frame(left, top, pw, ph, *x_range, *y_range)


# --- SVG pieces --------------------------------------------------------------------------------


def _head(uid: str, width, height, title: str, desc: str, f: _Frame) -> list[str]:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f'<title id="{uid}-title">{_esc(title or "Line chart")}</title>',
        f'<desc id="{uid}-desc">{_esc(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<clipPath id="{uid}-plot"><rect x="{f.left}" y="{f.top}" width="{f.pw}" height="{f.ph}"/></clipPath>',
    ]
    if title:
        out.append(f'<text x="{width / 2:.1f}" y="24" text-anchor="middle" font-size="15" font-weight="bold" fill="{INK}">{_esc(title)}</text>')
    return out


def _axes(f: _Frame, kind: str, tz, x_label: str, y_label: str) -> list[str]:
    """Grid, ticks, the plot frame and the axis labels."""
    left, top, pw, ph = f.left, f.top, f.pw, f.ph
    out = ['<g aria-hidden="true">']
    for y in _nice_ticks(f.lo, f.hi):
        py = f.sy(y)
        out.append(f'<line x1="{left}" y1="{py:.1f}" x2="{left + pw}" y2="{py:.1f}" stroke="#dddddd" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{py + 4:.1f}" text-anchor="end" fill="{INK}">{_esc(_fmt(y))}</text>')
    x_ticks = _datetime_ticks(f.x_lo, f.x_hi, tz) if kind == "datetime" else [(x, _fmt(x)) for x in _nice_ticks(f.x_lo, f.x_hi)]
    for x, label in x_ticks:
        px = f.sx(x)
        out.append(f'<line x1="{px:.1f}" y1="{top + ph}" x2="{px:.1f}" y2="{top + ph + 5}" stroke="{INK}" stroke-width="1"/>')
        out.append(f'<text x="{px:.1f}" y="{top + ph + 18}" text-anchor="middle" fill="{INK}">{_esc(label)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="{INK}" stroke-width="1"/>')
    out.append("</g>")
    if x_label:
        out.append(f'<text x="{left + pw / 2:.1f}" y="{top + ph + 38}" text-anchor="middle" fill="{INK}">{_esc(x_label)}</text>')
    if y_label:
        cy = top + ph / 2
        out.append(f'<text x="16" y="{cy:.1f}" transform="rotate(-90 16 {cy:.1f})" text-anchor="middle" fill="{INK}">{_esc(y_label)}</text>')
    return out


def _reference_lines(f: _Frame, hlines, vmarks) -> list[str]:
    """Horizontal reference lines (only those inside the y range) and vertical markers."""
    left, top, pw, ph = f.left, f.top, f.pw, f.ph
    out = []
    for y, label, style in hlines:
        if not f.lo <= y <= f.hi:
            continue
        py = f.sy(y)
        out.append(f'<g><title>{_esc(f"{label}: {_fmt(y)}")}</title>'
                   f'<line x1="{left}" y1="{py:.1f}" x2="{left + pw}" y2="{py:.1f}" stroke="{REFERENCE_INK}" '
                   f'stroke-width="{style.stroke_width / 2:g}"{_dash_attr(style.dash)}/>'
                   f'<text x="{left + pw - 4}" y="{py - 4:.1f}" text-anchor="end" font-size="11" fill="{INK}">{_esc(label)}</text></g>')
    for x, label in vmarks:
        px = f.sx(_x_to_num(x))
        out.append(f'<g><title>{_esc(f"{label}: {_show_x(x)}")}</title>'
                   f'<line x1="{px:.1f}" y1="{top}" x2="{px:.1f}" y2="{top + ph}" stroke="{REFERENCE_INK}" stroke-width="1"{_dash_attr("dotted")}/>'
                   f'<text x="{px + 3:.1f}" y="{top + 4}" transform="rotate(90 {px + 3:.1f} {top + 4})" font-size="10" fill="{INK}">{_esc(label)}</text></g>')
    return out


def _series_group(f: _Frame, uid: str, name: str, style: LineStyle, checked_points) -> list[str]:
    """One series, clipped to the plot: its line and a marker with a tooltip per point."""
    pts = [(f.sx(_x_to_num(x)), f.sy(y), x, y) for x, y in checked_points]
    out = [f'<g clip-path="url(#{uid}-plot)"><title>{_esc(name)}</title>']
    if len(pts) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="{style.stroke_width:g}" '
                   f'stroke-linejoin="round"{_dash_attr(style.dash)}/>')
    for px, py, x, y in pts:
        out.append(_marker(style, px, py, f"{name}: {_show_x(x)}, {_fmt(y)}"))
    out.append("</g>")
    return out


def _legend(f: _Frame, width, x_label: str, series, styles) -> list[str]:
    """A line sample with its marker for each series, in rows below the x axis."""
    per_row = _legend_per_row(width)
    out = []
    for i, (s, style) in enumerate(zip(series, styles)):
        lx = f.left + (i % per_row) * LEGEND_ENTRY_PX
        ly = f.top + f.ph + (56 if x_label else 38) + (i // per_row) * 20
        out.append(f'<g><line x1="{lx}" y1="{ly}" x2="{lx + 30}" y2="{ly}" stroke="{INK}" '
                   f'stroke-width="{style.stroke_width:g}"{_dash_attr(style.dash)}/>')
        out.append(_marker(style, lx + 15, ly, None))
        out.append(f'<text x="{lx + 38}" y="{ly + 4}" fill="{INK}">{_esc(s.name)}</text></g>')
    return out


# --- text --------------------------------------------------------------------------------------

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _esc(text: object) -> str:
    """Escape for XML text and attribute values; drop characters XML 1.0 cannot hold."""
    return escape(_INVALID_XML.sub("", str(text)), {'"': "&quot;", "'": "&apos;"})


def _fmt(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.4g}"


def _show_x(x: datetime | float) -> str:
    return x.strftime("%Y-%m-%d %H:%M") if isinstance(x, datetime) else _fmt(x)


def _describe(series, hlines, vmarks, kind) -> str:
    parts = [f"Line chart with {len(series)} series."]
    for s in series:
        pts = list(s.points)
        if not pts:
            parts.append(f"{s.name}: no data.")
            continue
        ys = [y for _, y in pts]
        parts.append(
            f"{s.name}: {len(pts)} points from {_show_x(pts[0][0])} to {_show_x(pts[-1][0])}, "
            f"first {_fmt(ys[0])}, last {_fmt(ys[-1])}, lowest {_fmt(min(ys))}, highest {_fmt(max(ys))}."
        )
    if hlines:
        parts.append("Reference lines: " + "; ".join(f"{label} at {_fmt(y)}" for y, label, _ in hlines) + ".")
    if vmarks:
        parts.append("Markers: " + "; ".join(f"{label} at {_show_x(x)}" for x, label in vmarks) + ".")
    return " ".join(parts)


# --- geometry and drawing ----------------------------------------------------------------------


def _dash_attr(dash: str) -> str:
    pattern = DASHES[dash]
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def _marker(style: LineStyle, x: float, y: float, tooltip: str | None) -> str:
    if style.marker == "none":
        return ""
    fill = INK if style.filled else "#ffffff"
    common = f'fill="{fill}" stroke="{INK}" stroke-width="1.5"'
    r = 4.0
    if style.marker == "circle":
        shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:g}" {common}'
    elif style.marker == "square":
        shape = f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:g}" height="{2 * r:g}" {common}'
    elif style.marker == "triangle":
        shape = f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y + r:.1f} {x - r - 1:.1f},{y + r:.1f}" {common}'
    elif style.marker == "diamond":
        shape = f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} {x:.1f},{y + r + 1:.1f} {x - r - 1:.1f},{y:.1f}" {common}'
    else:  # cross
        shape = (f'<path d="M{x - r:.1f},{y - r:.1f} L{x + r:.1f},{y + r:.1f} M{x - r:.1f},{y + r:.1f} '
                 f'L{x + r:.1f},{y - r:.1f}" fill="none" stroke="{INK}" stroke-width="2"')
    if tooltip is None:
        return shape + "/>"
    closing = "path" if style.marker == "cross" else shape.split()[0][1:]
    return f"{shape}><title>{_esc(tooltip)}</title></{closing}>"


def _nice_ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    raw = (hi - lo) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks, k = [], 0
    while (t := first + k * step) <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        k += 1
    return ticks


_TIME_STEPS = [timedelta(hours=h) for h in (1, 2, 3, 6, 12)] + [timedelta(days=d) for d in (1, 2, 7, 14, 28, 56, 91, 182, 364)]


def _datetime_ticks(lo: float, hi: float, tz) -> list[tuple[float, str]]:
    span = timedelta(seconds=hi - lo)
    step = next((s for s in _TIME_STEPS if span / s <= 8), _TIME_STEPS[-1] * math.ceil(span / _TIME_STEPS[-1] / 8))
    start = datetime.fromtimestamp(lo, tz)
    if step >= timedelta(days=1):
        t = start.replace(hour=0, minute=0, second=0, microsecond=0)
        fmt = "%Y-%m-%d"
    else:
        t = start.replace(minute=0, second=0, microsecond=0)
        fmt = "%d %b %H:%M" if span > timedelta(days=1) else "%H:%M"
    ticks = []
    while t.timestamp() <= hi:
        if t.timestamp() >= lo:
            ticks.append((t.timestamp(), t.strftime(fmt)))
        t = t + step  # wall-clock step in the display zone
    return ticks


# --- input checks ------------------------------------------------------------------------------


def _check_size(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ChartError(name, "Must be a positive number of pixels.")


def _check_style(style: object, where: str) -> None:
    if not isinstance(style, LineStyle):
        raise ChartError(where, "Must be a LineStyle.")
    if style.dash not in DASHES:
        raise ChartError(f"{where}.dash", f"Must be one of {', '.join(DASHES)}.")
    if style.marker not in MARKERS:
        raise ChartError(f"{where}.marker", f"Must be one of {', '.join(MARKERS)}.")
    _check_size(style.stroke_width, f"{where}.stroke_width")


def _num(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ChartError(where, f"Must be a finite number, got {value!r}.")
    return float(value)


def _span_or_none(value: object) -> float | None:
    """``min_x_span`` in x units: seconds for a timedelta (datetime axes), else a number."""
    if value is None:
        return None
    span = value.total_seconds() if isinstance(value, timedelta) else _num(value, "min_x_span")
    if span <= 0:
        raise ChartError("min_x_span", "Must be positive.")
    return span


def _num_or_none(value: object, where: str) -> float | None:
    return None if value is None else _num(value, where)


def _x(value: object, where: str) -> datetime | float:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ChartError(where, "Datetimes must be timezone-aware.")
        return value
    return _num(value, where)


def _points(s: Series, index: int) -> list[tuple[datetime | float, float]]:
    out = []
    for j, p in enumerate(s.points):
        if not isinstance(p, tuple | list) or len(p) != 2:
            raise ChartError(f"series[{index}].points[{j}]", "Must be a pair (x, y).")
        out.append((_x(p[0], f"series[{index}].points[{j}].x"), _num(p[1], f"series[{index}].points[{j}].y")))
    return out


def _x_kind(xs: list) -> str:
    kinds = {"datetime" if isinstance(x, datetime) else "number" for x in xs}
    if len(kinds) > 1:
        raise ChartError("series", "X values must be all datetimes or all numbers, not a mix.")
    return kinds.pop() if kinds else "number"


def _x_to_num(x: datetime | float) -> float:
    return x.timestamp() if isinstance(x, datetime) else float(x)


def _hline(h: object, i: int) -> tuple[float, str, LineStyle]:
    where = f"horizontal_lines[{i}]"
    if not isinstance(h, tuple | list) or len(h) not in (2, 3):
        raise ChartError(where, "Must be (y, label) or (y, label, style).")
    style = h[2] if len(h) == 3 else LineStyle("dashed", "none")
    if isinstance(style, str):
        style = LineStyle(style, "none")
    _check_style(style, f"{where}.style")
    return _num(h[0], f"{where}.y"), str(h[1]), style


def _vmark(v: object, i: int) -> tuple[datetime | float, str]:
    where = f"vertical_markers[{i}]"
    if not isinstance(v, tuple | list) or len(v) != 2:
        raise ChartError(where, "Must be (x, label).")
    return _x(v[0], f"{where}.x"), str(v[1])
