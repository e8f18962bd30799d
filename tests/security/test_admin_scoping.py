"""The administration: each secretariat unit sees only its tracks' records (KAIA never KIND's
planning proposals), submitted content, stored documents and records are read-only, and an
organisation's verification and a user's role, staff, superuser flags and permissions change
only through the audited services."""

import pytest
from django.contrib.auth.models import Group

from kcity.accounts.models import Organisation, OrgKind, Role, User
from kcity.applications.models import Document, Proposal, ProposalEvent, Submission
from kcity.core.models import AuditAction, AuditEntry
from kcity.evaluation.models import ConflictDeclaration, EvaluationEvent, Panel
from kcity.programs.models import Cycle, Track
from kcity.projects.models import Project
from kcity.selection.models import SelectionRound


def admin_staff(unit, name):
    """A secretariat person of `unit` with the demo's Secretariat group, as a real one."""
    user = User.objects.create_user(
        name, f"{name}@example.org", "pw-staff-123", role=Role.SECRETARIAT, is_staff=True,
        organisation=Organisation.objects.get(secretariat_unit=unit))
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def kaia(users):
    return admin_staff("KAIA", "kaia-admin")


@pytest.fixture
def kind(users):
    return admin_staff("KIND", "kind-admin")


def listed(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def change_url(obj):
    meta = obj._meta
    return f"/en/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"


def test_a_unit_sees_only_the_proposals_and_records_of_its_tracks(client, kaia, kind, users):
    planning = Proposal.objects.filter(track__secretariat="KIND").order_by("pk")
    demonstration = Proposal.objects.filter(track__secretariat="KAIA").order_by("pk")
    assert planning.exists() and demonstration.exists()
    cases = [
        (Proposal, "track__secretariat"),
        (Document, "proposal__track__secretariat"),
        (Submission, "proposal__track__secretariat"),
        (ProposalEvent, "proposal__track__secretariat"),
        (Panel, "track__secretariat"),
        (ConflictDeclaration, "proposal__track__secretariat"),
        (EvaluationEvent, "proposal__track__secretariat"),
        (Project, "proposal__track__secretariat"),
    ]
    for staff, own, other in ((kaia, "KAIA", "KIND"), (kind, "KIND", "KAIA")):
        client.force_login(staff)
        for model, path in cases:
            theirs = model.objects.filter(**{path: other}).order_by("pk").first()
            mine = model.objects.filter(**{path: own}).order_by("pk").first()
            meta = model._meta
            url = f"/en/admin/{meta.app_label}/{meta.model_name}/"
            if theirs is not None:
                response = client.get(change_url(theirs))
                assert response.status_code == 302, (staff, model)  # "does not exist"
                assert client.get(url + f"?id__exact={theirs.pk}").context["cl"] \
                    .result_count == 0, (staff, model)
            if mine is not None:
                assert client.get(change_url(mine)).status_code == 200, (staff, model)
    client.force_login(kaia)
    page = listed(client, "/en/admin/applications/proposal/")
    assert planning.first().title not in page and demonstration.first().title in page
    # MOLIT sees every track
    client.force_login(users["secretariat"])
    page = listed(client, "/en/admin/applications/proposal/")
    assert planning.first().title in page and demonstration.first().title in page


def test_selection_rounds_are_for_the_unit_running_the_whole_cycle(client, kaia, users):
    rounds = SelectionRound.objects.all()
    assert rounds.exists()
    client.force_login(kaia)
    assert client.get("/en/admin/selection/selectionround/").context["cl"].result_count == 0
    client.force_login(users["secretariat"])
    count = client.get("/en/admin/selection/selectionround/").context["cl"].result_count
    assert count == rounds.count()


def test_submitted_content_and_documents_are_read_only(client, users):
    client.force_login(users["secretariat"])
    proposal = Proposal.objects.filter(submissions__isnull=False).first()
    page = client.get(change_url(proposal))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="title"' not in body and 'type="file"' not in body
    assert client.post(change_url(proposal), {"title": "Changed by hand"}).status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).title == proposal.title
    document = proposal.documents.first()
    assert 'type="file"' not in client.get(change_url(document)).content.decode()
    assert client.post(f"/en/admin/applications/document/{document.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()
    assert client.get("/en/admin/applications/document/add/").status_code == 403


def test_records_cannot_be_deleted_even_by_a_superuser(client, users):
    root = User.objects.create_superuser("root", "root@example.org", "pw-root-123")
    event = ProposalEvent.objects.first()
    evaluation_event = EvaluationEvent.objects.first()
    for who in (users["secretariat"], root):
        client.force_login(who)
        for obj in (event, evaluation_event):
            meta = obj._meta
            response = client.post(f"/en/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/delete/",
                                   {"post": "yes"})
            assert response.status_code == 403, (who, meta.model_name)
    assert ProposalEvent.objects.filter(pk=event.pk).exists()
    assert not users["secretariat"].has_perm("applications.delete_proposalevent")


def test_the_audit_trail_is_not_in_the_administration(client, users):
    client.force_login(users["secretariat"])
    assert client.get("/en/admin/core/auditentry/").status_code == 404


def test_roles_and_flags_are_not_edited_on_the_user_form(client, users):
    staff, partner = users["secretariat"], users["partner"]
    client.force_login(staff)
    url = change_url(partner)
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    body = client.get(url).content.decode()
    for field in ("role", "is_staff", "is_superuser", "is_active", "groups",
                  "user_permissions"):
        assert f'name="{field}"' not in body, field
    assert 'id="role-link"' in body
    response = client.post(url, {
        "username": partner.username, "first_name": "Dewi", "last_name": "Lestari",
        "email": partner.email, "organisation": partner.organisation_id,
        "preferred_language": "en", "role": Role.SECRETARIAT, "is_staff": "on",
        "is_superuser": "on", "groups": [Group.objects.get(name="Secretariat").pk],
    })
    assert response.status_code == 302
    fresh = User.objects.get(pk=partner.pk)
    assert (fresh.role, fresh.is_staff, fresh.is_superuser, fresh.groups.count()) == (
        Role.APPLICANT, False, False, 0)
    assert not AuditEntry.objects.filter(object_type="accounts.user", pk__gt=last,
                                         object_id=str(partner.pk)).exists()


def test_the_role_page_calls_the_audited_service(client, users):
    staff, partner = users["secretariat"], users["partner"]
    url = f"/en/admin/accounts/user/{partner.pk}/role/"
    client.force_login(users["gov-applicant"])
    assert client.get(url).status_code == 302  # to the administration's log-in
    client.force_login(staff)
    assert client.get(url).status_code == 200
    response = client.post(url, {"role": Role.EVALUATOR, "is_active": "on",
                                 "is_superuser": "on"}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    fresh = User.objects.get(pk=partner.pk)
    assert (fresh.role, fresh.is_superuser) == (Role.EVALUATOR, False)  # not a superuser
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(partner.pk),
                                   action=AuditAction.ROLE, actor=staff)
    assert (entry.actor, entry.ip, entry.from_value, entry.to_value) == (
        staff, "203.0.113.7", Role.APPLICANT, Role.EVALUATOR)
    # one's own role is not changed, not even here
    body = client.post(f"/en/admin/accounts/user/{staff.pk}/role/",
                       {"role": Role.APPLICANT, "is_active": "on"}).content.decode()
    assert "You cannot change your own role or access." in body
    assert User.objects.get(pk=staff.pk).role == Role.SECRETARIAT


def test_verification_only_through_the_audited_action(client, users):
    org = Organisation.objects.create(kind=OrgKind.FOREIGN_GOVERNMENT, name="Admin City",
                                      country="TH", gov_level="local")
    client.force_login(users["secretariat"])
    body = client.get(change_url(org)).content.decode()
    assert 'name="verified_at' not in body
    client.post(change_url(org), {"kind": org.kind, "name": org.name, "country": "TH",
                                  "gov_level": "local", "verified_at_0": "2030-01-01",
                                  "verified_at_1": "10:00:00"})
    assert Organisation.objects.get(pk=org.pk).verified_at is None
    response = client.post("/en/admin/accounts/organisation/", {
        "action": "verify_selected", "_selected_action": [org.pk]},
        REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 302
    assert Organisation.objects.get(pk=org.pk).verified_at is not None
    entry = AuditEntry.objects.get(object_type="accounts.organisation", object_id=str(org.pk))
    assert (entry.action, entry.actor, entry.ip) == (
        AuditAction.VERIFICATION, users["secretariat"], "203.0.113.8")


def test_group_permissions_are_read_only(client, users):
    group = Group.objects.get(name="Secretariat")
    client.force_login(User.objects.create_superuser("root2", "r2@example.org", "pw-root-123"))
    assert client.post(change_url(group), {"name": "Secretariat",
                                           "permissions": []}).status_code == 403
    assert group.permissions.exists()
    assert client.get("/en/admin/auth/group/add/").status_code == 403


def test_a_unit_changes_only_its_own_tracks_and_molit_the_cycles(client, kaia, users):
    plan = Track.objects.get(cycle__year=2028, code="PLAN")
    demo = Track.objects.get(cycle__year=2028, code="DEMO")
    cycle = Cycle.objects.get(year=2028)
    client.force_login(kaia)
    assert client.post(change_url(plan), {"name_en": "Changed"}).status_code == 403
    assert 'name="name_en"' in client.get(change_url(demo)).content.decode()
    assert client.post(change_url(cycle), {"title_en": "Changed"}).status_code == 403
    client.force_login(users["secretariat"])
    assert 'name="title_en"' in client.get(change_url(cycle)).content.decode()
