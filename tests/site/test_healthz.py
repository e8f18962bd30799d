import json

from django.db import OperationalError

from kcity.site import views


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


class DeadConnection:
    def cursor(self):
        raise OperationalError("connection refused")


def test_healthz_503_when_the_database_does_not_answer(client, db, monkeypatch):
    monkeypatch.setattr(views, "connection", DeadConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unavailable"
