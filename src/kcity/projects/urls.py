from django.urls import path

from kcity.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/framework/<int:party_pk>/document/", views.framework_document,
         name="framework_document"),
]
