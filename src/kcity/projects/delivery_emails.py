"""E-mails about a project's deliverables: a move (submitted, returned, accepted) and the
reminder of an overdue deliverable. Every mail carries both languages (Korean and English),
one after the other, since a project's contractor and secretariat read either.

`queue_*` runs inside the transaction of the change (`kcity.jobs.tasks.queue_email`, under an
idempotency key); `send_*` is what the worker runs."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from kcity.accounts.models import OrgKind, Role, SecretariatUnit, User
from kcity.jobs.tasks import Dropped, queue_email
from kcity.projects.models import Deliverable, DeliverableEvent, DeliverableState

LANGS = ("ko", "en")


def project_url(project, lang: str) -> str:
    with translation.override(lang):
        return settings.KCITY_SITE_URL + reverse("delivery:project", args=[project.pk])


def contractor_addresses(project) -> list[str]:
    if project.contractor_id is None:
        return []
    return list(User.objects.filter(organisation_id=project.contractor_id, is_active=True)
                .exclude(email="").order_by("pk").values_list("email", flat=True))


def secretariat_addresses(project) -> list[str]:
    """The secretariat people of the project's track (its unit, and MOLIT)."""
    units = {project.proposal.track.secretariat, SecretariatUnit.MOLIT}
    return list(User.objects.filter(
        role=Role.SECRETARIAT, is_active=True, organisation__kind=OrgKind.SECRETARIAT,
        organisation__secretariat_unit__in=units,
    ).exclude(email="").order_by("pk").values_list("email", flat=True))


def bilingual(template: str, context: dict) -> tuple[str, str]:
    """One subject and body carrying every language, Korean first."""
    subjects, bodies = [], []
    for lang in LANGS:
        with translation.override(lang):
            ctx = {**context, "lang": lang, "url": project_url(context["project"], lang)}
            subject = render_to_string(f"projects/delivery/email/{template}_subject.txt", ctx)
            bodies.append(render_to_string(
                f"projects/delivery/email/{template}.txt", ctx).strip())
        subjects.append(" ".join(subject.split()))
    subject = " / ".join([subjects[0]] + [s.removeprefix("[K-City Network] ")
                                          for s in subjects[1:]])
    return subject, "\n\n---\n\n".join(bodies) + "\n"


def send_move_mail(event_pk: int) -> None:
    event = DeliverableEvent.objects.select_related(
        "deliverable__project__proposal__track").get(pk=event_pk)
    deliverable = event.deliverable
    project = deliverable.project
    if event.to_state == DeliverableState.SUBMITTED:
        addresses = secretariat_addresses(project)
    else:
        addresses = contractor_addresses(project)
    if not addresses:
        raise Dropped(f"no one to tell about deliverable event {event_pk}")
    submission = deliverable.submissions.order_by("-number").first()
    subject, body = bilingual("moved", {
        "project": project, "deliverable": deliverable, "event": event,
        # A lazy label: rendered in each language of the bilingual mail.
        "state": DeliverableState(event.to_state).label, "submission": submission})
    send_mail(subject, body, None, addresses)


def queue_move_mail(deliverable, event) -> None:
    queue_email(f"deliverable:{event.pk}", "kcity.projects.delivery_emails.send_move_mail",
                proposal=deliverable.project.proposal, event_pk=event.pk)


def send_reminder_mail(deliverable_pk: int, day: str) -> None:
    deliverable = Deliverable.objects.select_related("project__proposal").get(
        pk=deliverable_pk)
    if deliverable.state == DeliverableState.ACCEPTED:
        raise Dropped(f"deliverable {deliverable_pk} was accepted before the reminder went out")
    addresses = contractor_addresses(deliverable.project)
    if not addresses:
        raise Dropped(f"deliverable {deliverable_pk}: the project has no contractor to remind")
    subject, body = bilingual("reminder", {
        "project": deliverable.project, "deliverable": deliverable, "day": day})
    send_mail(subject, body, None, addresses)


def reminder_key(deliverable, day) -> str:
    return f"deliverable-overdue:{deliverable.pk}:{day.isoformat()}"


def queue_reminder_mail(deliverable, day) -> None:
    queue_email(reminder_key(deliverable, day),
                "kcity.projects.delivery_emails.send_reminder_mail",
                proposal=deliverable.project.proposal, deliverable_pk=deliverable.pk,
                day=day.isoformat())
