from django.urls import path

from kcity.projects import procurement_views as views

app_name = "procurement"
urlpatterns = [
    path("", views.notices, name="list"),
    path("<int:pk>/", views.notice, name="detail"),
    path("<int:pk>/ocds.json", views.ocds_download, name="ocds"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/bid/", views.bid, name="bid"),
    path("<int:pk>/manage/", views.manage, name="manage"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/<str:to>/", views.move, name="move"),
    path("<int:pk>/committee/", views.committee, name="committee"),
    path("<int:pk>/bids/<int:bid_pk>/score/", views.score, name="score"),
    path("<int:pk>/award/", views.award, name="award"),
    path("<int:pk>/bids/<int:bid_pk>/document/", views.bid_document, name="bid_document"),
    path("new/<int:project_pk>/", views.draft, name="draft"),
]
