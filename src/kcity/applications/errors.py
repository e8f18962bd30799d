"""The one exception the proposal services raise when they refuse something.

It carries translated, human-readable messages that views show as they are; the service
has written nothing when it raises.
"""


class Refused(Exception):
    def __init__(self, *messages):
        self.messages = [str(m) for m in messages if m]
        super().__init__("; ".join(self.messages))
