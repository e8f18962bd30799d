"""Render once, serve many times: files that are costly to make and the same for every
reader (a PDF of public data), kept in `RenderedFile` rows.

    stored = get_or_render(key="selection.notice:round=7:lang=ko", version=digest(html),
                           render=lambda: html_to_pdf(html), content_type="application/pdf",
                           now=timezone.now())

`key` names the file (what it is, for which object, in which language); `version` is a
digest of what it shows (`digest()` of the HTML it is made from, say), so any change of the
source (a replacement published after a withdrawal, a corrected title, a new translation)
makes the next reader render it afresh, and an unchanged source is never rendered twice.
The version doubles as the HTTP ETag (`etag()`).

The first reader of a key takes a lock on its row (created empty if need be, unique by
key) for the render: a second reader waits for it and then finds the file made (PostgreSQL:
SELECT ... FOR UPDATE; SQLite: the write lock every transaction takes first). A render that
fails leaves the old row as it was.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from kcity.core.models import RenderedFile


def digest(*parts: str | bytes) -> str:
    """A version for `get_or_render`: the SHA-256 of the source the file is made from."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def etag(stored: RenderedFile) -> str:
    return f'"{stored.version}"'


def get_or_render(*, key: str, version: str, render: Callable[[], bytes], content_type: str,
                  now: datetime) -> RenderedFile:
    """The kept file for `key` at `version`, rendered with `render()` if it is missing or
    shows an older version."""
    found = RenderedFile.objects.filter(key=key, version=version).first()
    if found is not None:
        return found
    with transaction.atomic():
        RenderedFile.objects.get_or_create(key=key)
        stored = RenderedFile.objects.select_for_update().get(key=key)
        if stored.version == version:  # another reader rendered it while we waited
            return stored
        stored.content = render()
        stored.version = version
        stored.content_type = content_type
        stored.rendered_at = now
        stored.save()
    return stored
