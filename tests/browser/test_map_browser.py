"""The world map in headless Chromium with the outside network cut off: it draws, filters in
place (static script, strict CSP), and leads to a project's page; without JavaScript the same
form filters on the server. Screenshots are kept in var/test-artefacts/ (git-ignored)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kcity.portfolio.models import REGIONS, SelectedProject

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts"


def offline(page, base: str) -> list[str]:
    """Abort every request that is not to the live server; return the list of those tried.
    Also collect the page's errors and console errors (a CSP refusal is one)."""
    tried: list[str] = []

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            tried.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: tried.append(f"page error: {exc}"))
    page.on("console", lambda msg: tried.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    return tried


def shot(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / name), full_page=True)


def visible_markers(page) -> dict[str, int]:
    return page.eval_on_selector_all(
        "#world-map .marker:not(.is-off)",
        "els => Object.fromEntries(els.map(e => [e.dataset.country,"
        " Number(e.querySelector('text').textContent)]))")


def table_counts(page) -> dict[str, int]:
    """The table beside the map: one row per country, its count of projects."""
    return page.eval_on_selector_all(
        "#map-countries tbody tr",
        "rs => Object.fromEntries(rs.map(r => [r.dataset.country,"
        " parseInt(r.querySelector('a').textContent, 10)]))")


def per_country(rows) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in rows:
        counts[p.country.code] = counts.get(p.country.code, 0) + 1
    return counts


def test_map_filters_offline_and_opens_a_project(page, live_demo):
    base = live_demo.url
    tried = offline(page, base)
    real = SelectedProject.objects.exclude(paperwork__proposal__cycle__is_demo=True)
    page.goto(base + "/en/portfolio/map/")
    expect(page.locator("#world-map")).to_be_visible()
    assert page.locator("#world-map path.country").count() > 150
    assert table_counts(page) == per_country(real)
    markers = visible_markers(page)
    assert markers == per_country(real)
    expect(page.locator("#world-map")).to_have_class("is-live")  # the script ran
    shot(page, "map-all.png")

    # Filter in place (the script asks the server and swaps the map): year, then region too.
    year = 2021
    page.select_option("#filter-year", str(year))
    in_year = real.filter(year=year)
    expect(page.locator("#map-count")).to_have_text(f"{in_year.count()} projects shown")
    expect(page.locator("#world-map")).to_have_class("is-live")
    assert "year=2021" in page.url and "/portfolio/map/" in page.url
    assert table_counts(page) == per_country(in_year)
    assert visible_markers(page) == per_country(in_year)
    vn = page.locator('#world-map .marker[data-country="VN"] title').text_content()
    vn_rows = list(in_year.filter(country="VN").order_by("-pk"))
    assert vn.startswith(f"Vietnam: {len(vn_rows)} project")
    for p in vn_rows[:3]:
        assert p.city in vn
    assert page.locator('#world-map path.country.is-shown[data-country="VN"]').count() == 1
    shot(page, "map-2021.png")

    page.select_option("#filter-region", "southeast_asia")
    both = [p for p in in_year if p.region == "southeast_asia"]
    expect(page.locator("#map-count")).to_have_text(
        f"{len(both)} project{'s' if len(both) != 1 else ''} shown")
    assert table_counts(page) == per_country(both)
    assert visible_markers(page) == per_country(both)
    assert "region=southeast_asia" in page.url

    # A region with nothing that year: the empty notice, no marker.
    empty = next(r for r in REGIONS if r not in {p.region for p in in_year})
    page.select_option("#filter-region", empty)
    expect(page.locator("#map-empty")).to_be_visible()
    assert visible_markers(page) == {} and table_counts(page) == {}
    page.select_option("#filter-region", "southeast_asia")
    expect(page.locator("#map-empty")).to_be_hidden()

    # A country's row leads to its projects in the list, and on to a project's page.
    row = page.locator('#map-countries tbody tr[data-country="VN"] a')
    row.click()
    page.wait_for_url("**/en/portfolio/?*country=VN*")
    expect(page.locator("#filter-year")).to_have_value(str(year))
    listed = page.locator("#portfolio tbody tr")
    assert listed.count() == len(vn_rows)
    first = listed.first.locator("a")
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/en/portfolio/*/")
    expect(page.locator("#project-title")).to_have_text(title)
    expect(page.locator("#project-facts")).to_contain_text(str(year))
    shot(page, "map-project.png")
    assert tried == []


def test_map_marker_leads_to_the_country_and_korean_names(page, live_demo):
    base = live_demo.url
    tried = offline(page, base)
    page.goto(base + "/ko/portfolio/map/")
    title = page.locator('#world-map .marker[data-country="VN"] title').text_content()
    assert title.startswith("베트남: 사업 ")
    page.locator('#world-map .marker[data-country="VN"]').click()
    page.wait_for_url("**/ko/portfolio/?country=VN")
    expect(page.locator("#filter-country")).to_have_value("VN")
    assert page.locator("#portfolio tbody tr").count() == min(25, SelectedProject.objects.filter(
        country="VN").exclude(paperwork__proposal__cycle__is_demo=True).count())
    shot(page, "map-ko-vietnam.png")
    assert tried == []


def test_map_without_javascript_filters_on_the_server(browser, live_demo):
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        tried = offline(page, live_demo.url)
        page.goto(live_demo.url + "/en/portfolio/map/")
        page.select_option("#filter-track", "demonstration")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**/en/portfolio/map/?*track=demonstration*")
        real = SelectedProject.objects.exclude(paperwork__proposal__cycle__is_demo=True)
        shown = real.filter(track_kind="demonstration")
        assert table_counts(page) == per_country(shown)
        assert visible_markers(page) == per_country(shown)
        shot(page, "map-no-javascript.png")
        assert tried == []
    finally:
        context.close()
