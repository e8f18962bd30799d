"""The open-data app's models: the annual report (its own module)."""

from kcity.opendata.report_models import *  # noqa: F401,F403
