"""Charts as SVG, drawn here in Python: no script, no CDN, no style attribute (the pages'
content security policy allows neither). Shapes carry CSS classes; the web page styles them
with `static/opendata/charts.css`, and the PDF report puts the same file inside each SVG
(`embed_css=`), since WeasyPrint styles an inline SVG only from its own <style>.

Each chart is hidden from screen readers (`aria-hidden`): the table printed beside it is the
accessible source of the same numbers.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

CSS_FILE = Path(__file__).resolve().parent / "static" / "opendata" / "charts.css"

WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 36, 28
LEGEND_ROW = 18


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # a class of charts.css: series-1 … series-4
    values: Sequence[int]


def chart_css() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


def plain_number(value: int) -> str:
    return f"{value:,}"


def short_krw(value: int) -> str:
    """An axis label for an amount of KRW: '12억' in Korean, '1.2bn' in English."""
    if (get_language() or "").startswith("ko"):
        if value >= 100_000_000:
            return f"{value / 100_000_000:,.4g}억"
        return f"{value / 10_000:,.4g}만" if value else "0"
    for size, unit in ((1_000_000_000, "bn"), (1_000_000, "m"), (1_000, "k")):
        if value >= size:
            return f"{value / size:,.3g}{unit}"
    return str(value)


def nice_step(peak: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 × 10^n) such that `ticks` steps reach at least `peak`."""
    step = 1
    while step * ticks < peak:
        for factor in (2, 2.5, 2):  # 1 → 2 → 5 → 10 → 20 → 50 …
            step = int(step * factor)
            if step * ticks >= peak:
                break
    return step


def axis(peak: int) -> tuple[int, list[int]]:
    """The top of a value axis and its tick values, all whole numbers."""
    step = nice_step(peak)
    count = max(1, -(-peak // step))
    return step * count, [step * k for k in range(count + 1)]


def nice_ceiling(value: int) -> int:
    """The top of an axis that shows `value` (at least 1)."""
    return axis(max(value, 1))[0]


def _svg(width: int, height: int, body: list[str], css_class: str, embed_css: str | None) -> str:
    style = f"<style>{embed_css}</style>" if embed_css else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-hidden="true" focusable="false">{style}' + "".join(body) + "</svg>"
    )


def text_width(text: str) -> int:
    """About how wide `text` is at the legend's 11px (Hangul and CJK are wider)."""
    return sum(11 if ord(c) >= 0x2E80 else 7 for c in text)


def _legend(series: Sequence[Series]) -> list[str]:
    out, x = [], LEFT
    for s in series:
        out.append(f'<rect class="bar {s.css}" x="{x}" y="8" width="12" height="12"/>')
        out.append(f'<text class="legend" x="{x + 16}" y="18">{escape(s.name)}</text>')
        x += 32 + text_width(s.name)
    return out


def bar_chart(*, categories: Sequence, series: Sequence[Series], stacked: bool = True,
              fmt: Callable[[int], str] = plain_number, height: int = 260,
              embed_css: str | None = None) -> SafeString:
    """Vertical bars, one group per category (e.g. a year): the series stacked, or side by
    side when `stacked` is false."""
    n = max(len(categories), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    if stacked:
        peak = max((sum(s.values[i] for s in series) for i in range(len(categories))), default=0)
    else:
        peak = max((v for s in series for v in s.values), default=0)
    top, ticks = axis(max(peak, 1))
    body = _legend(series)
    for value in ticks:  # the value axis: whole, round steps
        y = TOP + plot_h - plot_h * value / top
        body.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                    f'y2="{y:.1f}"/>')
        body.append(f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                    f"{escape(fmt(value))}</text>")
    slot = min(plot_w / n, 96)  # a few categories keep slim bars
    bar_w = slot * 0.7 if stacked else slot * 0.8 / max(len(series), 1)
    for i, category in enumerate(categories):
        x0 = LEFT + slot * i + slot * (0.15 if stacked else 0.1)
        base = 0
        for j, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / top
            x = x0 if stacked else x0 + bar_w * j
            y = TOP + plot_h - plot_h * (base if stacked else 0) / top - h
            if value:
                body.append(f'<rect class="bar {s.css}" x="{x:.1f}" y="{y:.1f}" '
                            f'width="{bar_w:.1f}" height="{h:.1f}"/>')
            if stacked:
                base += value
        if stacked and base:
            y = TOP + plot_h - plot_h * base / top
            body.append(f'<text class="value" x="{x0 + bar_w / 2:.1f}" y="{y - 3:.1f}" '
                        f'text-anchor="middle">{escape(fmt(base))}</text>')
        body.append(f'<text class="axis" x="{LEFT + slot * (i + 0.5):.1f}" '
                    f'y="{height - 8}" text-anchor="middle">{escape(str(category))}</text>')
    body.append(f'<line class="baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                f'y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    return mark_safe(_svg(WIDTH, height, body, "bar-chart", embed_css))  # noqa: S308 (escaped)


def hbar_chart(*, items: Sequence[tuple[str, int]], css: str = "series-1",
               fmt: Callable[[int], str] = plain_number, label_width: int = 220,
               embed_css: str | None = None) -> SafeString:
    """Horizontal bars, one per (label, value), e.g. projects per region."""
    row = 24
    height = TOP // 2 + row * max(len(items), 1) + 8
    top = nice_ceiling(max((v for _, v in items), default=0))
    plot_w = WIDTH - label_width - RIGHT - 48
    body = []
    for i, (label, value) in enumerate(items):
        y = TOP // 2 + row * i
        w = plot_w * value / top
        body.append(f'<text class="axis" x="{label_width - 8}" y="{y + 15}" '
                    f'text-anchor="end">{escape(label)}</text>')
        if value:
            body.append(f'<rect class="bar {css}" x="{label_width}" y="{y + 3}" '
                        f'width="{w:.1f}" height="{row - 8}"/>')
        body.append(f'<text class="value" x="{label_width + w + 4:.1f}" y="{y + 15}">'
                    f"{escape(fmt(value))}</text>")
    return mark_safe(_svg(WIDTH, height, body, "hbar-chart", embed_css))  # noqa: S308 (escaped)


def statistics_charts(stats: dict, *, embed_css: str | None = None) -> dict[str, SafeString]:
    """The charts of the statistics page and of the annual report, from `statistics.overview`
    (or the same keys): projects per year by track, cumulative countries, projects per region,
    money per year and applications per cycle by track."""
    years = stats["by_year"]
    charts = {
        "projects_by_year": bar_chart(
            categories=[r["year"] for r in years],
            series=[Series(str(_("Planning")), "series-1", [r["planning"] for r in years]),
                    Series(str(_("Overseas demonstration")), "series-2",
                           [r["demonstration"] for r in years])],
            embed_css=embed_css),
        "reach_by_year": bar_chart(
            categories=[r["year"] for r in years], stacked=False,
            series=[Series(str(_("Countries, cumulative")), "series-3",
                           [r["cumulative_countries"] for r in years]),
                    Series(str(_("Cities, cumulative")), "series-4",
                           [r["cumulative_cities"] for r in years])],
            embed_css=embed_css),
        "by_region": hbar_chart(items=[(r["label"], r["projects"]) for r in stats["by_region"]],
                                embed_css=embed_css),
    }
    money = stats.get("money_by_year") or []
    if money:
        charts["money_by_year"] = bar_chart(
            categories=[r["year"] for r in money], stacked=False, fmt=short_krw,
            series=[Series(str(_("Awarded")), "series-1", [r["award"] for r in money]),
                    Series(str(_("Contracted")), "series-3", [r["contract_value"] for r in money]),
                    Series(str(_("Disbursed")), "series-2", [r["disbursed"] for r in money])],
            embed_css=embed_css)
    cycles = stats["applications"]["per_cycle"]
    if cycles:
        charts["applications"] = bar_chart(
            categories=[r["year"] for r in cycles],
            series=[Series(str(_("Planning")), "series-1", [r["planning"] for r in cycles]),
                    Series(str(_("Overseas demonstration")), "series-2",
                           [r["demonstration"] for r in cycles])],
            embed_css=embed_css)
    return charts
