"""Fixtures for the procurement tests: the demo data, two projects of the 2027 demo cycle
(made here: the projects core's publish hook is not this branch's) and verified Korean
bidders."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

import upload_samples as s
from kcity.accounts.models import Organisation, OrgKind, Role, User
from kcity.projects import procurement
from kcity.projects.models import Project

NOW = dt.datetime(2027, 9, 1, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def pdf(name="technical-proposal.pdf"):
    return SimpleUploadedFile(name, s.pdf(), "application/pdf")


@pytest.fixture
def users(demo):
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def staff(users):
    return users["secretariat"]


@pytest.fixture
def projects(demo):
    """Two projects of the 2027 demo cycle that the demo left without a tender or contractor
    (the demo procures two others), with a known award and plan."""
    free = list(Project.objects.filter(
        proposal__track__cycle__year=2027, proposal__track__cycle__is_demo=True,
        state="agreement_pending", contractor__isnull=True, tenders__isnull=True,
    ).order_by("pk")[:2])
    assert len(free) == 2
    Project.objects.filter(pk__in=[p.pk for p in free]).update(
        deliverable_type="master_plan", award=500_000_000,
        planned_start=dt.date(2027, 10, 1), planned_end=dt.date(2028, 9, 30))
    return [Project.objects.get(pk=p.pk) for p in free]


@pytest.fixture
def project(projects):
    return projects[0]


def make_bidder(name, username, *, kind=OrgKind.KOREAN_COMPANY, country="KR", verified=True):
    org = Organisation.objects.create(
        kind=kind, name=name, country=country, city="Seoul",
        verified_at=timezone.now() if verified else None)
    return User.objects.create_user(username, f"{username}@example.org", "pw-bidder-12345",
                                    organisation=org, role=Role.APPLICANT)


@pytest.fixture
def bidders(demo):
    return [make_bidder("Daehan Engineering", "bidder-a"),
            make_bidder("Saebyeok Consultants", "bidder-b", kind=OrgKind.CONTRACTOR)]


def terms(**over):
    base = {
        "scope_en": "Master plan for the smart district", "scope_ko": "스마트 지구 마스터플랜",
        "ceiling": 450_000_000, "notice_date": dt.date(2027, 9, 1),
        "briefing_at": NOW + dt.timedelta(days=7), "briefing_place": "Sejong",
        "bid_deadline": NOW + dt.timedelta(days=30),
        "evaluation_date": dt.date(2027, 10, 8), "award_date": dt.date(2027, 10, 15),
        "consortia_allowed": True, "technical_weight": 80, "price_weight": 20,
    }
    return {**base, **over}


@pytest.fixture
def published(project, staff):
    tender = procurement.draft_tender(project=project, by=staff, now=NOW, **terms())
    return procurement.publish_tender(tender=tender, by=staff, now=NOW)


def after_deadline(tender, days=1):
    return tender.bid_deadline + dt.timedelta(days=days)


@pytest.fixture
def with_bids(published, bidders):
    procurement.submit_bid(tender=published, by=bidders[0], price=400_000_000, proposal_file=pdf(),
                           now=NOW + dt.timedelta(days=5))
    procurement.submit_bid(tender=published, by=bidders[1], price=300_000_000, proposal_file=pdf(),
                           now=NOW + dt.timedelta(days=6))
    return published
