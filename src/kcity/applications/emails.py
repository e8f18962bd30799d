"""E-mails about proposals, in each recipient's preferred language.

`queue_*` runs inside the transaction of the change: it records the e-mail under an
idempotency key and queues its job in that transaction (`kcity.jobs.tasks`), so a
rolled-back change mails no one and a committed one always has its job. `send_*` is what
the worker runs."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from kcity.jobs.tasks import Dropped


def site_url(name: str, *args, lang: str = "en") -> str:
    with translation.override(lang):
        return settings.KCITY_SITE_URL + reverse(name, args=args)


def applicant_recipients(proposal) -> dict[str, list[str]]:
    """Language -> addresses of the applicant organisation's active people."""
    from kcity.accounts.models import Role, User

    people = User.objects.filter(
        organisation_id=proposal.organisation_id, role=Role.APPLICANT, is_active=True
    ).exclude(email="")
    by_lang: dict[str, list[str]] = {}
    for person in people.order_by("pk"):
        by_lang.setdefault(person.preferred_language or "en", []).append(person.email)
    return by_lang


def _render(template: str, context: dict, lang: str) -> tuple[str, str]:
    """The subject (on one line) and body of an e-mail in `lang`."""
    with translation.override(lang):
        ctx = {**context, "lang": lang}
        subject = render_to_string(f"applications/email/{template}_subject.txt", ctx)
        body = render_to_string(f"applications/email/{template}.txt", ctx)
    return " ".join(subject.split()), body


def _send(template: str, context: dict, recipients: dict[str, list[str]]) -> None:
    for lang, addresses in recipients.items():
        subject, body = _render(template, context, lang)
        send_mail(subject, body, None, addresses)


def send_state_mail(event_pk: int) -> None:
    from kcity.applications.models import ProposalEvent

    event = ProposalEvent.objects.select_related("proposal__track__cycle").get(pk=event_pk)
    proposal = event.proposal
    recipients = applicant_recipients(proposal)
    context = {
        "proposal": proposal,
        "event": event,
        "submission": proposal.latest_submission() if event.to_state == "submitted" else None,
        "url": {lang: site_url("applications:detail", proposal.pk, lang=lang)
                for lang in recipients},
    }
    _send("state_changed", context, recipients)


def queue_state_mail(proposal, event) -> None:
    from kcity.jobs.tasks import queue_email

    queue_email(f"state:{event.pk}", "kcity.applications.emails.send_state_mail",
                proposal=proposal, event_pk=event.pk)


def invitee_languages(email: str) -> list[str]:
    """The languages of an invitation: the account's own language when the address has an
    account, else every language of the portal, so an invitee we know nothing about (a
    foreign partner, a Korean company without an account yet) can read it."""
    from kcity.accounts.models import User

    known = (User.objects.filter(email__iexact=email, is_active=True)
             .exclude(preferred_language="").values_list("preferred_language", flat=True))
    langs = set(known)
    if len(langs) == 1:
        return list(langs)
    return [code for code, _name in settings.LANGUAGES]


def send_invitation_mail(member_pk: int) -> None:
    from kcity.applications.models import ConsortiumMember

    member = ConsortiumMember.objects.select_related("proposal__organisation").filter(
        pk=member_pk).first()
    if member is None:  # removed from the consortium before the invitation went out
        raise Dropped(f"consortium member {member_pk} was removed before the invitation")
    subjects, bodies = [], []
    for lang in invitee_languages(member.email):
        subject, body = _render("invitation", {
            "member": member, "proposal": member.proposal,
            "url": site_url("applications:invitation", member.token, lang=lang)}, lang)
        subjects.append(subject)
        bodies.append(body.strip())
    # One mail in every language the invitee may read, not one mail per language.
    subject = subjects[0] if len(subjects) == 1 else " / ".join(
        [subjects[0]] + [s.removeprefix("[K-City Network] ") for s in subjects[1:]])
    send_mail(subject, "\n\n---\n\n".join(bodies) + "\n", None, [member.email])


def queue_invitation_mail(member) -> None:
    from kcity.jobs.tasks import queue_email

    queue_email(f"invitation:{member.pk}", "kcity.applications.emails.send_invitation_mail",
                proposal=member.proposal, member_pk=member.pk)


def send_pre_consultation_mail(pre_consultation_pk: int) -> None:
    from kcity.applications.models import PreConsultation

    pc = PreConsultation.objects.select_related("proposal").get(pk=pre_consultation_pk)
    recipients = applicant_recipients(pc.proposal)
    context = {
        "pc": pc,
        "proposal": pc.proposal,
        "url": {lang: site_url("applications:detail", pc.proposal.pk, lang=lang)
                for lang in recipients},
    }
    _send("pre_consultation", context, recipients)


def queue_pre_consultation_mail(pre_consultation) -> None:
    from kcity.jobs.tasks import queue_email

    queue_email(f"pre-consultation:{pre_consultation.pk}",
                "kcity.applications.emails.send_pre_consultation_mail",
                proposal=pre_consultation.proposal, pre_consultation_pk=pre_consultation.pk)
