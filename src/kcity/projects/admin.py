from django.contrib import admin

from kcity.applications.admin import TracksOfTheUnit
from kcity.projects.models import Project


@admin.register(Project)
class ProjectAdmin(TracksOfTheUnit):
    list_display = ("proposal", "contractor", "created_at")
    list_select_related = ("proposal", "contractor")
    autocomplete_fields = ("proposal", "contractor")
    search_fields = ("proposal__title", "contractor__name")
