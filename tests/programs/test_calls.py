"""The public call pages: open, upcoming and closed calls, and each cycle's bilingual notice."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation
from django.utils.html import escape

from kcity.accounts.models import User
from kcity.programs.models import Criterion, Cycle, CycleStatus, Track
from kcity.programs.selectors import CLOSED, OPEN, UPCOMING, public_calls
from kcity.site.demo import DEMO_CYCLES

KST = ZoneInfo("Asia/Seoul")


def kst(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=KST)


def codes(entries) -> list[str]:
    """The shipped cycles' calls only: the demo may add an open cycle of its own."""
    return [f"{e.cycle.year}-{e.track.code}" for e in entries if e.cycle.year in DEMO_CYCLES]


def test_grouping_while_2026_is_open(demo):
    # 2026: planning is year-round with a cut-off on 30 April; demonstration closes 17 March.
    groups = public_calls(AnonymousUser(), now=kst(2026, 2, 15, 12))
    assert codes(groups[OPEN]) == ["2026-DEMO", "2026-PLAN"]  # soonest deadline first
    assert codes(groups[UPCOMING]) == []
    assert codes(groups[CLOSED])[:2] == ["2025-PLAN", "2025-DEMO"]  # most recent first
    shipped = Track.objects.filter(cycle__year__in=DEMO_CYCLES)
    assert len(codes(groups[CLOSED])) == shipped.exclude(cycle__year=2026).count()


def test_grouping_before_and_after(demo):
    before = public_calls(AnonymousUser(), now=kst(2026, 1, 10))
    assert codes(before[UPCOMING]) == ["2026-PLAN", "2026-DEMO"]
    assert codes(before[OPEN]) == []
    after_demo = public_calls(AnonymousUser(), now=kst(2026, 3, 20))
    assert codes(after_demo[OPEN]) == ["2026-PLAN"]
    assert codes(after_demo[CLOSED])[0] == "2026-DEMO"


def test_deadline_second_by_second(demo):
    deadline = kst(2026, 3, 17, 18)
    assert "2026-DEMO" in codes(public_calls(None, now=deadline)[OPEN])
    later = deadline + dt.timedelta(seconds=1)
    assert "2026-DEMO" in codes(public_calls(None, now=later)[CLOSED])
    cutoff = kst(2026, 4, 30, 18)
    assert "2026-PLAN" in codes(public_calls(None, now=cutoff)[OPEN])
    assert "2026-PLAN" in codes(public_calls(None, now=cutoff + dt.timedelta(seconds=1))[CLOSED])


def test_draft_cycle_is_not_listed_and_its_notice_is_404(demo, client):
    Cycle.objects.filter(year=2026).update(status=CycleStatus.DRAFT)
    groups = public_calls(AnonymousUser(), now=kst(2026, 2, 15))
    assert not any(e.cycle.year == 2026 for g in groups.values() for e in g)
    assert client.get("/en/calls/2026/").status_code == 404
    assert 'data-track="2026-' not in client.get("/en/calls/").content.decode()
    client.force_login(User.objects.get(username="gov-applicant"))
    assert client.get("/en/calls/2026/").status_code == 404
    # The secretariat previews its draft.
    client.force_login(User.objects.get(username="secretariat"))
    assert client.get("/en/calls/2026/").status_code == 200


def test_unknown_year_is_404(demo, client):
    assert client.get("/en/calls/1999/").status_code == 404


def test_list_page_groups_by_the_real_clock(demo, client):
    track = Track.objects.get(cycle__year=2026, code="DEMO")
    track.opens_at = timezone.now() - dt.timedelta(days=1)
    track.deadline = timezone.now() + dt.timedelta(days=10)
    track.save()
    html = client.get("/en/calls/").content.decode()
    open_section = html.split('id="calls-open"')[1].split('id="calls-upcoming"')[0]
    closed_section = html.split('id="calls-closed"')[1]
    assert 'data-track="2026-DEMO"' in open_section
    assert 'data-track="2025-DEMO"' in closed_section
    assert "/en/calls/2026/#track-DEMO" in open_section
    ko = client.get("/ko/calls/").content.decode()
    assert "진행 중인 공모" in ko and "2026년 K-City Network 글로벌 협력 프로그램" in ko


def test_notice_in_english_shows_kst_deadline_and_criteria(demo, client):
    html = client.get("/en/calls/2026/").content.decode()
    assert "2026 K-City Network Global Cooperation Program" in html
    # 18:00 KST is 09:00 UTC: the KST text is there without JavaScript, UTC for the script.
    assert '<time datetime="2026-03-17T09:00:00+00:00">2026-03-17 18:00 KST</time>' in html
    assert '<time datetime="2026-04-30T09:00:00+00:00">2026-04-30 18:00 KST</time>' in html
    assert "kcity/localtime.js" in html
    for criterion in Criterion.objects.filter(track__cycle__year=2026):
        assert escape(criterion.name_en) in html
        assert f'<td class="num">{criterion.weight}</td>' in html
    assert '<td class="num">100</td>' in html  # the weights of each track add up
    assert "Official letter of request from the government" in html
    assert "Up to 400,000,000 KRW" in html and "Up to 6" in html
    assert "Foreign government (national, regional, city)" in html
    assert "Korean company leading a consortium" in html
    assert "Pre-consultation" in html and "Presentation" in html
    assert escape(Cycle.objects.get(year=2026).notice_en) in html


def test_notice_in_korean(demo, client):
    html = client.get("/ko/calls/2026/").content.decode()
    assert "2026년 K-City Network 글로벌 협력 프로그램" in html
    assert "2026-03-17 18:00 KST" in html
    for criterion in Criterion.objects.filter(track__cycle__year=2026):
        assert escape(criterion.name_ko) in html
    assert "정부 공식 요청 공문" in html
    assert "최대 4억 원" in html
    assert "계획수립형" in html and "평가 기준" in html
    assert escape(Cycle.objects.get(year=2026).notice_ko) in html


@pytest.mark.parametrize(
    ("grant_min", "grant_max", "expected"),
    [
        (None, 700_000_000, "Up to 700,000,000 KRW"),
        (100_000_000, 300_000_000, "100,000,000 KRW to 300,000,000 KRW"),
        (100_000_000, None, "At least 100,000,000 KRW"),
        (None, None, "Set by the secretariat for each project"),
    ],
)
def test_grant_range_wording(grant_min, grant_max, expected):
    from kcity.programs.selectors import grant_range

    with translation.override("en"):
        assert grant_range(Track(grant_min=grant_min, grant_max=grant_max)) == expected


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(0, None, "Not fixed in the call"), (0, 6, "Up to 6"), (2, 4, "2 to 4"), (3, 3, "3")],
)
def test_project_count_wording(low, high, expected):
    from kcity.programs.selectors import project_count

    with translation.override("en"):
        assert project_count(Track(min_projects=low, max_projects=high)) == expected


def test_header_links_to_the_calls(demo, client):
    assert 'href="/en/calls/"' in client.get("/en/").content.decode()


def test_open_call_says_who_may_submit_per_track(demo, client):
    """A verified government may start planning, not a company-only demonstration track."""
    from kcity.applications.demo import DEMO_YEAR

    client.force_login(User.objects.get(username="gov-applicant"))
    html = client.get(f"/en/calls/{DEMO_YEAR}/").content.decode()
    assert html.count("you may submit a proposal for this track") == 1
    assert html.count("does not take proposals from your kind of organisation") == 1
    client.force_login(User.objects.get(username="company-applicant"))
    html = client.get(f"/en/calls/{DEMO_YEAR}/").content.decode()
    assert html.count("you may submit a proposal for this track") == 1
    assert html.count("does not take proposals from your kind of organisation") == 1
