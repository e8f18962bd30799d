"""Organisations and users in the administration.

An organisation's verification and a user's role, staff, superuser and active flags, groups
and permissions are read-only here: they change only through the audited services
(`services.verify_organisations`, the "Verify" action; `services.set_role`, the "Change role
and access" page of each user), so every such change is in the audit trail with its actor.
Groups' permissions are read-only too (kcity.site.demo sets the demo's)."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kcity import permissions
from kcity.accounts import services
from kcity.accounts.forms import RoleForm
from kcity.accounts.models import Organisation, User
from kcity.core.admin import ReadOnly
from kcity.core.errors import Refused

admin.site.site_header = _("K-City Network administration")
admin.site.site_title = _("K-City Network")
admin.site.index_title = _("Programme administration")
# Who may enter the admin is decided by the permissions module like everything else; with
# KCITY_REQUIRE_2FA only after a second factor in this session, as django-otp's OTPAdminSite
# would (kcity.accounts.middleware sends such a user to the code page first).
admin.site.has_permission = lambda request: permissions.can_use_admin(request.user) and (
    request.user.is_verified() or not settings.KCITY_REQUIRE_2FA
)

ACCESS_FIELDS = ["role", "is_staff", "is_superuser", "is_active", "groups", "user_permissions"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "city", "verified_at"]
    list_filter = [
        "kind", ("verified_at", admin.EmptyFieldListFilter), "country", "gov_level",
        "secretariat_unit",
    ]
    search_fields = ["name", "name_ko", "city", "business_registration_number"]
    # Verified only through the audited action below.
    readonly_fields = ["verified_at", "created_at"]
    actions = ["verify_selected"]

    def has_delete_permission(self, request, obj=None):
        return False  # people, proposals and the audit trail refer to it

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
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Programme"), {"fields": ("organisation", "preferred_language")}),
        (_("Role and access"), {"fields": ("access_link", *ACCESS_FIELDS)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Programme"), {"fields": ("organisation",)}),
    )
    readonly_fields = ["access_link", *ACCESS_FIELDS, "last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead (the audit trail names its users)

    @admin.display(description=_("Change"))
    def access_link(self, obj):
        if obj is None or obj.pk is None:
            return ""
        url = reverse("admin:accounts_user_role", args=[obj.pk])
        return format_html('<a href="{}" id="role-link">{}</a>', url,
                           gettext("Change role and access"))

    def get_urls(self):
        extra = [path("<int:pk>/role/", self.admin_site.admin_view(self.role_view),
                      name="accounts_user_role")]
        return extra + super().get_urls()

    def role_view(self, request, pk):
        """Change a user's role, staff, superuser and active flags and groups through
        `services.set_role` (audited)."""
        if not permissions.can_change_roles(request.user):
            return redirect("admin:index")
        account = get_object_or_404(User, pk=pk)
        initial = {"role": account.role, "is_staff": account.is_staff,
                   "is_superuser": account.is_superuser, "is_active": account.is_active,
                   "groups": list(account.groups.all())}
        form = RoleForm(request.POST or None, initial=initial,
                        may_grant_superuser=request.user.is_superuser)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.set_role(
                    account=account, by=request.user, role=data["role"],
                    is_staff=data["is_staff"], is_active=data["is_active"],
                    is_superuser=data["is_superuser"] if request.user.is_superuser else None,
                    groups=data["groups"],
                )
            except Refused as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                self.message_user(request, gettext("The role and access of %(user)s are "
                                                   "changed.") % {"user": account},
                                  messages.SUCCESS)
                return redirect("admin:accounts_user_change", account.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Change role and access: %(user)s") % {"user": account},
            "form": form,
            "account": account,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/user/role.html", context)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ReadOnly, BaseGroupAdmin):
    """Groups and their permissions are shown, not changed by hand."""
