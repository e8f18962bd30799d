"""What a project's delivery pages read: the work plan with each deliverable's history, the
payments and their total against the ceiling, and the overdue deliverables."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet, Sum

from kcity import permissions
from kcity.projects.models import (
    Deliverable,
    DeliverableState,
    DeliverableSubmission,
    ProjectState,
)


def overdue_deliverables(*, today: date, among: QuerySet | None = None) -> QuerySet:
    """Deliverables of projects in progress past their due date and not accepted."""
    qs = Deliverable.objects.all() if among is None else among
    return (qs.filter(project__state=ProjectState.IN_PROGRESS, due_on__lt=today)
            .exclude(state=DeliverableState.ACCEPTED)
            .select_related("project__proposal", "project__contractor")
            .order_by("due_on", "pk"))


def overdue_for(user, *, today: date) -> QuerySet:
    """The overdue list of a secretariat user: the deliverables of the tracks they manage."""
    if not permissions.is_secretariat(user):
        return Deliverable.objects.none()
    return overdue_deliverables(today=today, among=permissions.visible_deliverables(user))


@dataclass
class Delivery:
    project: object
    milestones: list
    deliverables: list
    payments: list
    paid: int
    ceiling: int

    @property
    def remaining(self) -> int:
        return self.ceiling - self.paid


def project_delivery(project) -> Delivery:
    deliverables = list(
        project.deliverables.select_related("milestone").prefetch_related(
            Prefetch("submissions", queryset=DeliverableSubmission.objects.select_related(
                "submitted_by", "reviewed_by").order_by("number")),
            "payments",
        )
    )
    payments = list(project.payments.select_related("deliverable", "recorded_by"))
    paid = project.payments.aggregate(total=Sum("amount"))["total"] or 0
    return Delivery(project=project, milestones=list(project.milestones.all()),
                    deliverables=deliverables, payments=payments, paid=paid,
                    ceiling=project.payable_ceiling)
