"""Render once, serve many times (kcity.core.rendered): a kept file is rendered again only
when its version (what it shows) changes; two first readers do not both render."""

import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import connection

from kcity.core.models import RenderedFile
from kcity.core.rendered import digest, etag, get_or_render

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


class Renderer:
    def __init__(self, content: bytes, pause: float = 0.0):
        self.content, self.pause, self.calls = content, pause, 0

    def __call__(self) -> bytes:
        self.calls += 1
        time.sleep(self.pause)
        return self.content


def keep(render, version="v1", key="report:2027:en"):
    return get_or_render(key=key, version=version, render=render,
                         content_type="application/pdf", now=NOW)


def test_a_file_is_rendered_once_per_version(db):
    first = Renderer(b"%PDF one")
    stored = keep(first)
    assert bytes(stored.content) == b"%PDF one" and stored.rendered_at == NOW
    assert bytes(keep(first).content) == b"%PDF one"
    assert first.calls == 1
    assert etag(stored) == '"v1"'
    second = Renderer(b"%PDF two")
    assert bytes(keep(second, version="v2").content) == b"%PDF two" and second.calls == 1
    assert RenderedFile.objects.count() == 1  # replaced, not added
    assert bytes(keep(Renderer(b"x"), version="v1", key="report:2027:ko").content) == b"x"
    assert RenderedFile.objects.count() == 2


def test_a_failed_render_keeps_the_old_file(db):
    keep(Renderer(b"%PDF old"))

    def broken() -> bytes:
        raise RuntimeError("no font")

    with pytest.raises(RuntimeError):
        keep(broken, version="v2")
    stored = RenderedFile.objects.get()
    assert stored.version == "v1" and bytes(stored.content) == b"%PDF old"


def test_digest_tells_sources_apart():
    assert digest("<p>a</p>") == digest("<p>a</p>") != digest("<p>b</p>")
    assert digest("ab", "c") != digest("a", "bc")
    assert len(digest(b"bytes")) == 64


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kept_before", [False, True], ids=["first", "changed"])
def test_concurrent_readers_render_once(kept_before):
    if kept_before:  # an older version is kept: the readers replace it once
        keep(Renderer(b"%PDF old"), version="v0")
    render = Renderer(b"%PDF slow", pause=0.5)
    results, errors = [], []

    def reader():
        try:
            results.append(bytes(keep(render).content))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [b"%PDF slow"] * 3
    assert render.calls == 1
    assert RenderedFile.objects.count() == 1


def test_the_administration_lists_and_deletes_kept_files(admin_client):
    stored = keep(Renderer(b"%PDF kept"))
    page = admin_client.get("/en/admin/core/renderedfile/")
    assert page.status_code == 200 and "report:2027:en" in page.content.decode()
    assert admin_client.get(f"/en/admin/core/renderedfile/{stored.pk}/change/").status_code == 200
    admin_client.post(f"/en/admin/core/renderedfile/{stored.pk}/delete/", {"post": "yes"})
    assert not RenderedFile.objects.exists()
    again = Renderer(b"%PDF again")
    assert bytes(keep(again).content) == b"%PDF again" and again.calls == 1
