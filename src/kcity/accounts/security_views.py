"""Log-in security pages: the lock-out page, the second-factor step and enrolment."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from kcity.accounts import security, two_factor
from kcity.accounts.security_forms import EnrolmentForm, TwoFactorCodeForm


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out log-in (AXES_LOCKOUT_CALLABLE): a page, in the
    visitor's language, saying when to try again; 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    context = {
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "until": timezone.now() + cool_off if cool_off else None,
    }
    return render(request, "accounts/locked_out.html", context, status=429)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(request, view_name: str):
    return redirect(f"{reverse(view_name)}?{request.GET.urlencode()}")


@never_cache
@login_required
def two_factor_step(request):
    """After the password: a code from the app, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    security.forget_device(request)  # look again: the device may be gone
    if not security.remember_device(request, user):
        return _with_next(request, "accounts:two_factor_enrol")
    form = TwoFactorCodeForm(user, request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        otp_login(request, user.otp_device)
        return redirect(_next_url(request))
    return render(request, "accounts/two_factor.html", {"form": form, "next": _next_url(request)})


@never_cache  # the secret and the recovery codes stay out of caches
@login_required
def two_factor_enrol(request):
    """Set up the authenticator app: a QR code and the secret, confirmed with a code; the
    recovery codes are shown once, in the answer to that confirmation."""
    user = request.user
    if security.remember_device(request, user) and not user.is_verified():
        # Replacing a device needs the old one first: a password alone must not do it.
        return _with_next(request, "accounts:two_factor")
    device = two_factor.pending_device(by=user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(
                by=user, device=device, token=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            form.add_error("token", exc)
        else:
            otp_login(request, device)
            security.forget_device(request)
            security.remember_device(request, user)
            return render(
                request, "accounts/two_factor_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    return render(request, "accounts/two_factor_enrol.html", {
        "form": form, "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device), "next": _next_url(request),
    })
