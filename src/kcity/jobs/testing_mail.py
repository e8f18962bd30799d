"""An e-mail backend that never returns: the tests kill a worker stuck in it."""

import time

from django.core.mail.backends.base import BaseEmailBackend


class HangingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for _ in range(600):  # bounded: ten minutes at most
            time.sleep(1)
        return 0
