from django.urls import path

from kcity.applications import views

app_name = "applications"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_new, name="new"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/autosave/", views.proposal_autosave, name="autosave"),
    path("<int:pk>/members/", views.member_invite, name="invite"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/documents/", views.document_upload, name="documents"),
    path("<int:pk>/documents/<int:doc_pk>/", views.document_download, name="document"),
    path("<int:pk>/concept-note/", views.concept_note, name="concept_note"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/receipts/<int:submission_pk>/", views.receipt, name="receipt"),
    path("<int:pk>/receipts/<int:submission_pk>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("screening/", views.screening_list, name="screening"),
    path("screening/<int:pk>/", views.screening_detail, name="screening_detail"),
]
