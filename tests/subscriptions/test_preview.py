"""The preview is the subscription's search over the last 30 days, read from the index."""

import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from factories import NOW, create_opportunity, create_plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.opportunities.models import ObjectType, Opportunity, OpportunityStatus
from portal.search.params import parse_search_args
from portal.search.query import search
from portal.subscriptions.models import Subscription
from portal.subscriptions.params import alert_params_from, apply_params, subscription_params
from portal.subscriptions.preview import PREVIEW_DAYS, subscription_preview

# (title, UNSPSC code, region, object type, value, days since publication, status)
CORPUS = [
    ("Adquisición de computadoras portátiles", "43211500", "15", "goods", 80000, 1, "open"),
    ("Servicio de mantenimiento de computadoras", "43211500", "08", "services", 15000, 5, "open"),
    ("Confección de uniformes escolares", "53102700", "15", "goods", 45000, 12, "awarded"),
    ("Adquisición de uniformes para serenazgo", "53102700", "04", "goods", 9000, 29, "closed"),
    ("Mejoramiento de carretera vecinal", "72141000", "08", "works", 900000, 3, "open"),
    ("Servicio de limpieza de oficinas", "72101500", "15", "services", 30000, 20, "cancelled"),
    ("Adquisición de papel bond", "14111500", "04", "goods", 5000, 8, "open"),
    ("Adquisición de computadoras de escritorio", "43211500", "15", "goods", 120000, 31, "open"),
    ("Confección de uniformes deportivos", "53102700", "08", "goods", 20000, 45, "open"),
    ("Mantenimiento de carretera departamental", "72141000", "04", "works", 600000, 90, "closed"),
    ("Adquisición de papel reciclado", "14111500", "15", "goods", 7000, 60, "awarded"),
    ("Servicio de limpieza de computadoras", "43211500", "15", "services", 3000, 2, "deserted"),
]
VOCABULARY = sorted({word for row in CORPUS for word in row[0].split() if len(word) > 3})
SEGMENTS = sorted({row[1][:2] + "000000" for row in CORPUS})


@pytest.fixture
def corpus(session):
    """Opportunities published from 1 to 90 days ago, in every status, and two plans (one
    published inside the window, one before it), all committed and so indexed."""
    made = []
    for title, code, region, kind, value, days, status in CORPUS:
        made.append(
            create_opportunity(
                session,
                title=title,
                classifications=(code,),
                region_code=region,
                object_type=ObjectType(kind),
                estimated_value=Decimal(value),
                published_at=NOW - timedelta(days=days),
                deadline_at=NOW + timedelta(days=10 - days),
                status=OpportunityStatus(status),
            )
        )
    create_plan(session, lines=2, published_at=NOW - timedelta(days=10))
    create_plan(session, lines=2, published_at=NOW - timedelta(days=40))
    return made


@st.composite
def criteria(draw) -> dict:
    """Criteria around one made notice (so most examples find something), each filter left
    out, set to the notice's value, or widened with another value the corpus holds."""
    title, code, region, kind, value, _days, _status = draw(st.sampled_from(CORPUS))
    words = [word for word in title.split() if len(word) > 3]

    def around(own: str, others: list[str]) -> list[str]:
        extra = draw(st.lists(st.sampled_from(others), max_size=1))
        return draw(st.sampled_from([[], sorted({own, *extra})]))

    return {
        "q": " ".join(draw(st.lists(st.sampled_from(words), max_size=2, unique=True))),
        "sector": around(code[:2] + "000000", SEGMENTS),
        "region": around(region, ["04", "08", "15"]),
        "object_type": around(kind, ["goods", "services", "works"]),
        "value_min": draw(st.sampled_from([None, Decimal(value), Decimal(value) / 2])),
        "value_max": draw(
            st.sampled_from([None, Decimal(value), Decimal(value) * 2, Decimal(8000)])
        ),
        "kind": draw(st.sampled_from([["opportunity"], ["opportunity", "plan_line"]])),
    }


def _args(chosen: dict) -> MultiDict:
    args = MultiDict()
    for name, value in chosen.items():
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                args.add(name, str(item))
    if None not in (chosen["value_min"], chosen["value_max"]):
        if chosen["value_min"] > chosen["value_max"]:  # the search refuses such a range
            args.setlist("value_max", [str(chosen["value_min"])])
    return args


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(chosen=criteria())
def test_preview_is_the_search_restricted_to_the_last_30_days(session, make_user, corpus, chosen):
    user = make_user() if not session.info.get("preview_user") else session.info["preview_user"]
    session.info["preview_user"] = user
    args = _args(chosen)
    subscription = Subscription(user_id=user.id, name="Propiedad")
    apply_params(session, subscription, alert_params_from(args))
    session.add(subscription)
    session.commit()
    session.expire_all()

    stored = session.get(Subscription, subscription.id)
    preview = subscription_preview(
        session,
        subscription_params(stored),
        NOW,
        broad_per_week=10**6,
        choosable_sectors=set(),
        size=100,
    )
    expected = search(
        replace(
            parse_search_args(args), published_within_days=30, statuses=(), page=1, per_page=100
        ),
        NOW,
    )

    found = [(hit.kind, hit.id) for hit in preview.page.results.hits]
    assert found == [(hit.kind, hit.id) for hit in expected.hits]
    assert preview.total == expected.total == len(found)
    opportunity_ids = [db_id for kind, db_id in found if kind == "opportunity"]
    published = session.scalars(
        select(Opportunity.published_at).where(Opportunity.id.in_(opportunity_ids))
    ).all()
    assert all(moment >= NOW - timedelta(days=PREVIEW_DAYS) for moment in published)
    session.delete(stored)
    session.commit()


def test_old_notices_stay_out_and_every_status_counts(session, make_user, corpus):
    user = make_user()
    subscription = Subscription(user_id=user.id, name="Uniformes")
    apply_params(session, subscription, alert_params_from({"q": "uniformes"}))
    session.add(subscription)
    session.commit()

    preview = subscription_preview(
        session, subscription_params(subscription), NOW, broad_per_week=50, choosable_sectors=set()
    )

    titles = [row.row.title for row in preview.page.rows]
    assert sorted(titles) == [
        "Adquisición de uniformes para serenazgo",  # closed since, published 29 days ago
        "Confección de uniformes escolares",  # awarded since
    ]
    assert not preview.too_broad


def _subscribe_to_everything(client, session, user) -> int:
    client.post("/cuenta/alertas/desde-busqueda", data={"search": "kind=opportunity"})
    return session.scalars(select(Subscription.id).where(Subscription.user_id == user.id)).one()


def test_too_broad_preview_warns_and_offers_common_sectors_and_terms(
    app, signed_in, session, corpus
):
    app.config["PORTAL_BROAD_SUBSCRIPTION_PER_WEEK"] = 1  # 8 in 30 days ≈ 1.9 a week
    client, user = signed_in()
    subscription_id = _subscribe_to_everything(client, session, user)

    page = client.get(f"/cuenta/alertas/{subscription_id}").get_data(as_text=True)

    assert "Esta alerta es demasiado amplia" in page
    assert "más de 1 avisos por semana" in page
    assert 'name="narrow_sector" value="43000000"' in page
    assert (
        'Tecnologías de la información y telecomunicaciones</button> <span class="count">(3)'
        in page
    )
    assert 'name="narrow_term" value="computadoras"' in page
    assert 'name="narrow_term" value="adquisicion"' in page


def test_narrowing_by_a_sector_previews_without_saving(app, signed_in, session, corpus):
    app.config["PORTAL_BROAD_SUBSCRIPTION_PER_WEEK"] = 1
    client, user = signed_in()
    subscription_id = _subscribe_to_everything(client, session, user)
    form = {"name": "Todo", "q": "", "frequency": "daily", "digest_hour": "7"}

    page = client.post(
        f"/cuenta/alertas/{subscription_id}", data=form | {"narrow_sector": "43000000"}
    ).get_data(as_text=True)

    assert re.search(r'<input checked[^>]* value="43000000"', page)
    assert "habría encontrado 3 publicaciones" in page
    assert "demasiado amplia" not in page
    session.expire_all()
    assert session.get(Subscription, subscription_id).sectors == []


def test_narrowing_by_a_word_adds_it_to_the_keywords(app, signed_in, session, corpus):
    app.config["PORTAL_BROAD_SUBSCRIPTION_PER_WEEK"] = 1
    client, user = signed_in()
    subscription_id = _subscribe_to_everything(client, session, user)
    form = {"name": "Todo", "q": "", "frequency": "daily", "digest_hour": "7"}

    page = client.post(
        f"/cuenta/alertas/{subscription_id}", data=form | {"narrow_term": "uniformes"}
    ).get_data(as_text=True)

    assert 'name="q" type="search" value="uniformes"' in page or 'value="uniformes"' in page
    assert "habría encontrado 2 publicaciones" in page


def test_preview_links_the_opportunities_it_found(signed_in, session, corpus):
    client, user = signed_in()
    client.post("/cuenta/alertas/desde-busqueda", data={"search": "q=papel"})
    subscription_id = session.scalars(select(Subscription.id)).one()
    recent = next(item for item in corpus if item.title == "Adquisición de papel bond")

    page = client.get(f"/cuenta/alertas/{subscription_id}").get_data(as_text=True)

    assert f'href="/oportunidades/{recent.id}"' in page
    assert "habría encontrado 1 publicación" in page
