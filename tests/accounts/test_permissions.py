from django.contrib.auth.models import AnonymousUser

from kcity import permissions
from kcity.accounts.models import User
from kcity.programs.models import Cycle, CycleStatus, Track


def user(name) -> User:
    return User.objects.get(username=name)


def test_roles(demo):
    assert permissions.is_secretariat(user("secretariat"))
    assert not permissions.is_secretariat(user("gov-applicant"))
    assert not permissions.is_secretariat(AnonymousUser())
    assert permissions.is_applicant(user("company-applicant"))
    assert permissions.is_evaluator(user("evaluator"))
    assert permissions.is_contractor(user("contractor"))


def test_inactive_user_has_no_rights(demo):
    staff = user("secretariat")
    staff.is_active = False
    assert not permissions.is_secretariat(staff)
    assert not permissions.can_use_admin(staff)


def test_kind_manages_planning_kaia_demonstration_molit_both(demo):
    from kcity.accounts.models import Organisation, Role

    plan = Track.objects.get(cycle__year=2024, code="PLAN")
    demo_track = Track.objects.get(cycle__year=2024, code="DEMO")
    kind = User.objects.create(
        username="kind-staff", role=Role.SECRETARIAT,
        organisation=Organisation.objects.get(secretariat_unit="KIND"),
    )
    kaia = User.objects.create(
        username="kaia-staff", role=Role.SECRETARIAT,
        organisation=Organisation.objects.get(secretariat_unit="KAIA"),
    )
    assert permissions.can_manage_track(kind, plan)
    assert not permissions.can_manage_track(kind, demo_track)
    assert permissions.can_manage_track(kaia, demo_track)
    assert not permissions.can_manage_track(kaia, plan)
    molit = user("secretariat")
    assert permissions.can_manage_track(molit, plan) and permissions.can_manage_track(
        molit, demo_track
    )
    assert not permissions.can_manage_track(user("gov-applicant"), plan)


def test_draft_cycles_are_hidden_from_the_public(demo):
    Cycle.objects.filter(year=2026).update(status=CycleStatus.DRAFT)
    assert 2026 not in permissions.visible_cycles(AnonymousUser()).values_list("year", flat=True)
    assert 2026 not in permissions.visible_cycles(user("gov-applicant")).values_list(
        "year", flat=True
    )
    assert 2026 in permissions.visible_cycles(user("secretariat")).values_list("year", flat=True)
    assert not permissions.visible_tracks(AnonymousUser()).filter(cycle__year=2026).exists()
