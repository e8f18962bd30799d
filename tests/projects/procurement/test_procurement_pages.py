"""The procurement pages: anonymous visitors see published notices only (both languages);
a bidder sees only its own bid; the secretariat's and committee's pages answer 404 to
anyone else; the OCDS download is the public part."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from procurement_helpers import NOW, pdf, terms

from kcity.projects import procurement
from kcity.projects.procurement_models import Bid, Tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(project, projects, staff, bidders):
    """A published notice whose deadline is ahead of the real clock, with one bid from each
    bidder, and a draft."""
    now = timezone.now()
    deadline = now + dt.timedelta(days=30)
    tender = procurement.draft_tender(project=project, by=staff, now=now, **terms(
        notice_date=now.date(), briefing_at=now + dt.timedelta(days=5), bid_deadline=deadline,
        evaluation_date=deadline.date() + dt.timedelta(days=3),
        award_date=deadline.date() + dt.timedelta(days=10)))
    tender = procurement.publish_tender(tender=tender, by=staff, now=now)
    procurement.submit_bid(tender=tender, by=bidders[0], price=410_000_000, proposal_file=pdf(),
                           now=now)
    procurement.submit_bid(tender=tender, by=bidders[1], price=320_000_000, proposal_file=pdf(),
                           now=now)
    draft = procurement.draft_tender(project=projects[1], by=staff, now=NOW, **terms())
    return tender, draft


def test_anonymous_sees_published_notices_only_in_both_languages(client, live):
    tender, draft = live
    for lang, scope in [("en", tender.scope_en), ("ko", tender.scope_ko)]:
        page = client.get(f"/{lang}/procurement/")
        assert page.status_code == 200
        text = page.content.decode()
        assert tender.project.proposal.title in text
        assert draft.project.proposal.title not in text
        detail = client.get(f"/{lang}/procurement/{tender.pk}/")
        assert detail.status_code == 200 and scope in detail.content.decode()
    assert "입찰 공고" in client.get("/ko/procurement/").content.decode()
    assert client.get(f"/en/procurement/{draft.pk}/").status_code == 404
    assert client.get(f"/en/procurement/{draft.pk}/ocds.json").status_code == 404
    assert client.get(f"/en/procurement/{tender.pk}/manage/").status_code == 302  # log in


def test_ocds_download_is_the_public_part(client, live, bidders):
    tender, _draft = live
    response = client.get(f"/en/procurement/{tender.pk}/ocds.json")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/json")
    package = json.loads(response.content)
    assert [r["tag"] for r in package["releases"]] == [["planning"], ["tender"]]
    text = response.content.decode()
    assert "410000000" not in text and bidders[0].organisation.name not in text


def test_a_bidder_sees_only_its_own_bid(client, live, bidders, staff):
    tender, _draft = live
    mine, theirs = (Bid.objects.get(organisation=b.organisation, tender=tender) for b in bidders)
    client.force_login(bidders[0])
    page = client.get(f"/en/procurement/{tender.pk}/").content.decode()
    assert "410,000,000" in page and "320,000,000" not in page
    assert client.get(f"/en/procurement/{tender.pk}/bids/{mine.pk}/document/").status_code == 200
    assert client.get(
        f"/en/procurement/{tender.pk}/bids/{theirs.pk}/document/").status_code == 404
    assert client.get(f"/en/procurement/{tender.pk}/manage/").status_code == 404
    # sealed for the secretariat too, before the deadline
    client.force_login(staff)
    manage = client.get(f"/en/procurement/{tender.pk}/manage/")
    assert manage.status_code == 200
    text = manage.content.decode()
    assert "320,000,000" not in text and "410,000,000" not in text and 'id="sealed"' in text
    assert client.get(f"/en/procurement/{tender.pk}/bids/{mine.pk}/document/").status_code == 404


def test_a_bidder_registers_and_bids_through_the_pages(client, live, bidders):
    tender, _draft = live
    client.force_login(bidders[1])
    client.post(f"/en/procurement/{tender.pk}/register/", {"attendees": 2})
    assert tender.registrations.get().organisation_id == bidders[1].organisation_id
    response = client.post(f"/en/procurement/{tender.pk}/bid/",
                           {"price": 300_000_000, "technical_proposal": pdf()})
    assert response.status_code == 302
    assert Bid.objects.get(organisation=bidders[1].organisation, tender=tender).price == 300_000_000
    too_high = client.post(f"/en/procurement/{tender.pk}/bid/",
                           {"price": tender.ceiling + 1, "technical_proposal": pdf()})
    assert "above the ceiling" in too_high.content.decode()


def test_the_secretariat_drafts_and_publishes_through_the_pages(client, staff, projects,
                                                                 users):
    project = projects[1]
    client.force_login(users["evaluator"])
    assert client.get(f"/en/procurement/new/{project.pk}/").status_code == 404
    client.force_login(staff)
    deadline = timezone.localtime(timezone.now() + dt.timedelta(days=20))
    data = {"scope_en": "Scope", "scope_ko": "범위", "ceiling": project.award + 1,
            "notice_date": deadline.date() - dt.timedelta(days=20),
            "bid_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
            "evaluation_date": deadline.date() + dt.timedelta(days=2),
            "award_date": deadline.date() + dt.timedelta(days=5),
            "technical_weight": 70, "price_weight": 30}
    refused = client.post(f"/en/procurement/new/{project.pk}/", data)
    assert "above the project" in refused.content.decode()
    response = client.post(f"/en/procurement/new/{project.pk}/", {**data, "ceiling": 1_000})
    tender = Tender.objects.get(project=project)
    assert response.status_code == 302 and tender.state == "draft"
    client.post(f"/en/procurement/{tender.pk}/move/published/")
    assert Tender.objects.get(pk=tender.pk).state == "published"


def test_a_draft_cancelled_before_its_notice_stays_private(client, live, staff):
    _tender, draft = live
    procurement.cancel_tender(tender=draft, by=staff, reason="Scope changed")
    assert client.get(f"/en/procurement/{draft.pk}/").status_code == 404
    assert draft.project.proposal.title not in client.get("/en/procurement/").content.decode()
    client.force_login(staff)
    assert client.get(f"/en/procurement/{draft.pk}/").status_code == 200
