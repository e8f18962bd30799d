"""A small world for the delivery tests (built without the demo, so transactional and
browser tests can make it too): a planning track run by KIND, a host city's proposal made a
project in progress with a contractor, and the people of each side."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from kcity.accounts.models import Organisation, OrgKind, Role, SecretariatUnit, User
from kcity.applications.demo import DEMO_PDF
from kcity.applications.models import Proposal
from kcity.portfolio.models import SelectedProject
from kcity.programs.models import Cycle, Track, TrackKind
from kcity.projects.models import Project

PASSWORD = "pw-delivery-123"


def person(username, org, role, **extra):
    return User.objects.create_user(username, f"{username}@example.org", PASSWORD,
                                    organisation=org, role=role, **extra)


def build_world(*, contract_value=400_000_000, award=500_000_000, year=2031) -> dict:
    kind = Organisation.objects.create(kind=OrgKind.SECRETARIAT, name="KIND test",
                                       secretariat_unit=SecretariatUnit.KIND, country="KR")
    kaia = Organisation.objects.create(kind=OrgKind.SECRETARIAT, name="KAIA test",
                                       secretariat_unit=SecretariatUnit.KAIA, country="KR")
    host = Organisation.objects.create(kind=OrgKind.FOREIGN_GOVERNMENT, name="Hue City",
                                       country="VN", gov_level="local")
    contractor = Organisation.objects.create(kind=OrgKind.CONTRACTOR, name="Dasan Plan",
                                             country="KR")
    other_company = Organisation.objects.create(kind=OrgKind.CONTRACTOR, name="Other Eng",
                                                country="KR")
    cycle = Cycle.objects.create(year=year, title_en="Test cycle", title_ko="시험 주기")
    track = Track.objects.create(cycle=cycle, code="PLAN", kind=TrackKind.PLANNING,
                                 name_en="Planning", name_ko="계획",
                                 secretariat=SecretariatUnit.KIND)
    people = {
        "kind": person("d-kind", kind, Role.SECRETARIAT),
        "kaia": person("d-kaia", kaia, Role.SECRETARIAT),
        "host": person("d-host", host, Role.APPLICANT),
        "contractor": person("d-contractor", contractor, Role.CONTRACTOR),
        "other_contractor": person("d-other", other_company, Role.CONTRACTOR),
    }
    proposal = Proposal.objects.create(
        cycle=cycle, track=track, organisation=host, created_by=people["host"],
        title="Hue smart city plan",
        requested_amount=award, matching_funds_amount=0,
    )
    project = Project.objects.create(
        proposal=proposal, deliverable_type="master_plan", award=award,
        contract_value=contract_value, contractor=contractor, state="in_progress",
        planned_start=dt.date(2031, 3, 1), planned_end=dt.date(2031, 12, 31),
        record=SelectedProject.objects.create(
            year=cycle.year, track_kind=track.kind, programme=track.kind, city="Hue",
            country="VN", title=proposal.title),
    )
    return {"project": project, "track": track, **people}


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")
