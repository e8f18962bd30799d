"""Rate limits on what a stranger can repeat cheaply while we pay for it: registrations,
password-reset e-mails, invitation links (django-ratelimit, counted in the default cache).

`limited(...)` wraps a view. Each limit counts per client address (the lock-out's address,
`security.client_ip`, so behind KCITY_TRUSTED_PROXIES proxies one client is one address)
and, where a form names an account, per e-mail address entered as well: nobody can flood
one inbox from many addresses. The rates are settings (`KCITY_RATE_LIMITS`, from the
environment). The request that goes over a limit is answered with a 429 page in the
visitor's language, before the view runs: nothing is written, nobody else is affected, and
the browser's Back button returns to the form as it was filled in.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage

from kcity.accounts import security


def by_address(group: str, request) -> str:
    return security.client_ip(request) or ""


def by_email(group: str, request) -> str:
    return request.POST.get("email", "").strip().casefold()  # as core.text.same_mailbox


KEYS = {"ip": by_address, "email": by_email}


def _rate(name: str):
    """The rate of limit `name`, read at each request (so it follows the settings); none
    (not counted) for an e-mail limit when no e-mail was entered."""
    def rate(group: str, request) -> str | None:
        value = settings.KCITY_RATE_LIMITS.get(name)
        if value and name.endswith("_email") and not by_email(group, request):
            return None
        return value
    return rate


def limited(group: str, *, limits: Iterable[str], methods: Iterable[str] = ("POST",)):
    """Refuse (429) a request to the wrapped view over any of `limits`: names in
    KCITY_RATE_LIMITS ending in `_ip` or `_email`, counted for the requests in `methods`
    ("ALL" for every method). Every limit is counted at each request, so the address limit
    still counts while the e-mail one refuses."""
    names = list(limits)
    wanted = None if methods == "ALL" else {m.upper() for m in methods}

    def decorate(view: Callable):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if wanted is None or request.method in wanted:
                waits = []
                for name in names:
                    usage = get_usage(request, group=f"kcity.{group}.{name}",
                                      key=KEYS[name.rsplit("_", 1)[1]], rate=_rate(name),
                                      increment=True)
                    if usage and usage["should_limit"]:
                        waits.append(max(usage["time_left"], 0))
                if waits:
                    return refused(request, seconds=max(waits))
            return view(request, *args, **kwargs)
        return wrapped
    return decorate


def refused(request, *, seconds: int):
    minutes = max(1, -(-seconds // 60))  # rounded up: never "0 minutes"
    response = render(request, "accounts/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(max(seconds, 1))
    return response
