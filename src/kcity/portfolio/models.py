from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Programme(models.TextChoices):
    CITY_DEVELOPMENT = "city_development", _("Smart city development planning")
    SOLUTION = "solution", _("Smart solution planning")
    PLANNING = "planning", _("Planning")
    DEMONSTRATION = "demonstration", _("Overseas demonstration")


class SelectedProject(models.Model):
    """A project the programme selected, as the public record has it."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    track_kind = models.CharField(
        _("track kind"),
        max_length=16,
        choices=[("planning", _("Planning")), ("demonstration", _("Overseas demonstration"))],
    )
    programme = models.CharField(_("programme"), max_length=32, choices=Programme.choices)
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    korean_partner = models.CharField(_("Korean partner"), max_length=300, blank=True)
    source = models.TextField(_("sources"), blank=True)

    class Meta:
        verbose_name = _("selected project")
        verbose_name_plural = _("selected projects")
        ordering = ["year", "track_kind", "country", "city"]

    def __str__(self) -> str:
        return f"{self.year} {self.city} ({self.country.code})"
