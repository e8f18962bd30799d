from django.urls import path

from kcity.opendata import views

app_name = "opendata"
urlpatterns = [path("", views.home, name="home")]

# The public portfolio: the list, each project, the years and the world map.
urlpatterns += [
    path("portfolio/", views.portfolio_list, name="portfolio"),
    path("portfolio/years/", views.portfolio_years, name="portfolio_years"),
    path("portfolio/map/", views.portfolio_map, name="portfolio_map"),
    path("portfolio/<int:pk>/", views.portfolio_project, name="portfolio_project"),
]
