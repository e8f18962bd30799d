"""The delivery pages per role: the track's secretariat and the contractor act, the host
government reads, anyone else gets 404 (pages, forms and file downloads)."""

import datetime as dt

import pytest
from django.urls import reverse

from delivery_world import pdf
from kcity.accounts.models import Organisation, OrgKind, Role, User
from kcity.projects import delivery
from kcity.projects.models import Payment


@pytest.fixture
def stranger(world):
    org = Organisation.objects.create(kind=OrgKind.FOREIGN_GOVERNMENT, name="Other City",
                                      country="TH", gov_level="local")
    return User.objects.create_user("d-stranger", "st@example.org", "pw-st-12345",
                                    organisation=org, role=Role.APPLICANT)


@pytest.fixture
def submitted(world):
    d = delivery.add_deliverable(project=world["project"], by=world["kind"], kind="master_plan",
                                 title_en="Master plan", title_ko="마스터플랜",
                                 due_on=dt.date(2031, 5, 1))
    s = delivery.submit_deliverable(deliverable=d, by=world["contractor"], upload=pdf(),
                                    note="Draft")
    return d, s


def urls(world, d, s):
    p = world["project"].pk
    return {
        "page": reverse("delivery:project", args=[p]),
        "file": reverse("delivery:download", args=[s.pk]),
    }


@pytest.fixture
def contractor_evaluator(world):
    """An evaluator account of the contractor company: not the contractor's people."""
    return User.objects.create_user("d-eval", "ev@example.org", "pw-ev-12345",
                                    organisation=world["project"].contractor,
                                    role=Role.EVALUATOR)


@pytest.mark.parametrize("who", ["kaia", "other_contractor", "stranger", "evaluator"])
def test_outsiders_get_404_everywhere(client, world, submitted, stranger, contractor_evaluator,
                                      who):
    d, s = submitted
    user = {"stranger": stranger, "evaluator": contractor_evaluator}.get(who) or world[who]
    client.force_login(user)
    for url in urls(world, d, s).values():
        assert client.get(url).status_code == 404, url
    p = world["project"].pk
    posts = [
        (reverse("delivery:submit", args=[d.pk]), {"file": pdf(), "note": "x"}),
        (reverse("delivery:review", args=[d.pk]), {"decision": "accept"}),
        (reverse("delivery:record_payment", args=[p]),
         {"deliverable": d.pk, "amount": 1, "paid_on": "2031-06-01"}),
        (reverse("delivery:add_deliverable", args=[p]),
         {"kind": "master_plan", "title_en": "X", "title_ko": "엑스", "due_on": "2031-06-01"}),
        (reverse("delivery:add_milestone", args=[p]),
         {"title_en": "X", "title_ko": "엑스", "due_on": "2031-06-01"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    d.refresh_from_db()
    assert d.state == "submitted" and d.submissions.count() == 1
    overview = client.get(reverse("delivery:overview"))
    assert "Hue smart city plan" not in overview.content.decode()


def test_anonymous_is_sent_to_log_in(client, world, submitted):
    d, s = submitted
    response = client.get(reverse("delivery:project", args=[world["project"].pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_host_government_reads_but_cannot_act(client, world, submitted):
    d, s = submitted
    client.force_login(world["host"])
    page = client.get(reverse("delivery:project", args=[world["project"].pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Master plan" in body and "Draft" in body
    assert "review-form" not in body and "submit-form" not in body and "payment-form" not in body
    assert client.get(reverse("delivery:download", args=[s.pk])).status_code == 200
    assert client.post(reverse("delivery:review", args=[d.pk]),
                       {"decision": "accept"}).status_code == 404
    assert client.post(reverse("delivery:submit", args=[d.pk]),
                       {"file": pdf(), "note": "x"}).status_code == 404
    d.refresh_from_db()
    assert d.state == "submitted"


def test_the_loop_through_the_pages(client, world, submitted):
    d, s = submitted
    p = world["project"].pk
    client.force_login(world["contractor"])
    assert "submit-form" not in client.get(reverse("delivery:project", args=[p])).content.decode()
    client.force_login(world["kind"])
    page = client.get(reverse("delivery:project", args=[p])).content.decode()
    assert "review-form" in page
    client.post(reverse("delivery:review", args=[d.pk]),
                {"decision": "return", "comment": "Add the budget."})
    d.refresh_from_db()
    assert d.state == "returned"
    client.force_login(world["contractor"])
    page = client.get(reverse("delivery:project", args=[p])).content.decode()
    assert "Add the budget." in page and "submit-form" in page
    client.post(reverse("delivery:submit", args=[d.pk]), {"file": pdf("v2.pdf"), "note": "v2"})
    client.force_login(world["kind"])
    client.post(reverse("delivery:review", args=[d.pk]), {"decision": "accept"})
    d.refresh_from_db()
    assert d.state == "accepted"
    response = client.post(reverse("delivery:record_payment", args=[p]),
                           {"deliverable": d.pk, "amount": 120_000_000, "paid_on": "2031-06-01"})
    assert response.status_code == 302
    assert list(Payment.objects.values_list("amount", flat=True)) == [120_000_000]
    response = client.post(reverse("delivery:record_payment", args=[p]),
                           {"deliverable": d.pk, "amount": 1, "paid_on": "2031-06-02"},
                           follow=True)
    assert "paid already" in response.content.decode()
    assert Payment.objects.count() == 1


def test_the_secretariat_builds_the_work_plan_and_sees_overdue(client, world):
    p = world["project"].pk
    client.force_login(world["kind"])
    client.post(reverse("delivery:add_milestone", args=[p]),
                {"title_en": "Phase 1", "title_ko": "1단계", "due_on": "2020-01-01"})
    m = world["project"].milestones.get()
    client.post(reverse("delivery:add_deliverable", args=[p]),
                {"kind": "basic_concept", "title_en": "Concept", "title_ko": "기본구상",
                 "due_on": "2020-01-01", "payment_share": "50000000", "milestone": m.pk})
    d = world["project"].deliverables.get()
    assert (d.milestone, d.payment_share, d.kind) == (m, 50_000_000, "basic_concept")
    overview = client.get(reverse("delivery:overview")).content.decode()
    assert "Concept" in overview and "2020-01-01" in overview
    client.force_login(world["contractor"])
    overview = client.get(reverse("delivery:overview")).content.decode()
    assert 'id="overdue"' not in overview


def test_pages_in_korean(client, world, submitted):
    client.force_login(world["host"])
    from django.utils import translation

    with translation.override("ko"):
        url = reverse("delivery:project", args=[world["project"].pk])
    assert url.startswith("/ko/")
    assert "마스터플랜" in client.get(url).content.decode()
