"""The API's URLs (`/api/v1/`, outside the language prefixes): its operations, the OpenAPI
document and the documentation page; any other address under it answers a JSON 404."""

from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext as _

from kcity.opendata.api import api


def unknown(request, rest=""):
    return JsonResponse({"detail": _("No such API address.")}, status=404)


urlpatterns = [
    path("", api.urls),
    path("<path:rest>", unknown),
]
