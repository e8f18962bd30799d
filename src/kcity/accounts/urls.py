from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from kcity.accounts import security_views, views
from kcity.accounts.password_reset import QueuedPasswordResetForm
from kcity.accounts.throttle import limited

app_name = "accounts"
urlpatterns = [
    # Each posted password costs an Argon2 hash (100 MB, tenths of a second): per address,
    # whatever the account (the lock-out counts per account and address).
    path("login/", limited("login", limits=["login_ip"])(auth_views.LoginView.as_view()),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", security_views.two_factor_step, name="two_factor"),
    path("2fa/enrol/", security_views.two_factor_enrol, name="two_factor_enrol"),
    # Django's views: the new password ends the user's other sessions (their session hash
    # no longer matches) and keeps this one (update_session_auth_hash).
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("register/", views.register_choice, name="register"),
    path("register/<slug:kind>/", views.register, name="register_kind"),
    path("profile/", views.profile, name="profile"),
    path("organisations/pending/", views.pending_organisations, name="pending_organisations"),
    path("organisations/<int:pk>/verify/", views.verify_organisation, name="verify_organisation"),
    # Password reset by e-mail: Django's views, our templates, our namespace.
    path(
        "password-reset/",
        # Requests per address and per e-mail address: no inbox is flooded with resets.
        limited("password_reset", limits=["password_reset_ip", "password_reset_email"])(
            auth_views.PasswordResetView.as_view(
                form_class=QueuedPasswordResetForm,  # the e-mail goes through the job queue
                email_template_name="registration/password_reset_email.txt",
                subject_template_name="registration/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
