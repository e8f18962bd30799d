from django.urls import path

from kcity.selection import views

app_name = "selection"
urlpatterns = [
    # The secretariat's selection screens.
    path("selection/", views.index, name="index"),
    path("selection/import/", views.import_round, name="import"),
    path("selection/rounds/<int:pk>/", views.round_detail, name="round"),
    path("selection/rounds/<int:pk>/compare/", views.compare, name="compare"),
    path("selection/rounds/<int:pk>/publish/", views.publish, name="publish"),
    path("selection/rounds/<int:pk>/replacement/", views.replacement, name="replacement"),
    path("selection/rounds/<int:pk>/export.json", views.export_round, name="export_round"),
    path("selection/scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("selection/scenarios/<int:pk>/approve/", views.approve, name="approve"),
    path("selection/scenarios/<int:pk>/explain/", views.explain, name="explain"),
    path("selection/scenarios/<int:pk>/export.json", views.export_scenario,
         name="export_scenario"),
    # The public results of a cycle.
    path("results/<int:year>/", views.results, name="results"),
    path("results/<int:year>/notice.pdf", views.results_pdf, name="results_pdf"),
]
