"""An evaluator logs in, sees only the assigned proposals, scores one with comments and
submits; the secretariat closes the panel and sees the aggregated ranking."""

import pytest
from playwright.sync_api import expect

from kcity.site.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, base, username, next_url):
    page.goto(f"{base}/en/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


def test_evaluator_scores_and_secretariat_closes(page, live_demo):
    from kcity.evaluation.models import Panel

    base = live_demo.url
    log_in(page, base, "evaluator", "/en/evaluation/")
    rows = page.locator("#assignments tbody tr.assignment")
    text = page.locator("#assignments").inner_text()
    assert "AI bus priority for Bandung" in text and "Smart streetlights for Surabaya" in text
    assert "Semarang" not in text  # declared conflict
    assert "Smart parking for Jakarta" not in text and "Medan" not in text  # not on a panel
    # The open 2028 panel; the closed 2027 demo panels are listed as well, scored already.
    current = rows.filter(has_text="2028 · ")
    expect(current.filter(has_text="Presentation")).to_have_count(2)
    expect(rows.filter(has_text="2027 · ").filter(has_text="(closed)").first).to_be_visible()

    current.filter(has_text="Presentation").filter(
        has_text="AI bus priority for Bandung").get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("AI bus priority for Bandung")
    for code, points, comment in [
        ("business_capability", "22", "Strong track record in Korea."),
        ("feasibility", "7", "The schedule ignores the rainy season."),  # bottom band
        ("site_readiness", "12.5", ""), ("host_priority", "13", ""), ("market_entry", "20", ""),
    ]:
        page.fill(f"#points_{code}", points)
        page.fill(f"#comment_{code}", comment)
    page.get_by_role("button", name="Submit the score sheet").click()
    expect(page.locator(".messages")).to_contain_text("Score sheet submitted.")
    expect(page.locator("#sheet-status")).to_contain_text("Submitted on")
    expect(page.locator("#dispersion")).to_have_count(0)  # blind while the panel is open
    page.get_by_role("button", name="Log out").click()

    panel = Panel.objects.get(track__cycle__year=2028, track__code="DEMO", stage="presentation")
    log_in(page, base, "secretariat", f"/en/evaluation/panels/{panel.pk}/")
    expect(page.locator("#dispersion")).to_contain_text("evaluator: 7.00")
    page.get_by_role("button", name="Close the panel").click()
    expect(page.locator(".messages")).to_contain_text("Panel closed")
    expect(page.locator("#panel-status")).to_have_text("Closed")
    ranking = page.locator("#ranking tbody tr")
    expect(ranking).to_have_count(2)
    expect(page.locator("#ranking")).to_contain_text("AI bus priority for Bandung")
    expect(page.locator("#ranking")).to_contain_text("Smart streetlights for Surabaya")
    expect(ranking.first.locator("td").first).to_have_text("1")
