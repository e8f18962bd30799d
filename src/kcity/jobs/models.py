"""What the background jobs keep beside the queue itself (django_tasks_db's DBTaskResult):
one row per e-mail with its idempotency key, and the worker
processes' heartbeats (so the jobs of a worker that died are handed to another)."""

from django.db import models


class OutboundEmail(models.Model):
    """One e-mail the platform decided to send, written in the transaction that decided it.

    `key` names the cause (e.g. ``state:<event id>``) and is unique, so the same cause never
    queues two e-mails; `sent_at` is set in the transaction that sends it, so a job done twice
    sends once."""

    key = models.CharField(max_length=200, unique=True)
    handler = models.CharField(max_length=200)  # dotted path of the function that sends it
    params = models.JSONField(default=dict)
    proposal = models.ForeignKey(
        "applications.Proposal", null=True, blank=True, on_delete=models.CASCADE,
        related_name="outbound_emails",
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    """A running `kcity worker`: it refreshes `seen_at` every few seconds."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()
    rss_kb = models.PositiveIntegerField(default=0)
    tasks_done = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
