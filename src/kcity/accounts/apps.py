from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _

from kcity.accounts import security


class AccountsConfig(AppConfig):
    name = "kcity.accounts"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        user_logged_in.connect(security.on_login, dispatch_uid="kcity-2fa-device")
