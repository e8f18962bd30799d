from kcity.projects.delivery_demo import load_demo_delivery
from kcity.projects.models import Payment


def test_demo_delivery_builds_a_returned_and_an_accepted_paid_deliverable(world):
    made = load_demo_delivery(world["project"])
    concept, survey, final = made["deliverables"]
    for d in (concept, survey, final):
        d.refresh_from_db()
    assert (concept.state, survey.state, final.state) == ("accepted", "returned", "pending")
    assert list(concept.submissions.values_list("decision", flat=True)) == [
        "returned", "accepted"]
    assert survey.submissions.get().review_comment == "The traffic counts are missing."
    payment = Payment.objects.get()
    assert payment.deliverable == concept
    assert payment.amount == concept.payment_share == 120_000_000  # 30 % of the contract
