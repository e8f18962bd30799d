"""Fixtures for evaluation tests: the demo (open presentation panel, closed paper panel)."""

import pytest
from django.utils import translation

from kcity.accounts.models import Organisation, OrgKind, Role, User
from kcity.evaluation.models import ExpertProfile, Panel
from kcity.site.demo import DEMO_PASSWORD


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def users(demo):
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def open_panel(demo):
    return Panel.objects.get(track__cycle__year=2028, track__code="DEMO", stage="presentation")


@pytest.fixture
def closed_panel(demo):
    return Panel.objects.get(track__cycle__year=2028, track__code="DEMO", stage="paper_review")


@pytest.fixture
def outsider(demo):
    """An evaluator in the pool who sits on no panel."""
    org = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="Outside Institute",
                                      country="KR")
    user = User.objects.create_user("outsider", "o@example.org", DEMO_PASSWORD,
                                    organisation=org, role=Role.EVALUATOR)
    ExpertProfile.objects.create(user=user, fields=["energy"])
    return user
