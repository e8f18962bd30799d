"""The request an audit entry comes from: its client address and its user.

`AuditContextMiddleware` remembers the request being answered (in a context variable, so
each thread or task has its own); `acting(user)` names the actor for entries written by code
that knows none (the signals that audit role and permission changes). Outside a request (the
worker, a command) the address stays empty. No model imports: the models module uses it.
"""

import contextlib
import ipaddress
from contextvars import ContextVar

from kcity.core.net import client_ip

_REQUEST: ContextVar = ContextVar("kcity_audit_request", default=None)
_ACTOR: ContextVar = ContextVar("kcity_audit_actor", default=None)


class AuditContextMiddleware:
    """Remember the request (its address and user) for the audit entries it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _REQUEST.set(request)
        try:
            return self.get_response(request)
        finally:
            _REQUEST.reset(token)


@contextlib.contextmanager
def acting(user):
    """Entries recorded inside, by code that knows no actor, name `user` as the actor."""
    token = _ACTOR.set(user)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def current_ip() -> str | None:
    """The client address of the request being answered (None outside a request)."""
    request = _REQUEST.get()
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address((client_ip(request) or "").strip()))
    except ValueError:
        return None


def current_actor():
    """The user named by `acting`, else the request's logged-in user, else None."""
    actor = _ACTOR.get()
    if actor is not None:
        return actor
    request = _REQUEST.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None
