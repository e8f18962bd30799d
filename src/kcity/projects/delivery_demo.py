"""The demo's delivery: on the in-progress demo project, a work plan (two milestones, three
deliverables), one deliverable returned with comments, one accepted (after a returned first
version) and paid, all through the services. `kcity.site.demo` calls
`load_demo_delivery(project)` once the project is in progress with its contractor."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kcity import permissions
from kcity.accounts.models import Role, User
from kcity.applications.demo import DEMO_PDF
from kcity.projects import delivery
from kcity.projects.models import DeliverableType, Project, ProjectState


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def _secretariat_of(project):
    for user in User.objects.filter(role=Role.SECRETARIAT, is_active=True).order_by("pk"):
        if permissions.can_manage_project(user, project):
            return user
    raise ValueError(f"no secretariat user manages the track of project {project.pk}")


def _contractor_of(project):
    user = User.objects.filter(organisation_id=project.contractor_id, is_active=True).exclude(
        role=Role.SECRETARIAT).order_by("pk").first()
    if project.contractor_id is None or user is None:
        raise ValueError(f"project {project.pk} has no contractor with a user account")
    return user


def load_demo_delivery(project: Project, *, now=None) -> dict:
    """Build the demo project's delivery; returns what it made."""
    if project.state != ProjectState.IN_PROGRESS:
        raise ValueError("the demo delivery needs the project in progress")
    now = now or timezone.now()
    staff, contractor = _secretariat_of(project), _contractor_of(project)
    start = project.planned_start
    first = delivery.add_milestone(project=project, by=staff, title_en="Inception",
                                   title_ko="착수", due_on=start + dt.timedelta(days=60))
    second = delivery.add_milestone(project=project, by=staff, title_en="Final report",
                                    title_ko="최종 보고", due_on=project.planned_end)
    ceiling = project.payable_ceiling
    concept = delivery.add_deliverable(
        project=project, by=staff, milestone=first, kind=DeliverableType.BASIC_CONCEPT,
        title_en="Basic concept", title_ko="기본구상", due_on=start + dt.timedelta(days=45),
        payment_share=ceiling * 3 // 10)
    survey = delivery.add_deliverable(
        project=project, by=staff, milestone=first, kind=project.deliverable_type,
        title_en="Site survey report", title_ko="현장조사 보고서",
        due_on=start + dt.timedelta(days=60))
    final = delivery.add_deliverable(
        project=project, by=staff, milestone=second, kind=project.deliverable_type,
        title_en="Final plan", title_ko="최종 계획", due_on=project.planned_end)
    # The basic concept: returned once, submitted again, accepted and paid its share.
    delivery.submit_deliverable(deliverable=concept, by=contractor, upload=_pdf("concept.pdf"),
                                note="First version of the basic concept.", now=now)
    delivery.review_deliverable(deliverable=concept, by=staff, accept=False,
                                comment="Add the phasing and the cost estimate.", now=now)
    delivery.submit_deliverable(deliverable=concept, by=contractor,
                                upload=_pdf("concept-v2.pdf"),
                                note="With the phasing and the cost estimate.", now=now)
    delivery.review_deliverable(deliverable=concept, by=staff, accept=True, now=now)
    concept.refresh_from_db()
    payment = delivery.record_payment(deliverable=concept, by=staff,
                                      amount=concept.payment_share, paid_on=now.date(), now=now)
    # The site survey: submitted and returned with comments (the contractor's turn).
    delivery.submit_deliverable(deliverable=survey, by=contractor, upload=_pdf("survey.pdf"),
                                note="Survey of the pilot district.", now=now)
    delivery.review_deliverable(deliverable=survey, by=staff, accept=False,
                                comment="The traffic counts are missing.", now=now)
    return {"milestones": [first, second], "deliverables": [concept, survey, final],
            "payment": payment}
