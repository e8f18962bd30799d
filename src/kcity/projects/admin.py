"""Projects in the administration: each secretariat unit sees the projects of its tracks
(`permissions.visible_projects`); their moves go through the project pages."""

from django.contrib import admin

from kcity import permissions
from kcity.projects.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("proposal", "contractor", "created_at")
    list_select_related = ("proposal", "contractor")
    autocomplete_fields = ("proposal", "contractor")
    search_fields = ("proposal__title", "contractor__name")

    def get_queryset(self, request):
        visible = permissions.visible_projects(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)
