"""A small fixed data set whose statistics are worked out by hand in the tests.

Times are given in Lima (UTC−5) and stored in UTC. Two buyers: one in Lima (15), one in Cusco
(08). March and April 2026, Lima time:

  call  buyer  published (Lima)     lead   min/given (kind)  short  sectors     first seen
  c1    Lima   31 Mar 23:30         8.5 d  6/5 business     yes    43          +2 h
  c2    Lima   10 Mar 10:00         12 d   6/8 business     no     43 (twice), 72  +24 h
  c3    Cusco  15 Apr 09:00         3.25 d 3/2 business     yes    72          +30 min
  c4    Cusco  20 Apr 12:00         20 d   none (CD)        no     —           −1 h
  c5    Cusco  (none: first seen 2 Apr 10:00)  —  —         no     —

c1 is published at 04:30 UTC on 1 April: April in UTC, March in Lima. c2's plan line was
published 30 days before it; c3's came 5 days after it (no notice). Alerts, Lima time:

  a1  match of c1, sent 1 Apr 06:00      lead 8 d 5 h 30 min = 8.2291667 d
  a2  match of c2, sent 10 Mar 21:00     lead 11 d 13 h = 11.5416667 d
  a3  match of c1, sent 31 Mar 23:45     lead 8 d 11 h 45 min = 8.4895833 d (March in Lima)
  a4  change of c3, sent 16 Apr 08:00    sent, but a change alert: no lead time
  a5  match of c4, pending               not sent: not counted
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from account_factories import create_account
from factories import create_buyer, create_opportunity

from notifications.models import AlertDelivery, DeliveryKind, DeliveryStatus
from portal.opportunities.models import ObjectType

LIMA = timedelta(hours=-5)


def lima(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Lima wall time as the aware UTC datetime the database stores."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - LIMA


@dataclass
class DataSet:
    calls: dict
    alerts: dict
    buyers: dict
    user: object


def build_data_set(session) -> DataSet:
    lima_buyer = create_buyer(session, name="Municipalidad de Miraflores", region_code="15")
    cusco_buyer = create_buyer(session, name="Gobierno Regional de Cusco", region_code="08")
    calls = {
        "c1": _call(
            session,
            lima_buyer,
            lima(2026, 3, 31, 23, 30),
            8.5,
            (6, 5, True),
            ("43211500",),
            timedelta(hours=2),
        ),
        "c2": _call(
            session,
            lima_buyer,
            lima(2026, 3, 10, 10),
            12,
            (6, 8, False),
            ("43211500", "43222600", "72101500"),
            timedelta(hours=24),
            plan_notice=timedelta(days=30),
        ),
        "c3": _call(
            session,
            cusco_buyer,
            lima(2026, 4, 15, 9),
            3.25,
            (3, 2, True),
            ("72101500",),
            timedelta(minutes=30),
            plan_notice=timedelta(days=-5),
        ),
        "c4": _call(
            session,
            cusco_buyer,
            lima(2026, 4, 20, 12),
            20,
            None,
            (),
            timedelta(hours=-1),
            procedure="CD",
            object_type=ObjectType.SERVICES,
        ),
    }
    calls["c5"] = create_opportunity(
        session,
        buyer_id=cusco_buyer.id,
        region_code="08",
        published_at=None,
        first_seen_at=lima(2026, 4, 2, 10),
        deadline_at=None,
    )
    user = create_account(session, email="compras@textiles-cusco.pe")
    alerts = {
        "a1": _alert(session, user, calls["c1"], lima(2026, 4, 1, 6)),
        "a2": _alert(session, user, calls["c2"], lima(2026, 3, 10, 21)),
        "a3": _alert(session, user, calls["c1"], lima(2026, 3, 31, 23, 45), key="follow:c1"),
        "a4": _alert(session, user, calls["c3"], lima(2026, 4, 16, 8), kind=DeliveryKind.CHANGE),
        "a5": _alert(session, user, calls["c4"], None),
    }
    session.commit()
    return DataSet(calls, alerts, {"lima": lima_buyer, "cusco": cusco_buyer}, user)


def _call(
    session,
    buyer,
    published,
    lead_days,
    minimum,
    codes,
    seen_after,
    plan_notice=None,
    procedure="AS",
    object_type=ObjectType.GOODS,
):
    """A call with the columns portal.deadlines fills set directly: (minimum, given, short)."""
    fields = {
        "buyer_id": buyer.id,
        "region_code": buyer.region_code,
        "procedure_type_code": procedure,
        "object_type": object_type,
        "published_at": published,
        "first_seen_at": published + seen_after,
        "deadline_at": published + timedelta(days=lead_days),
        "plan_noticed_at": published - plan_notice if plan_notice is not None else None,
    }
    if minimum is not None:
        minimum_days, given_days, short = minimum
        fields |= {
            "minimum_days": minimum_days,
            "minimum_day_kind": "business",
            "minimum_basis": "legal",
            "given_days": given_days,
            "short_deadline": short,
        }
    return create_opportunity(session, classifications=codes, **fields)


def _alert(session, user, call, sent_at, kind=DeliveryKind.MATCH, key=None) -> AlertDelivery:
    delivery = AlertDelivery(
        user_id=user.id,
        kind=kind,
        dedup_key=key or f"{kind.value}:{call.id}",
        opportunity_id=call.id,
        status=DeliveryStatus.SENT if sent_at else DeliveryStatus.PENDING,
        sent_at=sent_at,
        deadline_at_notice=call.deadline_at if sent_at else None,
        created_at=sent_at or lima(2026, 4, 20, 13),
        due_at=sent_at or lima(2026, 4, 20, 13),
    )
    session.add(delivery)
    session.flush()
    return delivery
