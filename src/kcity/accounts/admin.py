from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kcity import permissions
from kcity.accounts import services
from kcity.accounts.models import Organisation, User

admin.site.site_header = _("K-City Network administration")
admin.site.site_title = _("K-City Network")
admin.site.index_title = _("Programme administration")
# Who may enter the admin is decided by the permissions module like everything else; with
# KCITY_REQUIRE_2FA only after a second factor in this session, as django-otp's OTPAdminSite
# would (kcity.accounts.middleware sends such a user to the code page first).
admin.site.has_permission = lambda request: permissions.can_use_admin(request.user) and (
    request.user.is_verified() or not settings.KCITY_REQUIRE_2FA
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "city", "verified_at"]
    list_filter = [
        "kind", ("verified_at", admin.EmptyFieldListFilter), "country", "gov_level",
        "secretariat_unit",
    ]
    search_fields = ["name", "name_ko", "city", "business_registration_number"]
    actions = ["verify_selected"]

    @admin.action(description=_("Verify the selected organisations"))
    def verify_selected(self, request, queryset):
        if not permissions.can_verify_organisations(request.user):
            self.message_user(request, _("Only the secretariat verifies organisations."), "error")
            return
        count = services.verify_organisations(
            organisations=queryset, by=request.user, site_url=request.build_absolute_uri("/")
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d organisation verified; its people were told by e-mail.",
                "%(count)d organisations verified; their people were told by e-mail.",
                count,
            )
            % {"count": count},
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "organisation", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Programme"), {"fields": ("organisation", "role", "preferred_language")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Programme"), {"fields": ("organisation", "role")}),
    )
