"""The one exception the services raise when they refuse something, and the two helpers that
show a refusal or a form's errors on the page a view renders.

`Refused` carries translated, human-readable messages that views show as they are; the
service has written nothing when it raises. Here, on the core floor, so every app may raise
it and every view show it.
"""

from django.contrib import messages


class Refused(Exception):
    def __init__(self, *messages):
        self.messages = [str(m) for m in messages if m]
        super().__init__("; ".join(self.messages))


def show_refusal(request, exc: Refused) -> None:
    """Put a refusal's messages on the page the view renders or redirects to."""
    for message in exc.messages:
        messages.error(request, message)


def show_form_errors(request, form) -> None:
    """A form's errors as page messages, each with its field's label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
