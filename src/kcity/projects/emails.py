"""E-mails about projects, in each recipient's language: queued in the transaction of the
change (`kcity.jobs.tasks.queue_email`), sent by the worker."""

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from kcity.applications.emails import applicant_recipients, site_url
from kcity.jobs.tasks import queue_email
from kcity.projects.models import ProjectEvent, ProjectState


def send_state_mail(event_pk: int) -> None:
    event = ProjectEvent.objects.select_related("project__proposal").get(pk=event_pk)
    project = event.project
    labels = dict(ProjectState.choices)
    for lang, addresses in applicant_recipients(project.proposal).items():
        with translation.override(lang):
            state = str(labels.get(event.to_state, event.to_state))
            subject = _("[K-City Network] Project “%(title)s”: %(state)s") % {
                "title": project.proposal.title, "state": state}
            body = _("The project “%(title)s” is now “%(state)s”.\n\n%(url)s\n") % {
                "title": project.proposal.title, "state": state,
                "url": site_url("projects:detail", project.pk, lang=lang)}
        send_mail(subject, body, None, addresses)


def queue_state_mail(project, event) -> None:
    queue_email(f"project-state:{event.pk}", "kcity.projects.emails.send_state_mail",
                proposal=project.proposal, event_pk=event.pk)
