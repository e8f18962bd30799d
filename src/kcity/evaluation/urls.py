from django.urls import path

from kcity.evaluation import proposal_views, views

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
    path("proposals/", proposal_views.followed, name="followed"),
    path("proposals/<int:pk>/", proposal_views.proposal_page, name="proposal"),
    path("proposals/<int:pk>/consultation/schedule/", proposal_views.schedule,
         name="schedule"),
    path("proposals/<int:pk>/consultation/minutes/", proposal_views.minutes, name="minutes"),
    path("proposals/<int:pk>/consultation/revised/", proposal_views.revised_document,
         name="revised"),
    path("proposals/<int:pk>/presentation/", proposal_views.book, name="book"),
]
