"""Demo projects: the 2027 demo cycle's selected proposals got their projects when the
selection demo step published the round (`kcity.selection.services.publish`); this step
moves them through the services a secretariat uses:

* one waiting for signatures (its cooperation framework partly signed);
* one in progress (framework signed by every party; the demo `contractor` account's
  organisation holds its contract, so that account sees it);
* one completed, rated good, that led to a demonstration proposal of the 2028 demo call
  (a `FollowOn`, which earns that proposal the prior-planning bonus).

It finds what exists and makes only what is missing, so the demo loads again safely.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from kcity.accounts.models import Organisation, SecretariatUnit, User
from kcity.applications.demo import DEMO_PDF
from kcity.applications.models import Proposal
from kcity.programs.models import TrackKind
from kcity.projects import lifecycle, services
from kcity.projects.models import (
    FollowOnKind,
    PartyRole,
    Project,
    ResultRating,
    Training,
)
from kcity.projects.models import ProjectState as P

RESULTS_YEAR = 2027
NEXT_YEAR = 2028


def _parties(project, staff) -> list:
    """MOLIT, the host government, the secretariat, the Korean contractor."""
    if not project.framework_parties.exists():
        molit = Organisation.objects.filter(secretariat_unit=SecretariatUnit.MOLIT).first()
        unit = SecretariatUnit.KIND if project.proposal.track.kind == TrackKind.PLANNING \
            else SecretariatUnit.KAIA
        secretariat = Organisation.objects.filter(secretariat_unit=unit).first()
        for role, org, name in (
            (PartyRole.MOLIT, molit, "Ministry of Land, Infrastructure and Transport"),
            (PartyRole.HOST_GOVERNMENT, project.proposal.organisation, ""),
            (PartyRole.SECRETARIAT, secretariat, unit.upper()),
            (PartyRole.KOREAN_COMPANY, project.contractor, "Korean contractor"),
        ):
            services.add_party(project=project, by=staff, role=role, organisation=org,
                               name="" if org else name)
    return list(project.framework_parties.order_by("pk"))


def _sign(project, staff, parties, today) -> None:
    for party in parties:
        if not party.signed:
            services.sign_party(party=party, by=staff, signed_on=today,
                                upload=ContentFile(DEMO_PDF, name="framework.pdf"))


def load_demo_projects() -> dict:
    staff = User.objects.get(username="secretariat")
    contractor = User.objects.get(username="contractor").organisation
    projects = list(Project.objects.filter(proposal__cycle__year=RESULTS_YEAR)
                    .select_related("proposal__track").order_by("pk"))
    planning = [p for p in projects if p.proposal.track.kind == TrackKind.PLANNING]
    others = [p for p in projects if p not in planning]
    if len(projects) < 3 or not planning:
        return {"projects": len(projects)}
    done, running, waiting = planning[0], (planning[1:] + others)[0], (planning[1:] + others)[1]
    now = timezone.now()
    today = timezone.localdate(now)

    # Waiting for signatures: two of its parties have signed.
    if waiting.state == P.AGREEMENT_PENDING:
        parties = _parties(waiting, staff)
        _sign(waiting, staff, parties[:2], today)

    # In progress: the demo contractor holds the contract, every party signed.
    if running.contractor_id is None:
        running = services.set_contractor(project=running, by=staff, contractor=contractor,
                                          contract_value=running.award * 95 // 100)
    if running.state == P.AGREEMENT_PENDING:
        _sign(running, staff, _parties(running, staff), today)
        running = lifecycle.transition(running, P.IN_PROGRESS, by=staff, now=now)
    if not running.trainings.exists():
        services.record_training(
            project=running, by=staff, kind=Training.Kind.TRAINING,
            title="Smart city invitation training", starts_on=today - dt.timedelta(days=20),
            ends_on=today - dt.timedelta(days=16), place="Sejong", participants=12,
            cost_shares={PartyRole.MOLIT: 30_000_000, PartyRole.HOST_GOVERNMENT: 5_000_000})

    # Completed, rated good, leading to a demonstration proposal of the 2028 call.
    if done.state == P.AGREEMENT_PENDING:
        if done.contractor_id is None:
            done = services.set_contractor(project=done, by=staff, contractor=contractor,
                                           contract_value=done.award)
        _sign(done, staff, _parties(done, staff), today)
        done = lifecycle.transition(done, P.IN_PROGRESS, by=staff, now=now)
    if done.state == P.IN_PROGRESS:
        done = lifecycle.transition(done, P.COMPLETED, by=staff, now=now,
                                    rating=ResultRating.GOOD)
    follow = (Proposal.objects.filter(cycle__year=NEXT_YEAR, track__kind=TrackKind.DEMONSTRATION)
              .order_by("pk").first())
    if follow is not None and not done.follow_ons.filter(proposal=follow).exists():
        services.record_follow_on(project=done, by=staff,
                                  kind=FollowOnKind.DEMONSTRATION_PROPOSAL, proposal=follow,
                                  on=today, partners=str(follow.organisation))
    return {"projects": len(projects), "project_waiting": waiting.pk,
            "project_running": running.pk, "project_done": done.pk}
