from django.urls import path

from kcity.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/framework/", views.add_party, name="add_party"),
    path("<int:pk>/framework/<int:party_pk>/sign/", views.sign_party, name="sign_party"),
    path("<int:pk>/trainings/", views.record_training, name="record_training"),
    path("<int:pk>/follow-on/", views.record_follow_on, name="record_follow_on"),
    path("<int:pk>/framework/<int:party_pk>/document/", views.framework_document,
         name="framework_document"),
]
