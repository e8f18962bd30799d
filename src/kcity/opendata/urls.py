from django.urls import path

from kcity.opendata import views

app_name = "opendata"
urlpatterns = [path("", views.home, name="home")]
