from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "kcity.programs"
    verbose_name = _("Programme cycles and tracks")
