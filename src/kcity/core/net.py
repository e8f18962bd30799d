"""The client's address as the portal sees it behind its proxies (no model imports, so the
log-in glue loaded at start-up may use it)."""

from django.conf import settings


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
