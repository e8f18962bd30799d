"""The one exception the services raise when they refuse something.

It carries translated, human-readable messages that views show as they are; the service
has written nothing when it raises. (Here, on the core floor, so every app's lifecycle can
raise it; `kcity.applications.errors` re-exports it.)
"""


class Refused(Exception):
    def __init__(self, *messages):
        self.messages = [str(m) for m in messages if m]
        super().__init__("; ".join(self.messages))
