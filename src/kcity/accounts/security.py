"""Log-in security glue that runs outside the views: the client's address for the lock-out
(django-axes) and whether the logged-in user has a two-factor device (django-otp).

Kept free of model imports so that `kcity.accounts.apps` can connect the signal at start.
"""

from django.conf import settings
from django_otp import user_has_device

# The session remembers, for its user, whether they have a confirmed device: the two-factor
# middleware then needs no query on every page of a user who is not asked for a code.
DEVICE_SESSION_KEY = "kcity_2fa_device"


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind KCITY_TRUSTED_PROXIES proxies the
    address the outermost of them appended to X-Forwarded-For (those left of it are the
    client's own claims and may be forged)."""
    proxies = settings.KCITY_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def remember_device(request, user) -> bool:
    """Look up (once per session and user) whether `user` has a confirmed device."""
    known = request.session.get(DEVICE_SESSION_KEY)
    if known and known[0] == user.pk:
        return known[1]
    has_device = user_has_device(user, confirmed=True)
    request.session[DEVICE_SESSION_KEY] = [user.pk, has_device]
    return has_device


def forget_device(request) -> None:
    request.session.pop(DEVICE_SESSION_KEY, None)


def on_login(sender, request, user, **kwargs) -> None:
    """At log-in, look the device up afresh (it may have been added or removed since)."""
    if request is not None and hasattr(request, "session"):
        forget_device(request)
        remember_device(request, user)
