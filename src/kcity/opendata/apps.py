from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    name = "kcity.opendata"
    verbose_name = _("Public portfolio and open data")
