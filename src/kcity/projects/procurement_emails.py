"""E-mails to the bidders of a tender (closed, awarded, cancelled), in each person's language.
Queued by `procurement_lifecycle` in the move's transaction, keyed by the audit event;
`send_tender_mail` is what the worker runs."""

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from kcity.accounts.models import User
from kcity.applications.emails import site_url
from kcity.projects.procurement_models import TenderEvent


def bidder_recipients(tender) -> dict[str, list[str]]:
    people = User.objects.filter(organisation__bids__tender=tender, is_active=True).exclude(
        email="").distinct()
    by_lang: dict[str, list[str]] = {}
    for person in people.order_by("pk"):
        by_lang.setdefault(person.preferred_language or "en", []).append(person.email)
    return by_lang


def send_tender_mail(event_pk: int) -> None:
    event = TenderEvent.objects.select_related("tender__project__proposal").get(pk=event_pk)
    tender = event.tender
    for lang, addresses in bidder_recipients(tender).items():
        with translation.override(lang):
            status = event.get_action_display()
            subject = _("Bid notice “%(title)s”: %(status)s") % {
                "title": tender.project.proposal.title, "status": status}
            body = _("The tender “%(title)s” changed: %(status)s.\n\nSee the notice: %(url)s\n") % {
                "title": tender.project.proposal.title, "status": status,
                "url": site_url("procurement:detail", tender.pk, lang=lang)}
        send_mail(subject, body, None, addresses)
