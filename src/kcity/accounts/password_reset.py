"""Password reset by e-mail, with the e-mail sent by the job queue (`kcity.jobs`).

Django's `PasswordResetForm` sends the message inside the request: the answer waits for the
mail server (and takes longer for a known address than for an unknown one). Here the form
records an `OutboundEmail` and its job in one transaction and answers at once; the worker
builds the link (uid and token, made when it sends, so nothing secret waits in the queue)
and sends it in the language of the page the reset was asked from.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import send_mail
from django.db import transaction
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kcity.jobs.tasks import queue_email

SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
BODY_TEMPLATE = "registration/password_reset_email.txt"


class QueuedPasswordResetForm(PasswordResetForm):
    def save(self, domain_override=None, subject_template_name=SUBJECT_TEMPLATE,
             email_template_name=BODY_TEMPLATE, use_https=False,
             token_generator=default_token_generator, from_email=None, request=None,
             html_email_template_name=None, extra_email_context=None):

        email = self.cleaned_data["email"]
        domain = domain_override or get_current_site(request).domain
        lang = translation.get_language() or "en"
        with transaction.atomic():
            for user in self.get_users(email):
                queue_email(
                    f"password-reset:{user.pk}:{secrets.token_hex(8)}",
                    "kcity.accounts.password_reset.send_password_reset_mail",
                    user_pk=user.pk, email=email, domain=domain,
                    protocol="https" if use_https else "http", lang=lang,
                    subject_template=subject_template_name,
                    email_template=email_template_name,
                )


def send_password_reset_mail(*, user_pk: int, email: str, domain: str, protocol: str,
                             lang: str, subject_template: str = SUBJECT_TEMPLATE,
                             email_template: str = BODY_TEMPLATE) -> None:
    """Run by the worker. Sends nothing when the account was disabled, lost its usable
    password or changed its address since the reset was asked for."""
    user = get_user_model()._default_manager.filter(pk=user_pk, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    address = getattr(user, user.get_email_field_name()) or ""
    if address.casefold() != email.casefold():
        return
    context = {
        "email": address, "domain": domain, "site_name": domain, "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user), "protocol": protocol,
    }
    with translation.override(lang):
        subject = "".join(loader.render_to_string(subject_template, context).splitlines())
        body = loader.render_to_string(email_template, context)
    send_mail(subject, body, None, [address])
