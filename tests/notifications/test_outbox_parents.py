"""The outbox's parents: what the foreign keys meant still holds on both databases.

On PostgreSQL the checks run once per statement (migration 0009); on SQLite the matcher
leaves foreign keys off for its batch and checks the batch's parents under the write lock.
"""

import pytest
from account_factories import create_account
from factories import NOW, create_opportunity, create_plan
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from notifications import matching
from notifications.matching import run_matching
from notifications.models import AlertDelivery, DeliveryKind
from portal.accounts.models import User
from portal.opportunities.models import ChangeKind, Opportunity, OpportunityChange
from portal.plans.models import PlanLine
from portal.search.params import parse_search_args
from portal.subscriptions.models import Subscription
from portal.subscriptions.params import apply_params

deliveries = AlertDelivery.__table__


def _subscribe(session, user, **args) -> Subscription:
    subscription = Subscription(user_id=user.id, name="Alerta")
    apply_params(session, subscription, parse_search_args(args))
    session.add(subscription)
    session.commit()
    return subscription


def _delivery(session, user, opportunity=None, **values) -> int:
    key = f"opportunity:{opportunity.id}" if opportunity else f"x:{values.get('plan_line_id')}"
    row = {
        "user_id": user.id,
        "kind": str(DeliveryKind.MATCH),
        "dedup_key": key,
        "opportunity_id": opportunity.id if opportunity else None,
        "frequency": "immediate",
        "status": "pending",
        "attempts": 0,
        "created_at": NOW,
        "due_at": NOW,
        **values,
    }
    delivery_id = session.execute(
        insert(deliveries).values(row).returning(deliveries.c.id)
    ).scalar_one()
    session.commit()
    return delivery_id


@pytest.mark.parametrize(
    "column", ["user_id", "opportunity_id", "plan_line_id", "change_id", "subscription_id"]
)
def test_a_delivery_naming_a_missing_parent_is_refused(session, column):
    user = create_account(session)
    opportunity = create_opportunity(session, title="Uniformes")
    row = {
        "user_id": user.id,
        "kind": str(DeliveryKind.MATCH),
        "dedup_key": "opportunity:1",
        "opportunity_id": opportunity.id,
        "frequency": "immediate",
        "status": "pending",
        "attempts": 0,
        "created_at": NOW,
        "due_at": NOW,
        column: 987_654,
    }
    with pytest.raises(IntegrityError):
        session.execute(insert(deliveries).values(row))
        session.commit()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(deliveries)) == 0


def test_moving_a_delivery_to_a_missing_subscription_is_refused(session):
    user = create_account(session)
    delivery_id = _delivery(session, user, create_opportunity(session, title="Uniformes"))
    with pytest.raises(IntegrityError):
        session.execute(
            update(deliveries).where(deliveries.c.id == delivery_id).values(subscription_id=5)
        )
        session.commit()
    session.rollback()


def test_deleting_a_parent_deletes_or_unlinks_its_deliveries(session):
    ana, beto = create_account(session), create_account(session)
    subscription = _subscribe(session, ana, q="uniformes")
    first = create_opportunity(session, title="Uniformes")
    second = create_opportunity(session, title="Computadoras")
    line = create_plan(session).lines[0]
    change = OpportunityChange(
        opportunity_id=second.id, kind=ChangeKind.DEADLINE_EXTENDED, field="deadline_at"
    )
    session.add(change)
    session.commit()
    kept = _delivery(session, ana, first, subscription_id=subscription.id)
    by_beto = _delivery(session, beto, first)
    on_second = _delivery(session, ana, second)
    on_change = _delivery(
        session, beto, second, dedup_key=f"change:{change.id}", change_id=change.id
    )
    on_line = _delivery(
        session, ana, None, kind="forecast", dedup_key=f"plan_line:{line.id}", plan_line_id=line.id
    )

    def alive() -> set[int]:
        return set(session.scalars(select(deliveries.c.id)))

    session.execute(delete(Subscription).where(Subscription.id == subscription.id))
    session.commit()
    assert (
        session.scalar(select(deliveries.c.subscription_id).where(deliveries.c.id == kept)) is None
    )
    session.execute(delete(OpportunityChange).where(OpportunityChange.id == change.id))
    session.commit()
    assert alive() == {kept, by_beto, on_second, on_line}
    session.execute(delete(PlanLine).where(PlanLine.id == line.id))
    session.commit()
    assert alive() == {kept, by_beto, on_second}
    session.execute(delete(User).where(User.id == beto.id))
    session.commit()
    assert alive() == {kept, on_second}
    session.execute(delete(Opportunity).where(Opportunity.id == second.id))
    session.commit()
    assert alive() == {kept}
    assert on_change not in alive()


def test_a_subscription_deleted_while_matching_is_left_out(session, monkeypatch):
    """Read before the batch, gone before its rows are written: its user gets nothing, the
    others get theirs, and the foreign keys are on again afterwards."""
    ana, beto = create_account(session), create_account(session)
    leaving = _subscribe(session, ana, q="uniformes")
    _subscribe(session, beto, q="uniformes")
    notice = create_opportunity(session, title="Uniformes escolares")
    original = matching.document_batch

    def delete_meanwhile(documents):
        with session.get_bind().begin() as other:  # another connection: the user's click
            other.execute(delete(Subscription.__table__).where(Subscription.id == leaving.id))
        return original(documents)

    monkeypatch.setattr(matching, "document_batch", delete_meanwhile)
    tally = run_matching(session, NOW)

    recorded = session.execute(select(deliveries.c.user_id, deliveries.c.opportunity_id)).all()
    assert recorded == [(beto.id, notice.id)] and tally.matches == 1
    if session.get_bind().dialect.name == "sqlite":
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
