from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kcity import permissions
from kcity.core.errors import Refused
from kcity.core.money import format_krw
from kcity.programs import config, lifecycle
from kcity.programs.forms import ImportCycleForm
from kcity.programs.models import Criterion, Cycle, CycleStatus, Track


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


def _move_action(to_status):
    """An admin action moving the selected cycles to `to_status` through the lifecycle."""

    def move(modeladmin, request, queryset):
        for cycle in queryset:
            try:
                lifecycle.transition(cycle, to_status, by=request.user)
            except Refused as exc:
                for message in exc.messages:
                    messages.error(request, f"{cycle}: {message}")
            else:
                messages.success(request, f"{cycle}: {CycleStatus(to_status).label}")

    move.__name__ = f"move_to_{to_status}"
    label = CycleStatus(to_status).label
    return admin.action(description=format_lazy(_("Move to “{status}”"), status=label))(move)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["year", "title_en", "status", "is_demo", "budget_display", "announced_on",
                    "results_on"]
    list_filter = ["status", "is_demo"]
    # The status changes only through the moves of kcity.programs.lifecycle (the actions).
    readonly_fields = ["status"]
    inlines = [TrackInline]
    actions = [export_configuration, *[_move_action(s) for s in CycleStatus.values]]
    change_list_template = "admin/programs/cycle/change_list.html"

    # A cycle's configuration spans every track: only a unit that manages them all (MOLIT)
    # changes it; the others read it.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_run_selection(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_run_selection(request.user, obj))

    @admin.display(description=_("total budget"), ordering="total_budget")
    def budget_display(self, cycle):
        return format_krw(cycle.total_budget)

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="programs_cycle_import",
            )
        ]
        return extra + super().get_urls()

    def import_view(self, request):
        """Upload an exported configuration, e.g. last year's, as a new cycle."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ImportCycleForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                cycle = config.loads(
                    form.cleaned_data["file"],
                    year=form.cleaned_data["year"],
                    replace=form.cleaned_data["replace"],
                )
            except config.ConfigError as exc:
                for problem in exc.problems:
                    form.add_error(None, problem)
            else:
                self.message_user(
                    request,
                    gettext("Imported cycle %(year)s.") % {"year": cycle.year},
                    messages.SUCCESS,
                )
                return redirect("admin:programs_cycle_change", cycle.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a cycle configuration"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/programs/cycle/import.html", context)


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["cycle", "code", "name_en", "kind", "secretariat", "grant_range", "deadline"]
    list_filter = ["cycle", "kind", "secretariat", "intake_mode"]
    inlines = [CriterionInline]

    # A track's configuration is changed by the unit that manages it (MOLIT: every track).
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_manage_track(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_manage_track(request.user, obj))

    @admin.display(description=_("grant range"))
    def grant_range(self, track):
        return f"{format_krw(track.grant_min)} – {format_krw(track.grant_max)}"
