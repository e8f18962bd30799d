"""Fixtures of the projects tests: the 2025 cycle evaluated, its round published (so its
selected proposals have projects), the demo accounts and one user per secretariat unit."""

import pytest
from django.utils import timezone, translation

from evaluated_world import evaluated_directly
from kcity.accounts.models import Organisation, OrgKind, Role, SecretariatUnit, User


@pytest.fixture
def world(db, settings, tmp_path):
    from kcity.programs.models import Cycle
    from kcity.site.demo import load_accounts, load_cycles

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_cycles((2025, 2026))
    users = load_accounts()
    evaluated_directly(Cycle.objects.get(year=2025))
    with translation.override("en"):
        yield users


@pytest.fixture
def staff(world):
    return world["secretariat"]


@pytest.fixture
def cycle(world):
    from kcity.programs.models import Cycle

    return Cycle.objects.get(year=2025)


@pytest.fixture
def published(staff, cycle, django_capture_on_commit_callbacks):
    """The 2025 round, its max-merit scenario approved and published."""
    from kcity.selection import services

    round = services.create_round(by=staff, cycle=cycle, budget=4_200_000_000, max_per_country=2,
                                  bonus_matching_funds=2, bonus_prior_planning=1)
    scenario = round.scenarios.filter(policy="max_merit").order_by("pk").first()
    services.approve_scenario(by=staff, scenario=scenario, explain=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(by=staff, round=round)
    round.refresh_from_db()
    return round


def unit_user(username, unit) -> User:
    org = Organisation.objects.create(kind=OrgKind.SECRETARIAT, name=f"{unit} secretariat",
                                      secretariat_unit=unit, country="KR",
                                      verified_at=timezone.now())
    return User.objects.create_user(username=username, password="x", role=Role.SECRETARIAT,
                                    organisation=org, email=f"{username}@example.org")


@pytest.fixture
def kind_user(world):
    return unit_user("kind-staff", SecretariatUnit.KIND)


@pytest.fixture
def kaia_user(world):
    return unit_user("kaia-staff", SecretariatUnit.KAIA)
