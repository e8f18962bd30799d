"""What the projects pages and other apps read about projects (services write)."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from kcity.projects.models import (
    FollowOn,
    FollowOnKind,
    Project,
    ProjectState,
    ResultRating,
    Training,
)


def credited_by_follow_on(proposal_ids) -> set[int]:
    """The demonstration proposals (of `proposal_ids`) that a completed planning study rated
    good led to (`FollowOn` of kind demonstration proposal): they earn the prior-planning
    bonus without anyone typing a link."""
    return set(FollowOn.objects.filter(
        proposal_id__in=list(proposal_ids), kind=FollowOnKind.DEMONSTRATION_PROPOSAL,
        project__state=ProjectState.COMPLETED, project__rating=ResultRating.GOOD,
    ).values_list("proposal_id", flat=True))


def trainings_per_year(projects=None) -> list[dict]:
    """[{year, trainings, participants}] by the year a training starts, oldest first."""
    qs = Training.objects.all()
    if projects is not None:
        qs = qs.filter(project__in=projects)
    return list(qs.annotate(year=ExtractYear("starts_on")).values("year")
                .annotate(trainings=Count("pk"), participants=Sum("participants"))
                .order_by("year"))


def project_list(projects):
    return projects.select_related("proposal__track__cycle", "proposal__organisation",
                                   "contractor")


def _section(key, title, empty, template, rows) -> dict:
    return {"key": key, "title": title, "empty": empty, "template": template, "rows": rows}


def work_sections(project) -> list[dict]:
    """The procurement, deliverables and money sections of the project page: each has a
    title, its rows and what to say when there are none, and its template
    (`projects/_procurement.html`, `projects/_delivery.html`, `projects/_payments.html`)."""
    sections = [
        _section("procurement", _("Procurement"), _("No tender yet."),
                 "projects/_procurement.html", list(project.tenders.order_by("pk"))),
        _section("deliverables", _("Deliverables"), _("No deliverable yet."),
                 "projects/_delivery.html", list(project.deliverables.order_by("due_on", "pk"))),
        _section("payments", _("Payments"), _("No payment yet."),
                 "projects/_payments.html",
                 list(project.payments.select_related("deliverable").order_by("paid_on", "pk"))),
    ]
    return sections


def project_story(project) -> dict:
    """Everything the project page shows, read once."""
    proposal = project.proposal
    # The selection outcome, through the reverse accessor (selection sits above projects).
    outcome = proposal.selection_outcomes.select_related("round").order_by("-pk").first()
    return {
        "outcome": outcome,
        "parties": list(project.framework_parties.select_related("organisation",
                                                                 "signed_document")),
        "trainings": list(project.trainings.all()),
        "follow_ons": list(project.follow_ons.select_related("proposal__track__cycle")),
        "events": list(project.events.select_related("actor")),
        "sections": work_sections(project),
    }


def project_state(proposal) -> str | None:
    """The state of the proposal's project, None when it has none."""
    return Project.objects.filter(proposal_id=proposal.pk).values_list("state", flat=True).first()
