"""The deadline-day paths made cheap (benchmarks/deadline_surge.md): the one-proposal
visibility look-up, the submit page, the per-track receipt counter."""

import threading
from unittest import mock

import pytest
from django.db import connection

from kcity import permissions
from kcity.accounts.models import Role, User
from kcity.applications import services
from kcity.applications.demo import _attach_all, _demonstration
from kcity.applications.models import ReceiptCounter, Submission
from kcity.core.errors import Refused


def _same_as_visible_proposals(user, pk):
    found = permissions.visible_proposal(user, pk)
    expected = permissions.visible_proposals(user).filter(pk=pk).first()
    assert (found and found.pk) == (expected and expected.pk), user
    return found


def test_cheap_lookup_finds_own_and_confirmed_members_and_no_one_else(
    ready_demo, users, stranger
):
    from django.contrib.auth.models import AnonymousUser

    pk = ready_demo.pk
    assert _same_as_visible_proposals(users["company-applicant"], pk).pk == pk  # lead
    assert _same_as_visible_proposals(users["partner"], pk).pk == pk  # confirmed member
    assert _same_as_visible_proposals(users["secretariat"], pk).pk == pk
    for user in (stranger, users["gov-applicant"], users["evaluator"], users["contractor"],
                 AnonymousUser()):
        assert _same_as_visible_proposals(user, pk) is None
    lead = users["company-applicant"]
    lead.is_active = False
    assert _same_as_visible_proposals(lead, pk) is None
    assert permissions.visible_proposal(users["partner"], "not-a-number") is None
    assert permissions.visible_proposal(users["partner"], 10**12) is None


def test_an_invited_member_sees_nothing_until_confirmed(demo_track, users):
    company, partner = users["company-applicant"], users["partner"]
    p = services.create_proposal(by=company, track=demo_track, title="Invite only")
    services.invite_member(proposal=p, by=company, name="UI", email="dewi@example.org",
                           role="site_host")
    assert _same_as_visible_proposals(partner, p.pk) is None
    # Another person of the applicant organisation is "own".
    colleague = User.objects.create_user("colleague", "c@example.org", "pw-colleague-1",
                                         organisation=company.organisation,
                                         role=Role.APPLICANT)
    assert _same_as_visible_proposals(colleague, p.pk).pk == p.pk


def test_submit_page_404_for_a_stranger_and_open_to_a_member(
    client, ready_demo, users, stranger
):
    url = f"/en/proposals/{ready_demo.pk}/submit/"
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"key": services.new_submit_key()}).status_code == 404
    assert not Submission.objects.filter(proposal=ready_demo).exists()
    client.force_login(users["partner"])  # a confirmed member reads, but cannot submit
    page = client.get(url)
    assert page.status_code == 200 and page.context["problems"] == []
    client.post(url, {"key": services.new_submit_key()})
    assert not Submission.objects.filter(proposal=ready_demo).exists()


@pytest.mark.parametrize("require_2fa", [False, True])
def test_submit_page_and_submit_stay_cheap(
    client, ready_demo, users, django_assert_max_num_queries, settings, require_2fa
):
    # Production requires two factors of the roles that need them: the rule reads the user's
    # organisation on every request, which comes with the user (accounts.backends).
    settings.KCITY_REQUIRE_2FA = require_2fa
    client.force_login(users["company-applicant"])
    assert client.session["_auth_user_backend"] == "kcity.accounts.backends.UserBackend"
    url = f"/en/proposals/{ready_demo.pk}/submit/"
    client.get(url)  # warm caches (content types, templates)
    with django_assert_max_num_queries(5):  # session, user + organisation, proposal,
        page = client.get(url)  # members, documents
    assert page.context["problems"] == [] and page.context["key"]
    # session, user + organisation, the look-up that answers 404 to a stranger; in the
    # transaction (a savepoint in a test): the locked read, documents, members (read once
    # for the checks and the snapshot), event, state, its audit-trail entry, e-mail row,
    # counter (two statements on SQLite, one on PostgreSQL), submission. The job rows are not
    # counted here (the tests' job backend runs the job when the transaction commits, not
    # through a row).
    with django_assert_max_num_queries(15):
        answer = client.post(url, {"key": page.context["key"]})
    assert answer.status_code == 302 and "/receipts/" in answer["Location"]


def test_the_lookups_join_only_what_they_are_asked_for(ready_demo, users):
    """`select_related()` with no names joins every relation: the narrow look-ups must not."""
    from django.test.utils import CaptureQueriesContext

    user = users["company-applicant"]
    for kwargs in ({}, {"only": ("id", "organisation_id")}):
        with CaptureQueriesContext(connection) as queries:
            found = permissions.visible_proposal(user, ready_demo.pk, **kwargs)
        assert found.pk == ready_demo.pk
        assert len(queries) == 1 and "JOIN" not in queries[0]["sql"], queries[0]["sql"]
    with CaptureQueriesContext(connection) as queries:
        narrow = permissions.visible_proposal(user, ready_demo.pk, only=("id", "organisation_id"))
    assert '"applications_proposal"."title"' not in queries[0]["sql"]
    assert narrow.organisation_id == ready_demo.organisation_id


def test_a_key_used_before_a_return_still_gives_its_first_receipt(ready_demo, users):
    """The key is looked up only when the move is refused; a key replayed after the proposal
    was returned (so the move is allowed again) meets the unique constraint instead, and the
    applicant gets the first receipt, not a second submission."""
    company, staff = users["company-applicant"], users["secretariat"]
    key = services.new_submit_key()
    first = services.submit_proposal(proposal=ready_demo, by=company, key=key)
    assert services.submit_proposal(proposal=ready_demo, by=company,
                                    key=key).pk == first.pk  # already in
    services.screen(proposal=ready_demo, by=staff, decision="returned", reason="Sign the LOI.")
    again = services.submit_proposal(proposal=ready_demo, by=company, key=key)
    assert again.pk == first.pk
    ready_demo.refresh_from_db()
    assert ready_demo.state == "returned"
    assert Submission.objects.filter(proposal=ready_demo).count() == 1


def test_receipt_numbers_come_from_the_counter_and_continue_existing_ones(
    ready_demo, users, demo_track
):
    company = users["company-applicant"]
    first = services.submit_proposal(proposal=ready_demo, by=company, key=services.new_submit_key())
    n = int(first.receipt_number.rsplit("-", 1)[1])
    assert ReceiptCounter.objects.get(track=demo_track).last == n
    # A track whose counter row is missing (made before the counters) starts after the
    # highest number already given, never on top of it.
    ReceiptCounter.objects.filter(track=demo_track).delete()
    second = _demonstration(demo_track, company, users["partner"], "Second")
    _attach_all(second, company)
    receipt = services.submit_proposal(proposal=second, by=company, key=services.new_submit_key())
    assert receipt.receipt_number == f"KCN-2028-DEMO-{n + 1:04d}"


def test_a_rolled_back_submission_gives_its_number_back(ready_demo, users, demo_track):
    company = users["company-applicant"]
    with (mock.patch("kcity.applications.services.queue_receipt", side_effect=RuntimeError),
          pytest.raises(RuntimeError)):
        services.submit_proposal(proposal=ready_demo, by=company, key=services.new_submit_key())
    assert not Submission.objects.filter(proposal=ready_demo).exists()
    before = ReceiptCounter.objects.filter(track=demo_track).values_list("last", flat=True)
    before = before[0] if before else 0
    receipt = services.submit_proposal(proposal=ready_demo, by=company,
                                       key=services.new_submit_key())
    assert receipt.receipt_number == f"KCN-2028-DEMO-{before + 1:04d}"  # no gap


@pytest.mark.django_db(transaction=True)
def test_next_receipt_number_refuses_to_run_outside_a_transaction(demo_track):
    from kcity.applications import receipts

    with pytest.raises(RuntimeError):
        receipts.next_receipt_number(demo_track)


def test_refused_submission_changes_no_counter(ready_demo, users, demo_track):
    ReceiptCounter.objects.filter(track=demo_track).delete()
    with pytest.raises(Refused):
        services.submit_proposal(proposal=ready_demo, by=users["gov-applicant"],
                                 key=services.new_submit_key())
    assert not ReceiptCounter.objects.filter(track=demo_track).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_to_one_track_get_unique_consecutive_numbers(
    demo_track, users
):
    company, partner = users["company-applicant"], users["partner"]
    proposals = []
    for i in range(6):
        p = _demonstration(demo_track, company, partner, f"Concurrent {i}")
        _attach_all(p, company)
        proposals.append(p)
    start = Submission.objects.filter(receipt_number__startswith="KCN-2028-DEMO-").count()
    barrier = threading.Barrier(len(proposals))
    results, errors = [], []

    def submit(p):
        try:
            barrier.wait()
            results.append(services.submit_proposal(proposal=p, by=company,
                                                    key=services.new_submit_key()))
        except Exception as exc:  # noqa: BLE001 (collected and asserted below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in proposals]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(int(r.receipt_number.rsplit("-", 1)[1]) for r in results)
    assert numbers == list(range(start + 1, start + 1 + len(proposals)))
    stored = Submission.objects.filter(proposal__in=proposals)
    assert len({s.receipt_number for s in stored}) == len(proposals) == stored.count()
    assert ReceiptCounter.objects.get(track=demo_track).last == start + len(proposals)


def test_an_upload_after_the_deadline_says_why(client, ready_demo, users):
    """The upload form is gone from the page once the deadline has passed: the refusal is
    shown on top of the page, not as an error of a form that is not there."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    track = ready_demo.track
    track.deadline = timezone.now() - timedelta(minutes=1)
    track.save(update_fields=["deadline"])
    client.force_login(users["company-applicant"])
    before = list(ready_demo.documents.values_list("sha256", flat=True))
    answer = client.post(f"/en/proposals/{ready_demo.pk}/documents/", {
        "code": "business_plan",
        "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "submissions are no longer accepted" in text
    assert 'id="upload-form"' not in text and "see the upload form below" not in text
    assert list(ready_demo.documents.values_list("sha256", flat=True)) == before
