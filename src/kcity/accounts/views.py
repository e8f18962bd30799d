"""Registration, the applicant's own page and the secretariat's list of pending organisations.

Each view parses the input with a form, calls one service and renders; the decisions are in
`kcity.permissions` and the writes in `kcity.accounts.services`.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kcity import permissions
from kcity.accounts import selectors, services
from kcity.accounts.forms import (
    CompanyRegistrationForm,
    GovernmentRegistrationForm,
    InstitutionRegistrationForm,
)
from kcity.accounts.throttle import limited

REGISTRATION_FORMS = {
    "government": (GovernmentRegistrationForm, "accounts/register_government.html"),
    "company": (CompanyRegistrationForm, "accounts/register_company.html"),
    "institution": (InstitutionRegistrationForm, "accounts/register_institution.html"),
}


def _show_service_errors(form, exc: ValidationError) -> None:
    """Put the service's errors next to their fields; the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@limited("register", limits=["register_ip"])
def register_choice(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    return render(request, "accounts/register_choice.html")


# Posted registrations, per address and per e-mail address entered (its notice e-mail).
@limited("register", limits=["register_ip", "register_email"])
def register(request, kind: str):
    if kind not in REGISTRATION_FORMS:
        raise Http404
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form_class, template = REGISTRATION_FORMS[kind]
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_applicant(**form.registration(), language=get_language())
        except ValidationError as exc:
            _show_service_errors(form, exc)
        else:
            login(request, user, backend="kcity.accounts.backends.UserBackend")
            messages.success(request, _("Your account is created."))
            return redirect("accounts:profile")
    return render(request, template, {"form": form})


@login_required
def profile(request):
    user = request.user
    context = {
        "organisation": user.organisation,
        "may_apply": permissions.can_apply(user),
        "pending": bool(user.organisation_id and user.organisation.verified_at is None),
        "may_verify": permissions.can_verify_organisations(user),
        "may_read_audit": permissions.can_read_audit(user),
        # An overseas institution or university joins consortia; it leads no proposal.
        "consortium_partner_only": bool(
            user.organisation_id
            and user.organisation.partner_type in services.OVERSEAS_PARTNER_TYPES
        ),
    }
    if context["may_verify"]:
        context["pending_count"] = selectors.pending_organisations().count()
    return render(request, "accounts/profile.html", context)


def _require_verifier(request) -> None:
    # A stranger learns nothing: the page does not exist for them.
    if not permissions.can_verify_organisations(request.user):
        raise Http404


@login_required
def pending_organisations(request):
    _require_verifier(request)
    return render(
        request,
        "accounts/pending_organisations.html",
        {"organisations": selectors.pending_organisations()},
    )


@login_required
@require_POST
def verify_organisation(request, pk: int):
    _require_verifier(request)
    organisation = selectors.pending_organisations().filter(pk=pk).first()
    if organisation is None:
        messages.info(request, _("This organisation is no longer pending."))
    else:
        services.verify_organisations(
            organisations=[organisation], by=request.user, site_url=request.build_absolute_uri("/")
        )
        messages.success(
            request, _("%(name)s is verified; its people were told.") % {"name": organisation}
        )
    return redirect("accounts:pending_organisations")
