"""Each public portfolio page asks the database a fixed number of queries, however many
projects, parties, deliverables and follow-ons there are: the count is measured, more rows
are made, and the count must not move (and stays under a bound)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kcity.accounts.models import User
from kcity.portfolio.models import SelectedProject
from kcity.projects.models import (
    Deliverable,
    DeliverableState,
    FollowOn,
    FollowOnKind,
    FrameworkParty,
    PartyRole,
    Project,
)

# Anonymous visitors: no session, no user query.
BOUNDS = {
    "/{lang}/portfolio/": 5,  # years and countries, count, page's ids, its rows, demo rows
    "/{lang}/portfolio/?year=2021&region=southeast_asia&page=2": 5,
    "/{lang}/portfolio/years/": 4,  # published years, counts per year, per demo cycle, cycles
    "/{lang}/portfolio/map/": 2,  # counts per country (the geometry is cached), a few titles
    "/{lang}/portfolio/map/?year=2022&track=planning": 2,
}
PROJECT_BOUND = 5  # the row, published years, parties, deliverables, follow-ons
COUNTRIES = ["VN", "ID", "PE", "KE", "MN", "UZ", "PH", "TH", "CO", "PL"]


def add_rows(n: int, start: int = 0) -> None:
    SelectedProject.objects.bulk_create(
        SelectedProject(year=2020 + (i % 5), track_kind="planning" if i % 3 else "demonstration",
                        programme="planning" if i % 3 else "demonstration", city=f"City {i}",
                        country=COUNTRIES[i % len(COUNTRIES)], title=f"Project {i}",
                        source=f"https://example.org/{i}")
        for i in range(start, start + n))


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("url", list(BOUNDS))
def test_list_years_and_map_queries_do_not_grow(client, db, django_assert_max_num_queries,
                                                lang, url):
    add_rows(40)
    target = url.format(lang=lang)
    before = count(client, target)
    add_rows(160, start=40)
    assert count(client, target) == before
    with django_assert_max_num_queries(BOUNDS[url]):
        client.get(target)


def test_project_page_queries_do_not_grow(client, demo, django_assert_max_num_queries):
    project = Project.objects.get(pk=demo["project_running"])
    url = f"/en/portfolio/{project.record.pk}/"
    before = count(client, url)
    history = SelectedProject.objects.create(year=2021, track_kind="planning",
                                             programme="planning", city="Hanoi", country="VN")
    history_before = count(client, f"/ko/portfolio/{history.pk}/")

    # More signed parties, accepted deliverables and follow-ons; more projects.
    signed = FrameworkParty.objects.filter(project=project, signed_document__isnull=False).first()
    staff = User.objects.get(username="secretariat")
    today = timezone.localdate()
    for i in range(12):
        FrameworkParty.objects.create(project=project, role=PartyRole.CONSULTANT,
                                      name=f"Consultant {i}", signed_on=today,
                                      signed_document=signed.signed_document)
        Deliverable.objects.create(project=project, kind="basic_concept", title_en=f"D{i}",
                                   title_ko=f"D{i}", due_on=today, created_by=staff,
                                   state=DeliverableState.ACCEPTED, accepted_at=timezone.now())
        FollowOn.objects.create(project=project, kind=FollowOnKind.PPP, amount=1_000_000 * i,
                                on=today - dt.timedelta(days=i))
    add_rows(100)
    html = client.get(url).content.decode()
    assert "Consultant 11" in html and html.count("public-private partnership") == 12
    assert count(client, url) == before
    assert count(client, f"/ko/portfolio/{history.pk}/") == history_before
    with django_assert_max_num_queries(PROJECT_BOUND):
        client.get(url)
    with django_assert_max_num_queries(2):  # a past project: the row, published years
        client.get(f"/en/portfolio/{history.pk}/")
