"""Security fixtures: pages with real content, and a production app on the test database."""

import pytest
from account_factories import make_user, signed_in  # noqa: F401  (fixtures)
from factories import (  # noqa: F401  (fixtures)
    create_buyer,
    create_opportunity,
    create_plan,
    make_buyer,
    make_opportunity,
    make_plan,
)

from portal.app import create_app
from portal.db import db

A_REAL_SECRET = "3f9c1e7a5b2d48c6a0e4f7b9d1c3a5e7"  # 32 characters
PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": A_REAL_SECRET,
    "PORTAL_BASE_URL": "https://comprasmype.pe",
}


@pytest.fixture
def site(session) -> dict[str, str]:
    """One of each kind of page, with content: name -> path."""
    buyer = create_buyer(session, name="Municipalidad Distrital de Prueba")
    opportunity = create_opportunity(
        session, buyer=buyer, title="Suministro de agua potable en cisternas"
    )
    create_plan(session, buyer=buyer)
    return {
        "home": "/",
        "search": "/buscar",
        "search with words": "/buscar?q=agua",
        "opportunity": f"/oportunidades/{opportunity.id}",
        "buyer": f"/entidades/{buyer.id}",
        "plans": "/planes/",
        "api list": "/api/v1/opportunities",
        "api item": f"/api/v1/opportunities/{opportunity.id}",
        "search feed": "/buscar.rss",
        "not found": "/no-existe",
        "stylesheet": "/static/portal.css",
        "sign-in redirect": "/cuenta",
    }


@pytest.fixture
def production_app(app, database_url, tmp_path, monkeypatch):
    """The app as `PORTAL_ENV=production` builds it, on the (already migrated, emptied) test
    database and the search index the test app keeps equal to it (listings read the index);
    none of the developer's variables leak in."""
    for name in ("PORTAL_ENV", "SECRET_KEY", "PORTAL_BASE_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    production = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PORTAL_INDEX_DIR": app.config["PORTAL_INDEX_DIR"],
            "PORTAL_OUTBOX_DIR": str(tmp_path / "production-outbox"),
        }
        | PRODUCTION,
        instance_path=str(tmp_path / "production-instance"),
    )
    yield production
    with production.app_context():  # its own engine: close its connections before the drop
        db.session.remove()
        db.engine.dispose()
