"""The audit trail (kcity.core.models.AuditEntry): append-only in Python and, on PostgreSQL,
in the database; every kind of decision writes its entry with who, when, what object, from,
to and the client's address."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from delivery_world import build_world, pdf
from kcity.accounts import services as accounts
from kcity.accounts.models import Organisation, OrgKind, Role, User
from kcity.applications import lifecycle
from kcity.applications import services as applications
from kcity.applications.demo import _attach_all, _demonstration
from kcity.applications.models import Proposal
from kcity.applications.models import ProposalState as S
from kcity.core import audit
from kcity.core.errors import Refused
from kcity.core.models import AppendOnly, AuditAction, AuditEntry
from kcity.evaluation import services as evaluation
from kcity.evaluation.models import ExpertProfile, Panel
from kcity.programs import lifecycle as cycle_lifecycle
from kcity.programs.models import Cycle, CycleStatus, Track
from kcity.projects import delivery

BANDUNG = "AI bus priority for Bandung"
SURABAYA = "Smart streetlights for Surabaya"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def ready_demo(demo, users):
    track = Track.objects.get(cycle__year=2028, code="DEMO")
    p = _demonstration(track, users["company-applicant"], users["partner"], "Audited crossing")
    _attach_all(p, users["company-applicant"])
    return p


def entries_for(obj, action=None):
    qs = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return qs.filter(action=action) if action else qs


# ---- append-only --------------------------------------------------------------------------


def _entry(users):
    return audit.record(action=AuditAction.ROLE, obj=users["partner"], by=users["secretariat"],
                        frm="applicant", to="evaluator")


def test_an_entry_cannot_be_saved_again_or_deleted(users):
    entry = _entry(users)
    entry.to_value = "secretariat"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(to_value="secretariat")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.from_value, stored.to_value) == ("applicant", "evaluator")


def test_no_add_change_or_delete_permission_exists_and_the_admin_does_not_offer_it(db):
    codenames = set(Permission.objects.filter(
        content_type__app_label="core", content_type__model="auditentry",
    ).values_list("codename", flat=True))
    assert codenames == {"view_auditentry"}
    assert not admin.site.is_registered(AuditEntry)


def test_a_user_named_in_the_trail_cannot_be_deleted(users):
    entry = _entry(users)
    with pytest.raises(Exception, match="protected"):
        users["secretariat"].delete()
    assert AuditEntry.objects.filter(pk=entry.pk, actor=users["secretariat"]).exists()


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_whoever_sends_them(users):
    entry = _entry(users)
    for sql in ("UPDATE core_auditentry SET to_value = 'x' WHERE id = %s",
                "DELETE FROM core_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.to_value == "evaluator"
    with connection.cursor() as cursor:  # adding still works
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = "
                       "'core_auditentry_append_only'")
        assert cursor.fetchone()[0] == 1


def test_a_rolled_back_change_leaves_no_entry(users, ready_demo):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        lifecycle.transition(ready_demo, S.SUBMITTED, by=users["company-applicant"])
        raise RuntimeError("rolled back")
    assert AuditEntry.objects.count() == before
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.DRAFT


# ---- what is recorded ---------------------------------------------------------------------


def test_every_lifecycle_move_is_audited_with_its_unit(users, ready_demo):
    applications.submit_proposal(proposal=ready_demo, by=users["company-applicant"],
                                 key=applications.new_submit_key())
    entry = entries_for(ready_demo, AuditAction.STATE_CHANGE).get()
    assert (entry.actor, entry.actor_name, entry.from_value, entry.to_value, entry.scope) == (
        users["company-applicant"], "company-applicant", S.DRAFT, S.SUBMITTED, "KAIA")
    assert entry.ip is None  # no request: no address

    cycle = Cycle.objects.get(year=2028)
    cycle_lifecycle.transition(cycle, CycleStatus.CLOSED, by=users["secretariat"])
    moved = entries_for(cycle, AuditAction.STATE_CHANGE).get(to_value=CycleStatus.CLOSED)
    assert (moved.actor_name, moved.from_value, moved.to_value, moved.scope) == (
        "secretariat", CycleStatus.OPEN, CycleStatus.CLOSED, "")


def test_the_demo_leaves_every_kind_of_decision_in_the_trail(demo):
    kinds = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditAction.STATE_CHANGE, AuditAction.SCORE, AuditAction.CONFLICT,
            AuditAction.PANEL, AuditAction.SELECTION, AuditAction.ROLE} <= kinds
    published = AuditEntry.objects.filter(action=AuditAction.SELECTION,
                                          detail__event="published")
    assert published.exists() and published.first().actor_name == "secretariat"


def test_scores_and_conflict_declarations_are_audited(users):
    panel = Panel.objects.get(track__cycle__year=2028, track__code="DEMO", stage="presentation")
    bandung = Proposal.objects.get(title=BANDUNG)
    evaluator = users["evaluator"]
    entries = {c.code: (str(c.weight * Decimal("0.8")), "") for c in panel.track.criteria.all()}
    evaluation.save_sheet(by=evaluator, panel=panel, proposal=bandung, entries=entries)
    code = next(iter(entries))
    entries[code] = (str(Decimal(entries[code][0]) - 1), "")
    evaluation.save_sheet(by=evaluator, panel=panel, proposal=bandung, entries=entries)
    changed = entries_for(bandung, AuditAction.SCORE).filter(detail__event="score_changed").get()
    assert changed.actor == evaluator and changed.scope == "KAIA"
    assert Decimal(changed.to_value) == Decimal(changed.from_value) - 1
    assert changed.detail["criterion"] == code and changed.detail["panel"] == panel.pk

    surabaya = Proposal.objects.get(title=SURABAYA)  # declared no conflict in the demo
    before = entries_for(surabaya, AuditAction.CONFLICT).count()
    evaluation.declare(by=evaluator, proposal=surabaya, has_conflict=True,
                       reason="My brother runs the company.")
    declared = entries_for(surabaya, AuditAction.CONFLICT).order_by("-pk")
    assert declared.count() == before + 1
    assert (declared[0].actor, declared[0].to_value, declared[0].scope) == (
        evaluator, "conflict_declared", "KAIA")
    assert declared[0].detail["reason"] == "My brother runs the company."


def test_panel_member_replacement_is_audited(users):
    panel = Panel.objects.get(track__cycle__year=2028, track__code="DEMO", stage="presentation")
    member = panel.members.get(evaluator__username="expert-finance")
    fresh = User.objects.create_user("fresh", "f@example.org", "x-pass-123", role=Role.EVALUATOR,
                                     organisation=users["evaluator"].organisation)
    ExpertProfile.objects.create(user=fresh, fields=["finance"])
    new = evaluation.replace_member(by=users["secretariat"], member=member, reason="Ill", seed=1)
    assert new.evaluator == fresh
    entry = entries_for(panel, AuditAction.PANEL).filter(detail__event="member_replaced").get()
    assert (entry.from_value, entry.to_value) == (str(member.evaluator_id),
                                                  str(new.evaluator_id))
    assert entry.actor == users["secretariat"] and entry.detail["reason"] == "Ill"


def test_checklist_ticks_are_audited(users, ready_demo):
    staff = users["secretariat"]
    applications.submit_proposal(proposal=ready_demo, by=users["company-applicant"],
                                 key=applications.new_submit_key())
    applications.save_checklist(proposal=ready_demo, by=staff, ticked={"loi_signed"})
    applications.save_checklist(proposal=ready_demo, by=staff,
                                ticked={"proof_credible"})
    ticks = list(entries_for(ready_demo, AuditAction.CHECKLIST).order_by("pk").values_list(
        "detail__item", "from_value", "to_value", "actor_name"))
    assert ticks == [
        ("loi_signed", "", "ticked", "secretariat"),
        ("loi_signed", "ticked", "", "secretariat"),
        ("proof_credible", "", "ticked", "secretariat"),
    ]


def test_organisation_verification_is_audited(users):
    org = Organisation.objects.create(kind=OrgKind.FOREIGN_GOVERNMENT, name="Audit City",
                                      country="TH", gov_level="local")
    with pytest.raises(PermissionError):
        accounts.verify_organisation(organisation=org, by=users["gov-applicant"])
    assert not entries_for(org).exists()
    verified = accounts.verify_organisation(organisation=org, by=users["secretariat"])
    entry = entries_for(org, AuditAction.VERIFICATION).get()
    assert entry.actor == users["secretariat"] and entry.from_value == ""
    assert entry.to_value == verified.verified_at.isoformat()
    accounts.verify_organisation(organisation=org, by=users["secretariat"])  # already: no-op
    assert entries_for(org, AuditAction.VERIFICATION).count() == 1


def test_role_and_permission_changes_go_through_the_service_and_are_audited(users):
    staff, partner = users["secretariat"], users["partner"]
    with pytest.raises(Refused):
        accounts.set_role(account=partner, by=users["gov-applicant"], role=Role.EVALUATOR)
    with pytest.raises(Refused):
        accounts.set_role(account=staff, by=staff, role=Role.APPLICANT)
    with pytest.raises(Refused, match="superuser"):
        accounts.set_role(account=partner, by=staff, role=Role.APPLICANT, is_superuser=True)
    assert not entries_for(partner).filter(actor=staff).exists()

    group = Group.objects.get(name="Secretariat")
    accounts.set_role(account=partner, by=staff, role=Role.EVALUATOR, is_staff=True,
                      groups=[group])
    rows = set(entries_for(partner).filter(actor=staff).values_list(
        "action", "detail__field", "from_value", "to_value"))
    assert rows == {
        (AuditAction.ROLE, "role", Role.APPLICANT, Role.EVALUATOR),
        (AuditAction.ROLE, "is_staff", "False", "True"),
        (AuditAction.PERMISSION, "user_groups", "", "Secretariat"),
    }
    assert User.objects.get(pk=partner.pk).role == Role.EVALUATOR


def test_a_change_made_outside_the_service_is_still_recorded(users):
    partner = users["partner"]
    partner.is_superuser = True
    partner.save()
    entry = entries_for(partner, AuditAction.PERMISSION).get(detail__field="is_superuser")
    assert (entry.from_value, entry.to_value, entry.actor) == ("False", "True", None)
    group = Group.objects.create(name="Auditors")
    group.permissions.add(Permission.objects.get(codename="view_auditentry"))
    granted = entries_for(group, AuditAction.PERMISSION).get()
    assert "view audit entry" in granted.to_value.lower()


def test_a_download_is_audited_with_the_address_the_trusted_proxy_saw(client, settings, users,
                                                                       ready_demo):
    settings.KCITY_TRUSTED_PROXIES = 1
    document = ready_demo.documents.first()
    client.force_login(users["company-applicant"])
    response = client.get(f"/en/proposals/{ready_demo.pk}/documents/{document.pk}/",
                          REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert response.status_code == 200
    entry = entries_for(document, AuditAction.DOWNLOAD).get()
    assert (entry.actor_name, entry.ip, entry.scope) == (
        "company-applicant", "198.51.100.9", "KAIA")
    assert entry.detail["proposal"] == ready_demo.pk

    settings.KCITY_TRUSTED_PROXIES = 0  # the header is ignored: anyone can send it
    client.get(f"/en/proposals/{ready_demo.pk}/documents/{document.pk}/",
               REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert entries_for(document, AuditAction.DOWNLOAD).order_by("-pk")[0].ip == "10.0.0.2"


def test_a_stranger_refused_a_download_leaves_no_download_entry(client, users, ready_demo):
    document = ready_demo.documents.first()
    client.force_login(users["gov-applicant"])
    assert client.get(
        f"/en/proposals/{ready_demo.pk}/documents/{document.pk}/").status_code == 404
    assert not entries_for(document, AuditAction.DOWNLOAD).exists()


def test_the_demo_secretariat_group_cannot_change_or_delete_records(demo):
    group = Group.objects.get(name="Secretariat")
    codenames = set(group.permissions.values_list("content_type__model", "codename"))
    for model in ("proposalevent", "evaluationevent", "selectionevent", "cycleevent",
                  "projectevent", "tenderevent", "deliverableevent", "submission",
                  "auditentry"):
        for verb in ("add", "change", "delete"):
            assert (model, f"{verb}_{model}") not in codenames
    assert ("auditentry", "view_auditentry") in codenames
    assert ("proposalevent", "view_proposalevent") in codenames
    secretariat = User.objects.get(username="secretariat")
    assert not secretariat.has_perm("applications.delete_proposalevent")
    assert not secretariat.has_perm("core.delete_auditentry")


def test_the_panel_score_export_is_an_audited_download(client, users):
    panel = Panel.objects.get(track__cycle__year=2028, track__code="DEMO", stage="presentation")
    client.force_login(users["secretariat"])
    assert client.get(f"/en/evaluation/panels/{panel.pk}/export.csv",
                      REMOTE_ADDR="192.0.2.44").status_code == 200
    entry = entries_for(panel, AuditAction.DOWNLOAD).get()
    assert (entry.actor_name, entry.ip, entry.detail["export"]) == (
        "secretariat", "192.0.2.44", "scores.csv")


def test_a_deliverable_download_and_its_review_are_audited(client, db):
    world = build_world()
    d = delivery.add_deliverable(project=world["project"], by=world["kind"], kind="master_plan",
                                 title_en="Master plan", title_ko="마스터플랜",
                                 due_on=dt.date(2031, 5, 1))
    s = delivery.submit_deliverable(deliverable=d, by=world["contractor"], upload=pdf(),
                                    note="Draft")
    moved = entries_for(d, AuditAction.STATE_CHANGE).get()
    assert (moved.actor_name, moved.scope) == ("d-contractor", "KIND")
    client.force_login(world["host"])
    response = client.get(reverse("delivery:download", args=[s.pk]), REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 200
    entry = entries_for(s, AuditAction.DOWNLOAD).get()
    assert (entry.actor_name, entry.ip, entry.scope, entry.detail["deliverable"]) == (
        "d-host", "192.0.2.9", "KIND", d.pk)
