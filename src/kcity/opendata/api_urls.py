"""The API's URLs (`/api/v1/`, outside the language prefixes): its operations, the OpenAPI
document and the documentation page; any other address under it answers a JSON 404, any
other method than GET a JSON 405."""

from contextlib import nullcontext
from functools import wraps

from django.http import JsonResponse
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy

from kcity.opendata.api import api


def _refusal(request, message, status) -> JsonResponse:
    """A JSON error in the language of `?lang=` (else the request's, from Accept-Language)."""
    lang = request.GET.get("lang")
    with translation.override(lang) if lang in ("en", "ko") else nullcontext():
        return JsonResponse({"detail": str(message)}, status=status)


def unknown(request, rest=""):
    return _refusal(request, gettext_lazy("No such API address."), 404)


def read_only(view):
    """Only GET (and HEAD) reach the API's views, its document and documentation page
    included; another method gets a JSON 405 (django-ninja's own is plain text)."""

    @wraps(view)  # keeps csrf_exempt: ninja checks CSRF itself
    def wrapped(request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            response = view(request, *args, **kwargs)
            if response.status_code != 405:
                return response
        refusal = _refusal(request, gettext_lazy("The API is read-only: use GET."), 405)
        refusal["Allow"] = "GET"
        return refusal

    return wrapped


# Not `app_name`: that name would make this module a namespace of its own.
_operations, _app, _namespace = api.urls
for _pattern in _operations:
    _pattern.callback = read_only(_pattern.callback)

urlpatterns = [
    path("", (_operations, _app, _namespace)),
    path("<path:rest>", unknown, name="api_unknown"),
]
