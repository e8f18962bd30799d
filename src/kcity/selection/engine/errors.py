"""The one exception an invalid instance raises."""


class InstanceError(ValueError):
    """The instance does not meet the schema; the message starts with the field path."""
