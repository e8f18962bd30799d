"""Log-in and the user of each request: Django's ModelBackend, with the user read together
with their organisation.

Every page reads the user's organisation (the two-factor rule, `permissions`): one join on
the user's row instead of a second query per request. Sessions made before this backend
name Django's own ModelBackend, which stays in AUTHENTICATION_BACKENDS after this one so
they stay valid; it never checks a password again (a refusal here ends the log-in).
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from kcity.accounts.models import User


class UserBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username is not None:
            # Wrong name or password: no later backend hashes the password a second time.
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("organisation").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
