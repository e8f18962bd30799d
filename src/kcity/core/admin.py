from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kcity.core.models import RenderedFile


class ReadOnly:
    """An administration page (or inline) that shows, never adds, changes or deletes: what
    changes only through the portal's audited services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RenderedFile)
class RenderedFileAdmin(admin.ModelAdmin):
    """What is kept, for looking at; deleting a file has it rendered afresh at the next
    request (after installing a missing font, say: the version follows the source, not the
    machine that rendered it)."""

    list_display = ["key", "content_type", "rendered_at", "size"]
    search_fields = ["key"]
    fields = ["key", "version", "content_type", "rendered_at", "size"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("size (bytes)"))
    def size(self, obj) -> int:
        return len(obj.content or b"")
