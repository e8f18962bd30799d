from django.urls import path

from kcity.opendata import report_views, statistics_views, views

app_name = "opendata"
urlpatterns = [path("", views.home, name="home")]

# The public portfolio: the list, each project, the years and the world map.
urlpatterns += [
    path("portfolio/", views.portfolio_list, name="portfolio"),
    path("portfolio/years/", views.portfolio_years, name="portfolio_years"),
    path("portfolio/map/", views.portfolio_map, name="portfolio_map"),
    path("portfolio/<int:pk>/", views.portfolio_project, name="portfolio_project"),
]

# Statistics and annual reports (statistics_views.py, report_views.py)
urlpatterns += [
    path("statistics/", statistics_views.statistics_page, name="statistics"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/generate/", report_views.report_generate, name="report_generate"),
    path("reports/<int:pk>/download/", report_views.report_download, name="report_download"),
]
