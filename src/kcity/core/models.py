"""Data the platform keeps for itself, owned by no app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RenderedFile(models.Model):
    """A file made from data that is expensive to make and the same for every reader (the
    published results notice as a PDF, an annual report): made once per `key` and kept
    until what it shows changes, which `version` (a digest of its source) tells.

    One row per key; `kcity.core.rendered.get_or_render` makes or replaces it under a lock
    on the row, so two first readers do not both render, and a reader never sees half of
    one."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    version = models.CharField(_("version"), max_length=64, blank=True)
    content = models.BinaryField(_("content"), default=b"")
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rendered file")
        verbose_name_plural = _("rendered files")

    def __str__(self) -> str:
        return self.key
