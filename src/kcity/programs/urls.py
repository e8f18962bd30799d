from django.urls import path

from kcity.programs import views

app_name = "programs"
urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("<int:year>/", views.call_detail, name="call_detail"),
]
