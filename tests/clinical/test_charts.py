"""SVG line charts: well-formed, accessible, escaped, black-and-white friendly."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.core.charts import ChartError, LineStyle, Series, line_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/New_York"))


def trajectory():
    return Series("PHQ-9", [(T0 + timedelta(days=3 * i), v) for i, v in enumerate([21, 16, 10, 6, 4])])


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_chart_is_well_formed_accessible_svg():
    svg = line_chart_svg([trajectory()], title="PHQ-9 over time", y_min=0, y_max=27)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.text == "PHQ-9 over time"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "PHQ-9: 5 points" in desc.text and "first 21, last 4" in desc.text


def test_text_is_escaped_everywhere():
    nasty = '<script>alert("x")</script> & \'q\''
    svg = line_chart_svg(
        [Series(nasty, [(0, 1), (1, 2)])],
        title=nasty, x_label=nasty, y_label=nasty,
        horizontal_lines=[(1.5, nasty)], vertical_markers=[(0.5, nasty)],
    )
    root = parse(svg)
    assert "<script>" not in svg
    assert not any(el.tag.endswith("script") for el in root.iter())
    texts = [el.text for el in root.iter() if el.text]
    assert nasty in texts  # round-trips through the XML parser intact


def test_control_characters_are_dropped_so_the_document_stays_valid():
    svg = line_chart_svg([Series("bad\x00name\x1b", [(0, 1), (1, 2)])])
    assert any(el.text == "badname" for el in parse(svg).iter())


def test_no_external_resources_or_scripts():
    svg = line_chart_svg([trajectory()], title="t")
    assert "href" not in svg and "<script" not in svg and "@import" not in svg and "url(http" not in svg


def test_series_differ_by_dash_and_marker_not_colour():
    svg = line_chart_svg([trajectory(), Series("GAD-7", [(T0, 12), (T0 + timedelta(days=6), 5)])])
    root = parse(svg)
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 2
    assert {pl.get("stroke") for pl in lines} == {"#000000"}
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray") is not None
    assert root.findall(f".//{SVG}circle") and root.findall(f".//{SVG}rect[@width='8']")


def test_reference_lines_and_markers_are_drawn_with_labels():
    svg = line_chart_svg(
        [trajectory()], y_min=0, y_max=27,
        horizontal_lines=[(10.5, "Response (50%)"), (4, "Remission", LineStyle("dotted", "none"))],
        vertical_markers=[(T0 + timedelta(days=1), "Infusion 1")],
    )
    root = parse(svg)
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert "Response (50%)" in texts and "Remission" in texts and "Infusion 1" in texts
    desc = root.find(f"{SVG}desc").text
    assert "Response (50%) at 10.5" in desc and "Infusion 1 at 2026-03-03 09:00" in desc


def test_reference_line_outside_y_range_is_not_drawn():
    svg = line_chart_svg([trajectory()], y_min=0, y_max=27, horizontal_lines=[(40, "Off scale")])
    assert "Off scale" not in [el.text for el in parse(svg).iter(f"{SVG}text")]


def test_y_values_map_inside_the_plot_with_higher_values_higher_up():
    svg = line_chart_svg([Series("c", [(0.0, 0.0), (1.0, 100.0)])], y_min=0, y_max=100, height=300)
    points = parse(svg).find(f".//{SVG}polyline").get("points").split()
    (x0, y0), (x1, y1) = [tuple(map(float, p.split(","))) for p in points]
    assert x1 > x0 and y1 < y0


def test_numeric_x_axis_for_pharmacokinetic_curves():
    curve = Series("Plasma ketamine (ng/mL)", [(h / 4, 185 * (0.8 ** h)) for h in range(0, 25)])
    root = parse(line_chart_svg([curve], x_label="Hours after start", y_label="ng/mL"))
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert "Hours after start" in texts and "ng/mL" in texts
    assert "0" in texts


def test_empty_chart_says_no_data():
    root = parse(line_chart_svg([], title="Nothing yet"))
    assert "No data" in [el.text for el in root.iter(f"{SVG}text")]


def test_single_point_series_renders():
    root = parse(line_chart_svg([Series("one", [(T0, 5)])]))
    assert root.find(f".//{SVG}polyline") is None
    assert root.findall(f".//{SVG}circle")


def test_same_chart_renders_identically():
    assert line_chart_svg([trajectory()], title="x") == line_chart_svg([trajectory()], title="x")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"series": [Series("a", [(0, float("nan"))])]}, "series[0].points[0].y"),
        ({"series": [Series("a", [(0, 1), (T0, 2)])]}, "series"),
        ({"series": [Series("a", [(datetime(2026, 3, 2), 1)])]}, "series[0].points[0].x"),
        ({"series": [Series("a", [(0, 1)], LineStyle("wavy"))]}, "series[0].style.dash"),
        ({"series": [Series("a", [(0, 1)])], "y_min": 5, "y_max": 1}, "y_max"),
        ({"series": [Series("a", [(0, 1)])], "width": 0}, "width"),
        ({"series": [Series("a", [(0, 1)])], "horizontal_lines": [(None, "x")]}, "horizontal_lines[0].y"),
        ({"series": Series("a", [(0, 1)])}, "series"),
    ],
)
def test_bad_input_raises_chart_error_with_field(kwargs, field):
    series = kwargs.pop("series")
    with pytest.raises(ChartError) as exc:
        line_chart_svg(series, **kwargs)
    assert exc.value.field == field


def test_datetime_ticks_are_dates_in_the_series_time_zone():
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    svg = line_chart_svg([Series("a", [(start, 1), (start + timedelta(days=10), 2)])])
    texts = [el.text for el in parse(svg).iter(f"{SVG}text")]
    assert "2026-03-03" in texts


@given(
    st.text(max_size=40),
    st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), max_size=20),
)
def test_any_name_and_finite_points_give_parseable_svg(name, points):
    root = parse(line_chart_svg([Series(name, sorted(points))], title=name))
    assert root.get("role") == "img"


def tick_labels(svg: str) -> list[str]:
    """The x-axis tick labels: the only centred texts of a chart without a title or an axis label."""
    return [el.text for el in parse(svg).iter(f"{SVG}text") if el.get("text-anchor") == "middle"]


@pytest.mark.parametrize("points, min_span, expect_dates", [
    ([(T0, 12)], timedelta(days=7), True),  # one response: days, not hours
    ([(T0, 12), (T0 + timedelta(hours=3), 10)], timedelta(days=7), True),
    ([(T0, 12)], None, False),  # without a minimum span a single instant keeps its hourly axis (vitals, PK)
    ([(T0, 12), (T0 + timedelta(days=60), 4)], timedelta(days=7), True),  # already wider: unchanged
])
def test_min_x_span_widens_a_narrow_date_axis_to_days(points, min_span, expect_dates):
    labels = tick_labels(line_chart_svg([Series("PHQ-9", points)], min_x_span=min_span))
    assert labels
    assert all(len(label) == 10 and ":" not in label for label in labels) is expect_dates, labels


def test_min_x_span_must_be_positive():
    with pytest.raises(ChartError) as refused:
        line_chart_svg([Series("one", [(T0, 5)])], min_x_span=timedelta(0))
    assert refused.value.field == "min_x_span"
