"""Two-factor enforcement, after django-otp's OTPMiddleware has set `user.is_verified()`.

A logged-in user who has a confirmed device but has not entered a code in this session is
sent to the code page; with KCITY_REQUIRE_2FA, a user whose role needs it
(`permissions.needs_two_factor`) and has no device is sent to enrolment. Until then only
the two-factor pages, log-out and the language switch answer. The JSON API (namespace
`api`) is left to answer for itself: its log-in (`kcity.opendata.api.Session`) treats such a
user as not logged in (401), and its public operations need no log-in.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from kcity import permissions
from kcity.accounts import security

OPEN_VIEWS = {
    "accounts:two_factor", "accounts:two_factor_enrol", "accounts:logout", "set_language",
    "healthz",
}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if (request.resolver_match.view_name in OPEN_VIEWS
                or request.resolver_match.namespace == "api"):
            return None
        if security.remember_device(request, user):
            target = "accounts:two_factor"
        elif settings.KCITY_REQUIRE_2FA and permissions.needs_two_factor(user):
            target = "accounts:two_factor_enrol"
        else:
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
