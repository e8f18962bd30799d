"""Log-in security glue that runs outside the views: the client's address for the lock-out
(django-axes) and whether the logged-in user has a two-factor device (django-otp).

Kept free of model imports so that `kcity.accounts.apps` can connect the signal at start.
"""

from django_otp import user_has_device

# AXES_CLIENT_IP_CALLABLE names it here; the audit trail reads the same address.
from kcity.core.net import client_ip  # noqa: F401

# The session remembers, for its user, whether they have a confirmed device: the two-factor
# middleware then needs no query on every page of a user who is not asked for a code.
DEVICE_SESSION_KEY = "kcity_2fa_device"


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
