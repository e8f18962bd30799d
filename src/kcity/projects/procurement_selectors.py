"""Reads of a procurement: the ranking of a tender's bids, the public notices, a bidder's own
bid. Everything a page shows goes through `kcity.permissions` (visible_tenders, visible_bids).

The ranking: each bid's technical score is the average of the committee's scores; its price
score is lowest price / its price x the price weight; its combined score is technical average
x technical weight / 100 + price score. The best combined score wins; a tie goes to the lower
price (then the earlier bid)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg

from kcity import permissions
from kcity.projects.procurement_models import Bid, Tender

CENT = Decimal("0.01")


def ranking(tender: Tender) -> list[dict]:
    """[{bid, technical, price_score, combined}] best first (for a closed tender's scores)."""
    bids = list(Bid.objects.filter(tender=tender).select_related("organisation")
                .annotate(technical=Avg("scores__points")))
    if not bids:
        return []
    lowest = min(b.price for b in bids)
    rows = []
    for bid in bids:
        technical = Decimal(bid.technical or 0)
        price_score = Decimal(lowest) / Decimal(bid.price) * tender.price_weight
        combined = technical * tender.technical_weight / 100 + price_score
        rows.append({
            "bid": bid, "technical": technical.quantize(CENT, ROUND_HALF_UP),
            "price_score": price_score.quantize(CENT, ROUND_HALF_UP),
            "combined": combined.quantize(CENT, ROUND_HALF_UP), "_exact": combined,
        })
    rows.sort(key=lambda r: (-r["_exact"], r["bid"].price, r["bid"].submitted_at, r["bid"].pk))
    for row in rows:
        del row["_exact"]
    return rows


def public_tenders(user):
    return (permissions.visible_tenders(user)
            .select_related("project__proposal__track__cycle").order_by("-bid_deadline", "pk"))


def own_bid(user, tender):
    """The bidder's own bid on the tender, or None."""
    if not permissions.can_bid(user):
        return None
    return permissions.visible_bids(user).filter(
        tender=tender, organisation_id=user.organisation_id).first()


def project_contractor(project):
    """The organisation the project is contracted to (None before the award)."""
    return project.contractor
