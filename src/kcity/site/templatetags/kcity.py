"""Template filters shared by every page (`{% load kcity %}`). They live on the top floor
because some of them read the apps' models and selectors."""

from django import template

from kcity.applications.models import CostCategory
from kcity.core.money import format_krw
from kcity.selection.selectors import scenario_reason, status_label

register = template.Library()


@register.filter
def krw(amount):
    """Integer KRW for people: `400,000,000 KRW`, or `4억 원` in Korean."""
    return format_krw(amount)


@register.filter
def cost_category(code):
    """A budget's cost-category code as its translated label."""
    return dict(CostCategory.choices).get(code, code)


@register.filter
def result_status(status):
    """A selection result's status (`optimal`, ...) in the user's language."""
    return status_label(status)


@register.filter
def engine_reason(scenario):
    """Why a selection scenario is infeasible, in the user's language (from the engine's
    reason code and values stored with it)."""
    return scenario_reason(scenario)
