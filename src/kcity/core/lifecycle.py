"""The mechanics every lifecycle module shares (it imports no kcity app).

An object with a lifecycle has one `MOVES` table, {(from, to): Move}, and one `transition()`
built on `Machine.transition`: lock the row, check that the move is in the table and that
the actor may make it, write the new state (and the move's stamps, e.g. `approved_at`), record
the app's event and the audit trail's entry (kcity.core.audit) and queue the mail, all in
one transaction. Nothing else assigns the state
(tests/test_no_direct_status.py checks it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from kcity.core import audit


@dataclass(frozen=True)
class Move:
    who: str  # a name the machine's `may` predicate understands, e.g. "secretariat"
    label: object  # lazily translated label (buttons, audit pages)
    at: str = ""  # a field stamped with the move's time, e.g. "approved_at"
    by: str = ""  # a field stamped with the actor, e.g. "approved_by"


@dataclass(frozen=True)
class Machine:
    """One object's state machine: `field` is the state attribute of `model`.

    `may(actor, row, who)` says whether the actor may make a move of `who`; `record(row,
    move, frm, to, actor, now, detail)` writes the audit event and returns it; `mail(row,
    event)`, when given, queues the e-mail in the same transaction. `refused(message)` is the
    exception the app raises; `refusals` maps `who` to its message and `cannot` formats the
    message of a move not in the table."""

    model: type[models.Model]
    field: str
    moves: dict
    may: Callable
    record: Callable
    refused: Callable
    cannot: Callable
    refusals: dict = dataclasses.field(default_factory=dict)  # `field` is an attribute
    mail: Callable | None = None
    # The secretariat unit of the row's track, for the audit trail ("" programme-wide).
    scope: Callable | None = None

    def check(self, row, to, actor) -> Move:
        move = self.moves.get((getattr(row, self.field), to))
        if move is None:
            raise self.refused(self.cannot(getattr(row, self.field), to))
        if not self.may(actor, row, move.who):
            raise self.refused(self.refusals.get(move.who, "Not allowed."))
        return move

    def allowed(self, actor, row) -> list[tuple[str, Move]]:
        """The moves this actor could try now (for buttons); `transition` still decides."""
        state = getattr(row, self.field)
        return [(to, move) for (frm, to), move in self.moves.items()
                if frm == state and self.may(actor, row, move.who)]

    def transition(self, obj, to, *, by, now=None, locked: bool = False, **detail):
        """Lock the row, check, write, audit and queue the mail in one transaction; return
        the fresh row (the caller's object is left as it was). `locked=True`: the caller
        holds the row's lock in its transaction and passes the row read under it."""
        now = now or timezone.now()
        if locked:
            if not transaction.get_connection().in_atomic_block:
                raise RuntimeError("transition(locked=True) needs the caller's transaction")
            return self._write(obj, to, by, now, detail)
        with transaction.atomic():
            row = self.model._default_manager.select_for_update().get(pk=obj.pk)
            return self._write(row, to, by, now, detail)

    def _write(self, row, to, actor, now, detail):
        move = self.check(row, to, actor)
        frm = getattr(row, self.field)
        setattr(row, self.field, to)
        fields = [self.field]
        if move.at:
            setattr(row, move.at, now)
            fields.append(move.at)
        if move.by:
            setattr(row, move.by, actor)
            fields.append(move.by)
        row.save(update_fields=fields)
        event = self.record(row, move, frm, to, actor, now, detail)
        audit.record(action=audit.Action.STATE_CHANGE, obj=row, by=actor, frm=frm, to=to,
                     now=now, scope=self.scope(row) if self.scope else "", **detail)
        if self.mail is not None:
            self.mail(row, event)
        return row
