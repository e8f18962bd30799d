"""Data the platform keeps for itself, owned by no app: the one cross-cutting audit trail
(append-only) and the files rendered once and kept (`RenderedFile`).

Every state change, score, conflict declaration, panel change, selection decision,
organisation verification, role or permission change, checklist tick and download of a
confidential document is one `AuditEntry`: who, when, which object, what action, from what
to what, from which address. The per-app event tables (ProposalEvent, CycleEvent, ...) stay
as the apps' own histories; this table is the one log the secretariat searches and exports.

Rows are only ever added: the model refuses a save of an existing row and every delete (also
through a queryset), the administration offers no add, change or delete, and on PostgreSQL a
trigger (core migration 0002) refuses UPDATE and DELETE whoever sends them.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import signals
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kcity.core.context import current_actor, current_ip


class AppendOnly(Exception):
    """An audit entry was to be changed or deleted."""


class AuditAction(models.TextChoices):
    STATE_CHANGE = "state_change", _("State change")
    SCORE = "score", _("Score")
    CONFLICT = "conflict", _("Conflict declaration")
    PANEL = "panel", _("Panel change")
    EVALUATION = "evaluation", _("Evaluation record")
    SELECTION = "selection", _("Selection decision")
    VERIFICATION = "verification", _("Organisation verification")
    ROLE = "role", _("Role change")
    PERMISSION = "permission", _("Permission change")
    CHECKLIST = "checklist", _("Checklist tick")
    DOWNLOAD = "download", _("Confidential download")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries are never changed")

    def delete(self):
        raise AppendOnly("audit entries are never deleted")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    from_value = models.CharField(_("from"), max_length=200, blank=True)
    to_value = models.CharField(_("to"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The secretariat unit whose track the object belongs to ("" = programme-wide).
    scope = models.CharField(_("secretariat unit"), max_length=8, blank=True, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        # Only viewing: no add, change or delete permission exists to be granted.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_audit_object"),
            models.Index(fields=["action", "at"], name="core_audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries are never deleted")


def _plain(value):
    """A detail value as JSON (anything else as its text)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def record(*, action: str, obj=None, by=None, frm="", to="", scope: str = "", now=None,
           object_type: str = "", object_id="", object_repr: str = "", **detail) -> AuditEntry:
    """Append one entry: `action` (an AuditAction) on `obj` (or the given type, id and text)
    by `by` (else the request's user), from `frm` to `to`; `scope` is the secretariat unit
    of the object's track ("" programme-wide); the other keywords go into `detail`."""
    if by is None or not getattr(by, "is_authenticated", False):
        by = current_actor()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    return AuditEntry.objects.create(
        at=now or timezone.now(), actor=by if by is not None and by.pk else None,
        actor_name=getattr(by, "username", "") if by is not None else "",
        action=action, object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        object_repr=str(object_repr)[:200],
        from_value=str("" if frm is None else frm)[:200],
        to_value=str("" if to is None else to)[:200],
        ip=current_ip(), scope=scope or "", detail=_plain(detail),
    )


# ---- role and permission changes, however they are made -----------------------------------
# A user's role, staff and superuser flags and active flag, their groups and permissions, and
# a group's permissions are audited by signals (lazy senders: core imports no app), so the
# administration, a service, the demo loader and `createsuperuser` are all recorded.

WATCHED_USER_FIELDS = ("role", "is_staff", "is_superuser", "is_active")


def _user_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not set(update_fields) & set(WATCHED_USER_FIELDS):
        instance._audit_before = None
        return
    before = None
    if instance.pk is not None:
        before = sender._default_manager.filter(pk=instance.pk).values(
            *[f for f in WATCHED_USER_FIELDS if hasattr(instance, f)]).first()
    instance._audit_before = before


def _user_after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if before is None and not created:
        return
    for field in WATCHED_USER_FIELDS:
        if not hasattr(instance, field):
            continue
        old = None if before is None else before.get(field)
        new = getattr(instance, field)
        if created and new in ("", False) and field != "is_active":
            continue  # a new user without this privilege: nothing granted
        if created and field == "is_active":
            continue
        if not created and old == new:
            continue
        action = AuditAction.PERMISSION if field == "is_superuser" else AuditAction.ROLE
        record(action=action, obj=instance, frm="" if old is None else old, to=new,
               field=field, created=created)


def _names(model, pks) -> list[str]:
    if not pks:
        return []
    return sorted(str(o) for o in model._default_manager.filter(pk__in=pks))


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    field = sender._meta.model_name  # e.g. user_groups, user_user_permissions
    if action == "pre_clear":
        # Before the rows go: what the clear takes away.
        relation = next(f for f in sender._meta.fields if f.related_model is not None
                        and f.related_model is not type(instance))
        mine = next(f for f in sender._meta.fields if f.related_model is type(instance))
        pk_set = set(sender._default_manager.filter(**{mine.name: instance.pk})
                     .values_list(relation.attname, flat=True))
        if not pk_set:
            return
    names = _names(model, pk_set)
    verb = "added" if action == "post_add" else "removed"
    record(action=AuditAction.PERMISSION, obj=instance,
           frm=", ".join(names) if verb == "removed" else "",
           to=", ".join(names) if verb == "added" else "",
           field=field, change=verb, items=names)


signals.pre_save.connect(_user_before_save, sender=settings.AUTH_USER_MODEL,
                         dispatch_uid="kcity-audit-user-before")
signals.post_save.connect(_user_after_save, sender=settings.AUTH_USER_MODEL,
                          dispatch_uid="kcity-audit-user-after")
for _through in (f"{settings.AUTH_USER_MODEL}_groups",
                 f"{settings.AUTH_USER_MODEL}_user_permissions", "auth.Group_permissions"):
    signals.m2m_changed.connect(_m2m_changed, sender=_through,
                                dispatch_uid=f"kcity-audit-m2m-{_through}")


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
