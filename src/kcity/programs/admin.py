from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from kcity.programs import config
from kcity.programs.models import Criterion, Cycle, Track


class TrackInline(admin.StackedInline):
    model = Track
    extra = 0
    show_change_link = True
    fields = ["code", "kind", "name_en", "name_ko", "grant_min", "grant_max", "deadline"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.action(description=_("Export the configuration of the selected cycle"))
def export_configuration(modeladmin, request, queryset):
    cycle = queryset.first()
    response = HttpResponse(config.dumps(cycle), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kcity-cycle-{cycle.year}.json"'
    return response


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["year", "title_en", "status", "total_budget", "announced_on", "results_on"]
    list_filter = ["status"]
    inlines = [TrackInline]
    actions = [export_configuration]


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["cycle", "code", "name_en", "kind", "secretariat", "grant_min", "grant_max",
                    "deadline"]
    list_filter = ["cycle", "kind", "secretariat", "intake_mode"]
    inlines = [CriterionInline]
