"""A feed item whose <link> is `javascript:` goes through the real fetch, parser and ingest; no
page then offers it as a link, while an https link from the same feed stays one."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.opportunities.models import Opportunity
from scrapers.fetch import Fetcher, FetchSettings, HostRegistry
from scrapers.models import RunStatus, SourceKind
from scrapers.pipeline import run_source
from scrapers.sources import add_source

NOW = datetime.now(UTC).replace(microsecond=0)
HOSTILE_LINKS = {
    "aviso-js": "javascript:alert(document.cookie)",
    "aviso-mayusculas": "JaVaScRiPt:alert(document.cookie)",
    "aviso-espacio": "  javascript:alert(document.cookie)",
    "aviso-data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "aviso-vbscript": "vbscript:msgbox(1)",
}
OFFICIAL = "https://compras.example.pe/aviso/5"
SCRIPT_HREF = re.compile(
    r"""(?:href|src|action)\s*=\s*["']?\s*(?:javascript|vbscript|data):""", re.IGNORECASE
)


def rss(items: dict[str, str]) -> str:
    entries = "".join(
        f"<item><guid>{ref}</guid><title>Suministro de agua potable {ref}</title>"
        f"<link>{link}</link><description>Agua para la sede</description>"
        f"<pubDate>{NOW:%a, %d %b %Y %H:%M:%S} GMT</pubDate></item>"
        for ref, link in items.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Convocatorias</title><link>https://compras.example.pe/</link>"
        f"<description>Avisos</description>{entries}</channel></rss>"
    )


@pytest.fixture
def ingested(session, tmp_path) -> dict[str, Opportunity]:
    """The feed fetched from a file, parsed and ingested as a scheduled run would."""
    path = tmp_path / "avisos.rss"
    path.write_text(rss(HOSTILE_LINKS | {"aviso-oficial": OFFICIAL}), encoding="utf-8")
    source = add_source(session, "hostil", SourceKind.FEED, path.as_uri())
    session.commit()
    settings = FetchSettings(
        user_agent="ComprasMYPE-test/1.0",
        attempts=1,
        min_interval=0.0,
        local_sources_dirs=(tmp_path,),
    )
    with Fetcher(settings, HostRegistry()) as fetcher:
        run = run_source(session, source, NOW, fetcher)
    assert run.status == RunStatus.SUCCEEDED, run
    rows = session.scalars(select(Opportunity).where(Opportunity.source_id == source.id))
    return {row.source_ref: row for row in rows}


def test_a_notice_with_a_hostile_link_is_kept_but_never_linked(client, ingested):
    for ref in HOSTILE_LINKS:
        assert ref in ingested, f"the notice {ref} was lost because of its link"
        page = client.get(f"/oportunidades/{ingested[ref].id}")

        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f"Suministro de agua potable {ref}" in html
        assert not SCRIPT_HREF.search(html), ref
        assert 'class="official"' not in html


def test_an_https_link_from_the_same_feed_stays_a_link(client, ingested):
    html = client.get(f"/oportunidades/{ingested['aviso-oficial'].id}").get_data(as_text=True)

    assert f'<a class="official" href="{OFFICIAL}"' in html


@pytest.mark.parametrize(
    "path", ["/", "/buscar?q=agua", "/buscar.rss?q=agua", "/buscar.atom?q=agua"]
)
def test_lists_and_feeds_never_carry_the_hostile_links(client, ingested, path):
    response = client.get(path)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "aviso-js" in body or path == "/"  # the hostile notice is listed (highlighted)
    assert not SCRIPT_HREF.search(body)
    assert "javascript:" not in body.lower()
