"""The selection's background job: a scenario's explanations, computed by the worker.

Explaining every reserve proposal takes the engine many re-solves (seconds for a real round,
minutes for a very large one), too long for a web request. The request queues this job in
its transaction; the scenario page shows that they are being computed until they are stored.
"""

import logging

from django.conf import settings
from django.db import transaction
from django_tasks import task

from kcity.applications.receipts import fingerprint
from kcity.jobs.tasks import retry_later
from kcity.selection import whatif
from kcity.selection.models import Scenario

log = logging.getLogger(__name__)


def result_key(result: dict) -> str:
    """Which result the explanations are for: a scenario changed meanwhile gets none."""
    return fingerprint(result)


@task()
def explain_scenario(scenario_pk: int, key: str, attempt: int = 1) -> str:

    scenario = Scenario.objects.select_related("round").filter(pk=scenario_pk).first()
    if scenario is None or scenario.explanations or result_key(scenario.result) != key:
        return "nothing to do"
    try:
        data = whatif.scenario_data(scenario.round.instance, scenario.policy,
                                    scenario.overrides)
        entries = whatif.explanations(data, scenario.result,
                                      seconds=settings.KCITY_EXPLAIN_SECONDS or None)
    except Exception:
        if retry_later(explain_scenario, attempt, scenario_pk, key):
            log.warning("explaining scenario %s failed (attempt %s)", scenario_pk, attempt)
        else:  # given up: the page offers the button again instead of waiting for ever
            Scenario.objects.filter(pk=scenario_pk).update(explanations_requested_at=None)
        raise
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().get(pk=scenario_pk)
        if scenario.explanations or result_key(scenario.result) != key:
            return "changed meanwhile"
        scenario.explanations = entries
        scenario.explanations_requested_at = None
        scenario.save(update_fields=["explanations", "explanations_requested_at"])
    return "explained"
