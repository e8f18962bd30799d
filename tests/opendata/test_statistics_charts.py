"""The SVG charts: bars as tall as their values, stacked or side by side, round axis steps,
text escaped, hidden from screen readers (the table beside is the source), no style
attribute; the report's copy carries the stylesheet inside the SVG."""

import re

from django.utils import translation
from lxml import etree

from kcity.opendata.charts import Series, axis, bar_chart, chart_css, hbar_chart, short_krw

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str):
    return etree.fromstring(svg.encode())


def bars(root, css):
    return [r for r in root.iterfind(".//s:rect", NS)
            if f" {css}" in r.get("class", "") and float(r.get("y")) > 30]


def test_stacked_bars_are_as_tall_as_their_values():
    svg = bar_chart(categories=[2020, 2021, 2022],
                    series=[Series("Planning", "series-1", [4, 6, 0]),
                            Series("Demo", "series-2", [2, 2, 5])])
    root = parse(svg)
    assert root.get("aria-hidden") == "true" and "style=" not in svg
    planning, demo = bars(root, "series-1"), bars(root, "series-2")
    assert len(planning) == 2 and len(demo) == 3  # a zero draws no bar
    unit = float(planning[0].get("height")) / 4
    assert abs(float(planning[1].get("height")) - 6 * unit) < 0.2
    assert abs(float(demo[2].get("height")) - 5 * unit) < 0.2
    # stacked: the demonstration bar of 2020 sits on top of the planning bar
    assert abs(float(demo[0].get("y")) + float(demo[0].get("height"))
               - float(planning[0].get("y"))) < 0.2
    labels = [t.text for t in root.iterfind(".//s:text", NS)]
    assert {"2020", "2021", "2022", "6", "8", "5"} <= set(labels)


def test_grouped_bars_axis_and_escaping():
    svg = bar_chart(categories=["<b>"], stacked=False,
                    series=[Series("A & B", "series-1", [3]), Series("C", "series-3", [7])])
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "A &amp; B" in svg
    root = parse(svg)
    a, c = bars(root, "series-1")[0], bars(root, "series-3")[0]
    assert float(a.get("x")) < float(c.get("x")) and a.get("y") != c.get("y")
    assert axis(41) == (60, [0, 20, 40, 60]) and axis(3) == (3, [0, 1, 2, 3])


def test_horizontal_bars_and_embedded_css():
    svg = hbar_chart(items=[("Southeast Asia", 20), ("Africa", 5)], embed_css=chart_css())
    root = parse(svg)
    widths = [float(r.get("width")) for r in root.iterfind(".//s:rect", NS)]
    assert abs(widths[0] / widths[1] - 4) < 0.01
    assert "<style>" in svg and ".series-1" in svg
    assert re.search(r"fill: #0b5cad", chart_css())


def test_money_labels_in_both_languages():
    with translation.override("ko"):
        assert short_krw(900_000_000) == "9억" and short_krw(150_000_000) == "1.5억"
    with translation.override("en"):
        assert short_krw(2_300_000_000) == "2.3bn" and short_krw(150_000_000) == "150m"
