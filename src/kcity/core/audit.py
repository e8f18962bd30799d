"""Writing the audit trail: `record(...)` (see kcity.core.models.AuditEntry).

Call it in the transaction of the change it records, so a change rolled back leaves no
entry. The address, and the actor when the caller names none, come from the request being
answered (kcity.core.context, the same address rule as the log-in lock-out).
"""

from kcity.core.context import AuditContextMiddleware, acting, current_actor, current_ip
from kcity.core.models import AuditAction, AuditEntry, record

Action = AuditAction

__all__ = ["Action", "AuditContextMiddleware", "AuditEntry", "acting", "current_actor",
           "current_ip", "record"]
