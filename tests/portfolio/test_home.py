"""The public home page: totals computed from the database, in both languages."""

import re

from kcity.portfolio.history import read_history, yearly_totals
from kcity.site.demo import history_file


def figure(html: str, name: str) -> int:
    return int(re.search(rf'id="total-{name}">(\d+)<', html).group(1))


def test_home_totals_equal_the_data_file(client, demo):
    expected = yearly_totals(read_history(history_file()))[-1]
    html = client.get("/en/").content.decode()
    assert figure(html, "projects") == expected["cumulative_projects"]
    assert figure(html, "countries") == expected["cumulative_countries"]
    assert figure(html, "cities") == expected["cumulative_cities"]
    for row in yearly_totals(read_history(history_file())):
        assert f'data-year="{row["year"]}"' in html
    latest = yearly_totals(read_history(history_file()))[-1]
    # the latest year's projects, each linked to its page; the rest are the portfolio's
    assert html.count("<tr><td>") == latest["projects"]
    assert f"All {expected['cumulative_projects']} selected projects in the portfolio" in html


def test_bare_root_answers_200_in_the_visitors_language(client, demo):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    ko = client.get("/", HTTP_ACCEPT_LANGUAGE="ko")
    assert ko.status_code == 200
    assert '<html lang="ko">' in ko.content.decode()
    assert "연도별 사업" in ko.content.decode()


def test_home_in_korean_and_english(client, demo):
    en = client.get("/en/").content.decode()
    ko = client.get("/ko/").content.decode()
    assert "Projects by year" in en and "Selected projects of 2026" in en
    assert "연도별 사업" in ko and "2026년 선정 사업" in ko
    assert "Poland" in en  # a country of the latest year (2026)
    assert "폴란드" in ko


def test_language_switch_keeps_the_page(client, demo):
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/en/"})
    assert response.status_code == 302
    assert response["Location"] == "/ko/"
