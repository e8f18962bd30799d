from django.urls import path

from kcity.opendata import export_views as views

app_name = "exports"
urlpatterns = [
    path("", views.index, name="index"),
    path("projects.csv", views.projects, {"fmt": "csv"}, name="projects_csv"),
    path("projects.xlsx", views.projects, {"fmt": "xlsx"}, name="projects_xlsx"),
    path("proposals.csv", views.proposals, {"fmt": "csv"}, name="proposals_csv"),
    path("proposals.xlsx", views.proposals, {"fmt": "xlsx"}, name="proposals_xlsx"),
    path("iati-activities.xml", views.iati_activities, name="iati"),
    path("ocds.json", views.ocds_package, name="ocds"),
]
