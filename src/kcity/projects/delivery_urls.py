from django.urls import path

from kcity.projects import delivery_views as views

app_name = "delivery"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/milestones/", views.add_milestone, name="add_milestone"),
    path("projects/<int:pk>/deliverables/", views.add_deliverable, name="add_deliverable"),
    path("projects/<int:pk>/payments/", views.record_payment, name="record_payment"),
    path("deliverables/<int:pk>/submit/", views.submit, name="submit"),
    path("deliverables/<int:pk>/review/", views.review, name="review"),
    path("submissions/<int:pk>/file", views.download, name="download"),
]
