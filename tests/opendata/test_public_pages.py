"""The public portfolio pages (kcity.opendata.public): the list with its filters and pages,
a project's page, the years and the world map, in English and Korean; bad parameters are
ignored with a notice, unknown projects are 404, and nothing confidential is shown."""

import re

import pytest

from kcity.accounts.models import User
from kcity.applications.models import Document
from kcity.opendata.public import PER_PAGE
from kcity.portfolio.models import SelectedProject
from kcity.projects.models import (
    Deliverable,
    DeliverableState,
    DeliverableSubmission,
    FrameworkParty,
    Project,
)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main>"):html.index("</main>")]


def row(**kw) -> SelectedProject:
    fields = {"year": 2021, "track_kind": "planning", "programme": "solution", "city": "Hanoi",
              "country": "VN", "title": "Smart traffic plan", "korean_partner": "",
              "source": ""} | kw
    return SelectedProject.objects.create(**fields)


@pytest.fixture
def rows(db):
    return {
        "hanoi": row(source="https://example.org/a ; http://example.org/b (press release)",
                     korean_partner="LH (Korea Land & Housing Corp)"),
        "lima": row(year=2022, city="Lima", country="PE", title="Lima master plan",
                    programme="city_development"),
        "kenya": row(year=2023, track_kind="demonstration", programme="demonstration",
                     city="Nairobi", country="KE", title="Smart water meters"),
    }


# ---- the list -------------------------------------------------------------------------------


def test_list_in_english_and_korean(client, rows):
    en = main(client.get("/en/portfolio/"))
    assert "Portfolio of projects" in en and "Lima master plan" in en and "Peru" in en
    assert "Southeast Asia" in en
    for p in rows.values():
        assert f'href="/en/portfolio/{p.pk}/"' in en
    ko = main(client.get("/ko/portfolio/"))
    assert "사업 포트폴리오" in ko and "베트남" in ko and "페루" in ko
    assert f'href="/ko/portfolio/{rows["lima"].pk}/"' in ko


@pytest.mark.parametrize(("query", "expected"), [
    ("year=2022", {"lima"}),
    ("track=demonstration", {"kenya"}),
    ("programme=city_development", {"lima"}),
    ("region=southeast_asia", {"hanoi"}),
    ("region=latin_america&year=2022", {"lima"}),
    ("country=vn", {"hanoi"}),
    ("country=KE", {"kenya"}),
    ("status=selected", {"hanoi", "lima", "kenya"}),
    ("status=in_progress", set()),
])
def test_list_filters(client, rows, query, expected):
    html = main(client.get(f"/en/portfolio/?{query}"))
    shown = {name for name, p in rows.items() if f"/en/portfolio/{p.pk}/" in html}
    assert shown == expected
    assert "filter-notices" not in html
    if not expected:
        assert "No projects match these filters." in html


@pytest.mark.parametrize("query", [
    "year=abc", "year=1999", "track=rocket", "region=atlantis", "country=XX", "status=<b>x</b>",
    "page=zero", "page=99", "year=2022&page=-1",
])
def test_bad_parameters_are_ignored_with_a_notice(client, rows, query):
    response = client.get(f"/en/portfolio/?{query}")
    assert response.status_code == 200
    html = main(response)
    assert 'id="filter-notices"' in html
    assert "<b>x</b>" not in html  # the value is shown escaped
    if query.startswith("year=2022"):  # the good filter is kept
        assert f"/en/portfolio/{rows['hanoi'].pk}/" not in html
    ko = main(client.get(f"/ko/portfolio/?{query}"))
    assert 'id="filter-notices"' in ko
    assert ("무시" if "page" not in query else "페이지") in ko


def test_list_pages_keep_the_filters(client, db):
    for i in range(PER_PAGE + 5):
        row(city=f"City {i:02d}", title=f"Plan {i:02d}")
    row(year=2020, city="Elsewhere")
    first = main(client.get("/en/portfolio/?year=2021"))
    assert first.count('data-project="') == PER_PAGE
    assert 'href="?year=2021&amp;page=2"' in first
    assert "Page 1 of 2" in first and f"{PER_PAGE + 5} projects" in first
    second = main(client.get("/en/portfolio/?year=2021&page=2"))
    assert second.count('data-project="') == 5
    assert "Elsewhere" not in second
    assert "2쪽 중 2쪽" in main(client.get("/ko/portfolio/?year=2021&page=2"))


# ---- a project's page -----------------------------------------------------------------------


def test_history_project_page(client, rows):
    p = rows["hanoi"]
    en = main(client.get(f"/en/portfolio/{p.pk}/"))
    assert "Smart traffic plan" in en and "Hanoi" in en and "Vietnam" in en
    assert "Southeast Asia" in en and "Smart solution planning" in en and "2021" in en
    assert "LH (Korea Land &amp; Housing Corp)" in en
    assert '<a href="https://example.org/a" rel="noopener noreferrer nofollow">' in en
    assert '<a href="http://example.org/b" rel="noopener noreferrer nofollow">' in en
    assert "(press release)" in en
    assert "selected" in en
    assert "Cooperation framework" not in en and "Accepted deliverables" not in en
    ko = main(client.get(f"/ko/portfolio/{p.pk}/"))
    assert "베트남" in ko and "동남아시아" in ko and "출처" in ko


def test_unknown_project_is_404(client, rows):
    assert client.get("/en/portfolio/999999/").status_code == 404
    assert client.get("/ko/portfolio/abc/").status_code == 404


def test_platform_project_pages_show_only_public_facts(client, demo):
    """Every demo platform project: the banner, signed parties by organisation and role, the
    accepted deliverables' type and date; no person, e-mail, file, score or comment."""
    projects = list(Project.objects.select_related("record", "proposal__cycle"))
    assert len(projects) >= 3
    people = [u.get_full_name() for u in User.objects.all() if u.get_full_name().strip()]
    private = [d.original_name for d in Document.objects.all()]
    private += [s.original_name for s in DeliverableSubmission.objects.all()]
    private += [s.note for s in DeliverableSubmission.objects.exclude(note="")]
    private += [s.review_comment for s in DeliverableSubmission.objects.exclude(review_comment="")]
    private += [d.title_en for d in Deliverable.objects.all()]
    for project in projects:
        for lang in ("en", "ko"):
            html = main(client.get(f"/{lang}/portfolio/{project.record.pk}/"))
            assert 'id="demo-banner"' in html
            assert not EMAIL.search(html), EMAIL.search(html)
            assert "/media/" not in html and "download" not in html.lower()
            assert "score" not in html.lower() and "점수" not in html
            for text in people + private:
                assert text not in html, text
            signed = FrameworkParty.objects.filter(project=project, signed_on__isnull=False,
                                                   signed_document__isnull=False)
            table = html.split('id="framework-parties"')[1].split("</table>")[0] \
                if signed.exists() else ""
            assert table.count("<tr><td>") == signed.count()
            accepted = project.deliverables.filter(state=DeliverableState.ACCEPTED).count()
            section = html.split('id="deliverables"')[1].split("</section>")[0]
            assert section.count("<tr><td>") == accepted
        en = main(client.get(f"/en/portfolio/{project.record.pk}/"))
        assert project.get_state_display() in en
        assert f'href="/en/results/{project.proposal.cycle.year}/"' in en


def test_unsigned_parties_are_not_listed(client, demo):
    waiting = Project.objects.get(pk=demo["project_waiting"])
    unsigned = FrameworkParty.objects.filter(project=waiting, signed_on__isnull=True)
    assert unsigned.exists()
    html = main(client.get(f"/en/portfolio/{waiting.record.pk}/"))
    table = html.split('id="framework-parties"')[1].split("</table>")[0]
    for party in unsigned.select_related("organisation"):
        role = party.get_role_display()
        assert f"<td>{role}</td>" not in table


def test_follow_on_and_accepted_deliverable_shown(client, demo):
    done = Project.objects.get(pk=demo["project_done"])
    html = main(client.get(f"/en/portfolio/{done.record.pk}/"))
    follow = html.split('id="follow-on"')[1].split("</section>")[0]
    assert "demonstration proposal" in follow
    running = Project.objects.get(pk=demo["project_running"])
    accepted = running.deliverables.filter(state=DeliverableState.ACCEPTED)
    section = main(client.get(f"/ko/portfolio/{running.record.pk}/")).split(
        'id="deliverables"')[1].split("</section>")[0]
    for d in accepted:
        assert d.accepted_at.astimezone().strftime("%Y") in section


# ---- demo projects are kept apart ------------------------------------------------------------


def test_demo_projects_only_under_the_banner(client, demo):
    demo_rows = SelectedProject.objects.filter(paperwork__proposal__cycle__is_demo=True)
    assert demo_rows.exists()
    html = main(client.get("/en/portfolio/"))
    record, apart = html.split('id="demo-2027"')
    assert 'id="demo-banner"' in apart and 'id="demo-banner"' not in record
    for p in demo_rows:
        assert f'/en/portfolio/{p.pk}/"' not in record
        assert f'/en/portfolio/{p.pk}/"' in apart
    # The record's list counts no demo project.
    real = SelectedProject.objects.exclude(paperwork__proposal__cycle__is_demo=True).count()
    assert f"{real} projects" in record
    # The map leaves them out.
    map_html = main(client.get("/en/portfolio/map/"))
    assert f"{real} projects shown" in map_html
    counts = re.findall(r'<tr data-country="\w\w">.*?>(\d+) projects?</a>', map_html, re.S)
    assert sum(int(n) for n in counts) == real
    years = main(client.get("/en/portfolio/years/"))
    counted, apart = years.split('id="demo-2027"')
    counts = re.findall(r'<tr class="year".*?<td class="num"><a [^>]*>(\d+) projects?</a>',
                        counted, re.S)
    assert sum(int(n) for n in counts) == real
    assert f"{demo_rows.count()} project" in apart and 'id="demo-banner"' in apart


# ---- the years ------------------------------------------------------------------------------


def test_years_index_links_published_results(client, demo):
    en = main(client.get("/en/portfolio/years/"))
    for year in SelectedProject.objects.exclude(
            paperwork__proposal__cycle__is_demo=True).values_list("year", flat=True):
        assert f'id="year-{year}"' in en
    real, apart = en.split('id="demo-2027"')
    assert 'href="/en/results/2027/"' in apart and "/results/" not in real
    assert 'id="demo-banner"' in apart
    ko = main(client.get("/ko/portfolio/years/"))
    assert "연도별 사업" in ko and 'href="/ko/results/2027/"' in ko


def test_years_index_counts_each_year(client, rows):
    row(year=2021, city="Hue", title="Hue drainage plan", track_kind="demonstration",
        programme="demonstration")
    html = main(client.get("/en/portfolio/years/"))
    assert html.index('id="year-2023"') < html.index('id="year-2021"')
    line = html.split('id="year-2021"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">(.*?)</td>', line)
    # projects, planning, demonstration, countries: one row per year, counted
    assert [re.sub(r"<[^>]+>", "", c) for c in cells] == ["2 projects", "1", "1", "1"]
    assert 'href="/en/portfolio/?year=2021"' in line
    assert 'href="/en/portfolio/?year=2021&amp;track=planning"' in line
    assert 'href="/en/portfolio/?year=2021&amp;track=demonstration"' in line
    # The year's projects are reached through the list it links to.
    listed = main(client.get("/en/portfolio/?year=2021"))
    assert f'/en/portfolio/{rows["hanoi"].pk}/' in listed
    assert f'/en/portfolio/{rows["lima"].pk}/' not in listed
    planning = main(client.get("/en/portfolio/?year=2021&track=planning"))
    assert "Smart traffic plan" in planning and "Hue drainage plan" not in planning
    # The page does not list projects one by one.
    assert f'/en/portfolio/{rows["hanoi"].pk}/' not in html


# ---- the map --------------------------------------------------------------------------------


def test_map_draws_every_country_and_a_marker_per_country_with_projects(client, rows):
    html = main(client.get("/en/portfolio/map/"))
    assert html.count('<path d="M') > 150
    for code in ("VN", "PE", "KE"):
        assert f'class="country has-projects is-shown" data-country="{code}"' in html
        assert f'class="marker" href="/en/portfolio/?country={code}" data-country="{code}"' in html
    assert 'data-country="FR"' in html and 'class="marker" href="/en/portfolio/?country=FR"' \
        not in html
    assert "http://" not in html.replace("example.org", "")
    assert "https://" not in html
    assert "<script" not in html  # the map's script is a static file in the page's head


def test_map_filters_on_the_server_without_javascript(client, rows):
    html = main(client.get("/en/portfolio/map/?year=2022&track=planning"))
    assert "1 project shown" in html
    # The table beside the map: one row per country shown, its count and a link to the list.
    assert re.findall(r'<tr data-country="(\w\w)">', html) == ["PE"]
    assert 'href="/en/portfolio/?year=2022&amp;track=planning&amp;country=PE">1 project</a>' \
        in html
    assert 'class="marker is-off" href="/en/portfolio/?country=VN"' in html
    assert 'class="marker" href="/en/portfolio/?country=PE"' in html
    assert 'class="country has-projects" data-country="VN"' in html
    listed = main(client.get("/en/portfolio/?year=2022&track=planning&country=PE"))
    assert f'/en/portfolio/{rows["lima"].pk}/' in listed
    assert f'/en/portfolio/{rows["hanoi"].pk}/' not in listed
    bad = client.get("/en/portfolio/map/?region=moon&year=20x")
    assert bad.status_code == 200 and main(bad).count("was ignored") == 2
    assert "3 projects shown" in main(bad)
    assert sorted(re.findall(r'<tr data-country="(\w\w)">', main(bad))) == ["KE", "PE", "VN"]


def marker_title(html: str, code: str) -> str:
    return re.search(rf'class="marker[^"]*"[^>]*data-country="{code}"[^>]*>\s*<title>(.*?)'
                     r"</title>", html, re.S).group(1)


def test_map_tooltips_name_a_few_projects_and_count_the_rest(client, rows):
    for i in range(5):
        row(year=2024, city=f"Town {i}", title=f"Plan {i}")
    html = main(client.get("/en/portfolio/map/"))
    lines = marker_title(html, "VN").split("\n")
    assert lines[0] == "Vietnam: 6 projects"
    assert lines[1:] == ["2024 · Town 4 · Plan 4", "2024 · Town 3 · Plan 3",
                         "2024 · Town 2 · Plan 2", "and 3 more"]
    assert '<tr data-country="VN">' in html and ">6 projects</a>" in html
    year = main(client.get("/en/portfolio/map/?year=2021"))
    assert marker_title(year, "VN") == "Vietnam: 1 project\n2021 · Hanoi · Smart traffic plan"


def test_map_in_korean(client, rows):
    html = main(client.get("/ko/portfolio/map/"))
    assert "사업 세계 지도" in html
    assert "<title>베트남: 사업 1건" in html
    assert "<title>프랑스</title>" in html
    response = client.get("/ko/portfolio/map/")
    assert '<script src="/static/opendata/map.js" defer></script>' in response.content.decode()


def test_navigation_links(client, db):
    html = client.get("/en/").content.decode()
    assert 'href="/en/portfolio/"' in html and 'href="/en/portfolio/map/"' in html
    assert 'id="home-portfolio"' in html
    ko = client.get("/ko/calls/").content.decode()
    assert 'href="/ko/portfolio/"' in ko and 'href="/ko/portfolio/map/"' in ko
