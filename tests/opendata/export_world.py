"""A portfolio for the export tests: the shipped history, the delivery world's planning
project (contracted, two payments and a follow-on), a demonstration project without a
contractor yet, a demo cycle's project, and a proposal of another organisation that the
host's people must never see."""

import datetime as dt

from delivery_world import build_world, person
from kcity.accounts.models import Organisation, OrgKind, Role
from kcity.applications.models import Proposal
from kcity.portfolio.models import SelectedProject
from kcity.programs.models import Cycle, Track, TrackKind
from kcity.projects.models import Deliverable, FollowOn, Payment, Project
from kcity.site.demo import load_history

NOW = dt.datetime(2031, 9, 1, 3, 0, tzinfo=dt.UTC)
PAYMENTS = (150_000_000, 100_000_000)


def build_portfolio() -> dict:
    history = load_history()
    world = build_world()
    project = world["project"]
    project.contractor.business_registration_number = "123-45-67890"
    project.contractor.save(update_fields=["business_registration_number"])
    Project.objects.filter(pk=project.pk).update(started_at=dt.datetime(2031, 3, 2, tzinfo=dt.UTC))
    deliverable = Deliverable.objects.create(
        project=project, kind="master_plan", title_en="Master plan", title_ko="마스터플랜",
        due_on=dt.date(2031, 6, 1), state="accepted", accepted_at=NOW, created_by=world["kind"])
    for n, amount in enumerate(PAYMENTS):
        Payment.objects.create(project=project, deliverable=deliverable, amount=amount,
                               paid_on=dt.date(2031, 6 + n, 15), recorded_by=world["kind"],
                               recorded_at=NOW)
    FollowOn.objects.create(project=project, kind="mdb_investment", amount=2_000_000_000,
                            on=dt.date(2031, 8, 1), partners="ADB")

    track = world["track"]
    demo_track = Track.objects.create(cycle=track.cycle, code="DEMO", kind=TrackKind.DEMONSTRATION,
                                      name_en="Demonstration", name_ko="실증",
                                      secretariat="KAIA")
    company = Organisation.objects.create(kind=OrgKind.KOREAN_COMPANY, name="Hanbit Mobility",
                                          country="KR")
    stranger = person("x-applicant", company, Role.APPLICANT)
    demonstration = _project(demo_track, company, stranger, "Bandung smart parking",
                             "Bandung", "ID", award=900_000_000)
    demo_cycle = Cycle.objects.create(year=2032, title_en="Demo cycle", title_ko="데모 주기",
                                      is_demo=True)
    demo_plan = Track.objects.create(cycle=demo_cycle, code="PLAN", kind=TrackKind.PLANNING,
                                     name_en="Planning", name_ko="계획", secretariat="KIND")
    made_up = _project(demo_plan, world["project"].proposal.organisation, world["host"],
                       "Made-up plan", "Dalat", "VN", award=300_000_000)
    return {**world, "history": history, "demonstration": demonstration, "made_up": made_up,
            "stranger": stranger, "company": company}


def _project(track, org, by, title, city, country, *, award):
    proposal = Proposal.objects.create(cycle=track.cycle, track=track, organisation=org,
                                       created_by=by, title=title, city=city, country=country,
                                       requested_amount=award, matching_funds_amount=0)
    return Project.objects.create(
        proposal=proposal, deliverable_type="master_plan", award=award,
        planned_start=dt.date(track.cycle.year, 4, 1), planned_end=dt.date(track.cycle.year, 12, 1),
        record=SelectedProject.objects.create(year=track.cycle.year, track_kind=track.kind,
                                              programme=track.kind, city=city, country=country,
                                              title=title))
