from django.urls import path

from kcity.opendata import views

app_name = "opendata"
urlpatterns = [path("", views.home, name="home")]

# Statistics and annual reports (statistics_views.py, report_views.py)
from kcity.opendata import report_views, statistics_views  # noqa: E402

urlpatterns += [
    path("statistics/", statistics_views.statistics_page, name="statistics"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/generate/", report_views.report_generate, name="report_generate"),
    path("reports/<int:pk>/download/", report_views.report_download, name="report_download"),
]
