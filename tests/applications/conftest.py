"""Fixtures for proposal tests: the demo (with its open 2028 call) and ready proposals."""

import pytest
from django.utils import translation

from kcity.accounts.models import Organisation, OrgKind, PartnerType, Role, User
from kcity.applications import services
from kcity.applications.demo import _attach_all, _demonstration, _planning
from kcity.applications.models import Outcome
from kcity.programs.models import Track


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def english():
    """Service messages are checked in English; a Korean page request leaves Korean active."""
    with translation.override("en"):
        yield


@pytest.fixture
def users(demo):
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def plan_track(demo):
    return Track.objects.get(cycle__year=2028, code="PLAN")


@pytest.fixture
def demo_track(demo):
    return Track.objects.get(cycle__year=2028, code="DEMO")




@pytest.fixture
def ready_demo(demo_track, users):
    """A complete demonstration proposal by Hanbit with a confirmed university partner."""
    p = _demonstration(demo_track, users["company-applicant"], users["partner"], "Test crosswalk")
    _attach_all(p, users["company-applicant"])
    return p


@pytest.fixture
def ready_plan(plan_track, users):
    """A complete planning proposal for Da Nang by Hai Phong's account, invited."""
    gov = users["gov-applicant"]
    p = _planning(plan_track, gov, "Da Nang plan", "Da Nang")
    services.submit_concept_note(proposal=p, by=gov, text="Concept.")
    services.decide_pre_consultation(pre_consultation=p.latest_pre_consultation(),
                                     by=users["secretariat"],
                                     outcome=Outcome.INVITE)
    _attach_all(p, gov)
    return p


@pytest.fixture
def stranger(demo):
    org = Organisation.objects.create(
        kind=OrgKind.FOREIGN_GOVERNMENT, name="Another City", country="TH", gov_level="local",
    )
    return User.objects.create_user("stranger", "s@example.org", "pw-stranger-1",
                                    organisation=org, role=Role.APPLICANT)


@pytest.fixture
def foreign_company(demo):
    org = Organisation.objects.create(
        kind=OrgKind.PARTNER, name="PT Private Tech", country="ID",
        partner_type=PartnerType.PRIVATE_COMPANY,
    )
    return User.objects.create_user("pt-user", "pt@example.org", "pw-private-1",
                                    organisation=org, role=Role.APPLICANT)


@pytest.fixture
def kind_staff(demo):
    org = Organisation.objects.get(secretariat_unit="KIND")
    return User.objects.create_user("kind-staff", "kind@example.org", "pw-kind-123",
                                    organisation=org, role=Role.SECRETARIAT)
