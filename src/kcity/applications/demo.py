"""Demo proposals: an open 2028 call (from the 2026 configuration) with proposals in every
state, so every applicant and screening screen has content. Idempotent: proposals are found
by title and only missing ones are made; the call's dates move to stay open.

The demo's cycles are future years marked `is_demo` (every public page of them says the data
are made up); the real years carry only the real history."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfWriter

from kcity.accounts.models import User
from kcity.applications import services
from kcity.applications.models import MemberRole, Outcome, Proposal
from kcity.applications.models import ProposalState as S
from kcity.programs import config, lifecycle
from kcity.programs.models import Cycle, CycleStatus

DEMO_YEAR = 2028  # the open call; kcity.selection.demo publishes the results of 2027
BASE_YEAR = 2026  # the demo cycles start from this real cycle's configuration

def blank_pdf(pages: int = 1) -> bytes:
    """A small, valid PDF (A4 blank pages) that the upload checks accept."""
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


DEMO_PDF = blank_pdf()


def demo_cycle(year: int) -> Cycle:
    """The demo cycle of `year` (made from the configuration of BASE_YEAR when missing),
    marked as a demo. A real year is never made a demo."""
    if year <= BASE_YEAR:
        raise ValueError(f"{year} is a real programme year; demo cycles are future years")
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        cycle = config.import_cycle(
            config.export_cycle(Cycle.objects.get(year=BASE_YEAR)), year=year
        )
    if not cycle.is_demo:
        cycle.is_demo = True
        cycle.save(update_fields=["is_demo"])
    return cycle


def set_call_dates(cycle, opens, closes) -> None:
    """The tracks open at `opens` and close at 18:00 KST on the day of `closes` (deadline, or
    cut-off of a year-round track), as the secretariat sets them in the administration."""
    kst = ZoneInfo("Asia/Seoul")
    closes = closes.astimezone(kst).replace(hour=18, minute=0, second=0, microsecond=0)
    for track in cycle.tracks.all():
        track.opens_at = opens
        if track.deadline is not None:
            track.deadline = closes
        if track.cutoff is not None:
            track.cutoff = closes
        track.save(update_fields=["opens_at", "deadline", "cutoff"])


def open_demo_cycle(now=None) -> Cycle:
    now = now or timezone.now()
    cycle = demo_cycle(DEMO_YEAR)
    if cycle.status != CycleStatus.OPEN:
        cycle = lifecycle.transition(cycle, CycleStatus.OPEN, by=User.objects.get(
            username="secretariat"), now=now)
    # Deadlines are announced as 18:00 KST on a day about a month ahead.
    set_call_dates(cycle, now - dt.timedelta(days=1), now + dt.timedelta(days=30))
    return cycle


def _attach_all(proposal, user, now=None):
    for doc in proposal.track.required_documents:
        upload = ContentFile(DEMO_PDF, name=f"{doc['code']}.pdf")
        services.upload_document(proposal=proposal, by=user, code=doc["code"], upload=upload,
                                 now=now)


def _planning(track, user, title, city, now=None, **fields):
    """A planning proposal filled in by `user`; `fields` override the Hai Phong defaults."""
    proposal = services.create_proposal(by=user, track=track, title=title, now=now)
    return services.update_proposal(proposal=proposal, by=user, data=dict({
        "city": city, "country": "VN", "project_type": "urban_regeneration",
        "urban_problem": "traffic",
        "site_and_scale": "Riverside districts, about 1,200 ha.",
        "site_readiness": "Fibre backbone along the main roads; land owned by the city.",
        "national_plan_priority": "Viet Nam's smart city development plan 2018-2025, extended.",
        "korean_company_roles": "Traffic control, flood sensing, integrated operations centre.",
        "requested_amount": 650_000_000, "matching_funds_amount": 150_000_000,
        "matching_funds_evidence": "City council resolution on counterpart funds.",
    }, **fields), now=now)


def _demonstration(track, user, partner_user, title, confirm=True, now=None, **fields):
    """A demonstration proposal of `user`'s company with `partner_user`'s university as the
    site host; `fields` override the Depok defaults."""
    proposal = services.create_proposal(by=user, track=track, title=title, now=now)
    proposal = services.update_proposal(proposal=proposal, by=user, data=dict({
        "city": "Depok", "country": "ID",
        "solution": "AI smart crosswalk with pedestrian detection.",
        "proof_kind": "smart_challenge", "proof_evidence": "Smart Challenge 2023, Siheung.",
        "demonstration_site": "Universitas Indonesia campus gates and Margonda Road.",
        "business_plan": "Pilot, then city-wide roll-out with a local integrator.",
        "market_entry_plan": "West Java cities through the provincial government.",
        "site_readiness": "Power and LTE at each crossing; campus land.",
        "requested_amount": 400_000_000, "matching_cash": 50_000_000,
        "matching_in_kind": 80_000_000,
        "matching_funds_evidence": "Letter of commitment from the university.",
        "budget_labour": 150_000_000, "budget_equipment": 200_000_000, "budget_travel": 50_000_000,
    }, **fields), now=now)
    member = services.invite_member(
        proposal=proposal, by=user, name="Universitas Indonesia", email=partner_user.email,
        role=MemberRole.SITE_HOST, now=now,
    )
    if confirm:
        services.respond_to_invitation(token=member.token, by=partner_user, accept=True, now=now)
    return proposal


def _submit(proposal, user, now=None):
    services.submit_proposal(proposal=proposal, by=user, key=services.new_submit_key(), now=now)


def load_demo_proposals() -> int:
    cycle = open_demo_cycle()
    plan, demo = cycle.tracks.get(code="PLAN"), cycle.tracks.get(code="DEMO")
    gov, company = User.objects.get(username="gov-applicant"), User.objects.get(
        username="company-applicant"
    )
    partner, staff = User.objects.get(username="partner"), User.objects.get(username="secretariat")
    existing = set(Proposal.objects.filter(cycle=cycle).values_list("title", flat=True))

    def want(title):
        return title not in existing

    title = "Hai Phong smart city master plan"
    if want(title):
        p = _planning(plan, gov, title, "Haiphong")
        services.submit_concept_note(proposal=p, by=gov,
                                     text="A master plan for the riverside districts.")
        services.decide_pre_consultation(pre_consultation=p.latest_pre_consultation(), by=staff,
                                         outcome=Outcome.INVITE)
        _attach_all(p, gov)
        _submit(p, gov)
    title = "Cat Hai island resilience study"
    if want(title):
        p = _planning(plan, gov, title, "Cat Hai")
        services.withdraw(proposal=p, by=gov, reason="Merged into the master plan proposal.")
    title = "Smart crosswalks for Depok (draft)"
    if want(title):
        _demonstration(demo, company, partner, title, confirm=False)
    steps = [
        ("Smart crosswalks for Depok", []),
        ("Smart parking for Jakarta", [(S.RETURNED, "Attach the signed letter of intent.")]),
        ("AI bus priority for Bandung", [(S.ELIGIBLE, "")]),
        ("Drone delivery for Bogor", [(S.INELIGIBLE, "The solution has no proof in Korea.")]),
    ]
    for title, moves in steps:
        if not want(title):
            continue
        p = _demonstration(demo, company, partner, title)
        _attach_all(p, company)
        _submit(p, company)
        for to_state, reason in moves:
            if to_state == S.ELIGIBLE:
                services.save_checklist(proposal=p, by=staff, ticked={"loi_signed",
                                                                      "proof_credible",
                                                   "budget_consistent"})
            p = services.screen(proposal=p, by=staff, decision=to_state, reason=reason)
    return Proposal.objects.filter(cycle=cycle).count()
