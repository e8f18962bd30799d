"""Django fixtures of the selection app tests (imported by the test modules: the engine's
conftest beside them stays free of Django)."""

import pytest
from django.utils import translation

from evaluated_world import evaluated_directly


@pytest.fixture
def world(db, settings, tmp_path):
    """The 2025 and 2026 cycles, the demo accounts and the 2025 evaluated proposals."""
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
def round(staff, cycle):
    from kcity.selection import services

    return services.create_round(by=staff, cycle=cycle, budget=4_200_000_000, max_per_country=2,
                                 bonus_matching_funds=2, bonus_prior_planning=1)


def scenario_of(round, policy):
    return round.scenarios.filter(policy=policy).order_by("pk").first()
