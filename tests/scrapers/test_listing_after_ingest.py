"""Listings read the search index, which a bulk ingest writes in batches through a writer
process: when the run ends, the API without words lists every stored notice, as the page does.
"""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.opportunities.models import Opportunity
from portal.search.sync import index_status
from scrapers import ingest
from scrapers.models import RunStatus, SourceKind
from scrapers.pipeline import RunOptions, run_source

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PARAGUAY_RELEASES = "ocds-sample-data/paraguay/releases"


@pytest.fixture
def paraguay_packages(shared_fixtures, tmp_path):
    """The real Paraguayan release packages, concatenated as a bulk download serves them."""
    payload = tmp_path / "paraguay.json"
    files = sorted((shared_fixtures / PARAGUAY_RELEASES).glob("*.json"))
    payload.write_bytes(b"\n".join(path.read_bytes() for path in files))
    return payload


def _listed(client, query: str) -> list[int]:
    ids, url = [], f"/api/v1/opportunities?{query}&per_page=7"
    while url:
        body = client.get(url).get_json()
        ids.extend(row["id"] for row in body["data"])
        url = body["next"]
    return ids


def test_the_api_lists_every_notice_of_a_run_as_soon_as_it_ends(
    app, session, client, fetcher, make_source, paraguay_packages, monkeypatch
):
    monkeypatch.setattr(ingest, "INDEX_BATCH_SIZE", 3)  # several batches, a writer process
    source = make_source("paraguay", SourceKind.OCDS, paraguay_packages.as_uri())

    run = run_source(session, source, NOW, fetcher, RunOptions(batch_size=2))

    assert run.status == RunStatus.SUCCEEDED and run.new > 7  # more than one API page
    status = index_status(session, app.config["PORTAL_INDEX_DIR"])
    assert status.indexed == status.database
    stored = set(session.scalars(select(Opportunity.id)))
    listed = _listed(client, "status=all&sort=published")
    assert len(listed) == len(set(listed)) and set(listed) == stored
    page = client.get("/buscar?status=all&sort=published&kind=opportunity&per_page=100")
    shown = re.findall(r'href="/oportunidades/(\d+)"', page.get_data(as_text=True))
    assert [int(i) for i in dict.fromkeys(shown)] == listed[:100]
