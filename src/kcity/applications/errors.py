"""`Refused`, the one exception the services raise when they refuse something (defined in
`kcity.core.errors`, imported from here as before), and the helpers that show a refusal.

It carries translated, human-readable messages that views show as they are; the service
has written nothing when it raises.
"""

from kcity.core.errors import Refused  # noqa: F401  (defined on the core floor)


def show_refusal(request, exc: Refused) -> None:
    """Put a refusal's messages on the page the view renders or redirects to."""
    from django.contrib import messages

    for message in exc.messages:
        messages.error(request, message)


def show_form_errors(request, form) -> None:
    """A form's errors as page messages, each with its field's label."""
    from django.contrib import messages

    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
