"""A visitor reads the home page in both languages; the secretariat logs in to the admin."""

import pytest
from playwright.sync_api import expect

from kcity.portfolio.history import read_history, yearly_totals
from kcity.site.demo import DEMO_PASSWORD, history_file

pytestmark = pytest.mark.browser


def test_home_page_totals_and_language_switch(page, live_demo):
    expected = yearly_totals(read_history(history_file()))[-1]
    page.goto(live_demo.url + "/en/")
    assert page.locator("#total-projects").inner_text() == str(expected["cumulative_projects"])
    assert page.locator("#total-countries").inner_text() == str(expected["cumulative_countries"])
    latest = yearly_totals(read_history(history_file()))[-1]
    assert page.locator("#projects tbody tr").count() == latest["projects"]
    page.locator("#all-projects").click()  # the whole record is the portfolio's, page by page
    page.wait_for_url("**/en/portfolio/")
    page.go_back()
    page.get_by_role("button", name="한국어").click()
    page.wait_for_url("**/ko/")
    expect(page.get_by_role("heading", name="연도별 사업")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "ko"


def test_secretariat_logs_in_and_opens_the_admin(page, live_demo):
    page.goto(live_demo.url + "/accounts/login/")
    assert "/en/accounts/login/" in page.url
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Administration").click()
    expect(page.locator("#site-name")).to_contain_text("K-City Network administration")
    page.locator("#content-main").get_by_role("link", name="Cycles", exact=True).click()
    expect(page.get_by_role("link", name="2021", exact=True)).to_be_visible()


def test_wrong_password_shows_an_error(page, live_demo):
    page.goto(live_demo.url + "/en/accounts/login/")
    page.fill("#id_username", "evaluator")
    page.fill("#id_password", "wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
