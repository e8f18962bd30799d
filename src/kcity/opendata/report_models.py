"""The annual report to the National Smart City Committee: one row per rendered PDF.

A row is written when the secretariat asks for a report (`report.request_report`) and the
worker fills in its file, fingerprint and time (`report_tasks.render_report`); the PDF is
rendered once and served as stored. The public version leaves out what is confidential
(per-proposal evaluation details, the names of applicants not selected); anyone may download
it once it is rendered; the confidential version only the secretariat (`kcity.permissions`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

REPORT_LANGUAGES = [("ko", "한국어"), ("en", "English")]


def report_path(report, filename: str) -> str:
    kind = "confidential" if report.confidential else "public"
    return f"reports/{report.year}/{kind}/{filename}"


class AnnualReport(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=2, choices=REPORT_LANGUAGES)
    confidential = models.BooleanField(
        _("confidential"), default=False,
        help_text=_("The secretariat's version, with per-proposal evaluation details."),
    )
    file = models.FileField(_("file"), upload_to=report_path, max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    created_at = models.DateTimeField(_("created at"), null=True, blank=True)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "-requested_at", "-pk"]
        indexes = [models.Index(fields=["year", "language", "confidential"])]

    def __str__(self) -> str:
        kind = "confidential" if self.confidential else "public"
        return f"{self.year} {self.language} {kind}"

    @property
    def ready(self) -> bool:
        return self.created_at is not None and bool(self.file)

    def filename(self) -> str:
        kind = "confidential" if self.confidential else "public"
        return f"kcity-annual-report-{self.year}-{self.language}-{kind}.pdf"
