from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kcity.accounts import permissions
from kcity.accounts.models import Organisation, User

admin.site.site_header = _("K-City Network administration")
admin.site.site_title = _("K-City Network")
admin.site.index_title = _("Programme administration")
# Who may enter the admin is decided by the permissions module like everything else.
admin.site.has_permission = lambda request: permissions.can_use_admin(request.user)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "city", "verified_at"]
    list_filter = ["kind", "country", "gov_level", "secretariat_unit"]
    search_fields = ["name", "name_ko", "city", "business_registration_number"]


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
