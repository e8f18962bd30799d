from django.urls import path

from kcity.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("proposals/<int:pk>/declare/", views.declare, name="declare"),
    path("panels/", views.panel_list, name="panels"),
    path("panels/<int:pk>/", views.panel_detail, name="panel"),
    path("panels/<int:pk>/export.csv", views.panel_export, name="export"),
    path("panels/<int:panel_pk>/proposals/<int:pk>/", views.score_sheet, name="sheet"),
    path("panels/<int:panel_pk>/proposals/<int:pk>/summary/", views.summary_page,
         name="summary"),
    path("panels/<int:panel_pk>/proposals/<int:pk>/summary.pdf", views.summary_pdf,
         name="summary_pdf"),
]
