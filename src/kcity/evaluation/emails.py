"""E-mails to the applicant about its consultations and presentation, in each person's
language. `queue_event_mail` runs inside the change's transaction (keyed by the audit event,
so a retried job never mails twice); `send_event_mail` is what the worker runs."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from kcity.applications.emails import applicant_recipients, site_url
from kcity.evaluation.models import EvaluationEvent
from kcity.jobs.tasks import queue_email


def send_event_mail(event_pk: int) -> None:

    event = EvaluationEvent.objects.select_related("proposal__track__cycle").get(pk=event_pk)
    proposal = event.proposal
    for lang, addresses in applicant_recipients(proposal).items():
        with translation.override(lang):
            context = {
                "event": event, "proposal": proposal, "detail": event.detail,
                "url": site_url("evaluation:proposal", proposal.pk, lang=lang),
            }
            subject = render_to_string("evaluation/email/event_subject.txt", context)
            body = render_to_string("evaluation/email/event.txt", context)
        send_mail(" ".join(subject.split()), body, None, addresses)


def queue_event_mail(proposal, event) -> None:

    queue_email(f"evaluation:{event.pk}", "kcity.evaluation.emails.send_event_mail",
                proposal=proposal, event_pk=event.pk)
