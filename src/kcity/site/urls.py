from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from kcity.opendata.views import home
from kcity.site.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The read-only JSON API: one address whatever the language (Accept-Language or ?lang=).
    path("api/v1/", include("kcity.opendata.api_urls")),
    # The bare root answers in the visitor's language (cookie or Accept-Language).
    path("", home, name="root"),
]
urlpatterns += i18n_patterns(
    path("", include("kcity.opendata.urls")),
    path("open-data/", include("kcity.opendata.export_urls")),
    path("calls/", include("kcity.programs.urls")),
    path("accounts/", include("kcity.accounts.urls")),
    path("audit/", include("kcity.accounts.audit_urls")),
    path("proposals/", include("kcity.applications.urls")),
    path("evaluation/", include("kcity.evaluation.urls")),
    path("projects/", include("kcity.projects.urls")),
    path("delivery/", include("kcity.projects.delivery_urls")),
    path("procurement/", include("kcity.projects.procurement_urls")),
    path("", include("kcity.selection.urls")),
    path("admin/", admin.site.urls),
)
