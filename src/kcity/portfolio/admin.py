from django.contrib import admin

from kcity.portfolio.models import SelectedProject


@admin.register(SelectedProject)
class SelectedProjectAdmin(admin.ModelAdmin):
    list_display = ["year", "programme", "city", "country", "title"]
    list_filter = ["year", "track_kind", "programme"]
    search_fields = ["city", "title", "korean_partner"]
