"""The OCDS export lists each call's documents as `tender.documents`, after the notice's own
link, valid against OCDS 1.1.5's Document as restated here (its required id, unique within
the release, and the types of its fields); links only when http(s)."""

import copy
from datetime import UTC, datetime

import pytest
from jsonschema import Draft4Validator, FormatChecker
from sqlalchemy import event
from test_ocds_export_fidelity import OCDS_PATHS, RELEASE_PACKAGE

from portal.db import db
from portal.opportunities.models import OpportunityDocument

# OCDS 1.1.5 release-schema.json, definitions/Document (its codelist documentType is open).
DOCUMENT = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": ["string", "integer"], "minLength": 1},
        "documentType": {"type": ["string", "null"]},
        "title": {"type": ["string", "null"]},
        "url": {"type": ["string", "null"], "format": "uri"},
        "datePublished": {"type": ["string", "null"], "format": "date-time"},
    },
}


def _validator() -> Draft4Validator:
    package = copy.deepcopy(RELEASE_PACKAGE)
    tender = package["properties"]["releases"]["items"]["properties"]["tender"]
    tender["properties"]["documents"] = {"type": "array", "items": DOCUMENT, "uniqueItems": True}
    return Draft4Validator(package, format_checker=FormatChecker())


VALIDATOR = _validator()


def documents() -> list[OpportunityDocument]:
    return [
        OpportunityDocument(
            position=0,
            title="Bases integradas",
            url="https://prod2.seace.gob.pe/docs/bases.pdf",
            document_type="biddingDocuments",
            source_document_id="101",
            published_at=datetime(2026, 6, 2, 14, 0, tzinfo=UTC),
        ),
        OpportunityDocument(
            position=1,
            title="Absolución de consultas",
            url="https://prod2.seace.gob.pe/docs/abs.pdf",
            source_document_id="101",  # the publisher repeated an id
        ),
        OpportunityDocument(position=2, title="Anexo técnico", url="javascript:alert(1)"),
    ]


@pytest.mark.parametrize("path", OCDS_PATHS)
def test_the_release_lists_the_notice_then_the_calls_documents(client, make_opportunity, path):
    make_opportunity(
        title="Compra de cemento",
        url="https://prod2.seace.gob.pe/aviso/1",
        documents=documents(),
    )

    package = client.get(f"{path}?q=cemento").get_json()

    assert [error.message for error in VALIDATOR.iter_errors(package)] == []
    [release] = package["releases"]
    assert release["tender"]["documents"] == [
        {
            "id": "notice",
            "documentType": "tenderNotice",
            "url": "https://prod2.seace.gob.pe/aviso/1",
        },
        {
            "id": "101",
            "documentType": "biddingDocuments",
            "title": "Bases integradas",
            "url": "https://prod2.seace.gob.pe/docs/bases.pdf",
            "datePublished": "2026-06-02T14:00:00Z",
        },
        {
            "id": "101-2",
            "title": "Absolución de consultas",
            "url": "https://prod2.seace.gob.pe/docs/abs.pdf",
        },
        {"id": "document-3", "title": "Anexo técnico"},
    ]


def test_a_call_without_documents_keeps_only_its_notice(client, make_opportunity):
    make_opportunity(title="Compra de cemento", url="https://prod2.seace.gob.pe/aviso/2")

    [release] = client.get("/buscar.ocds.json?q=cemento").get_json()["releases"]

    assert release["tender"]["documents"] == [
        {
            "id": "notice",
            "documentType": "tenderNotice",
            "url": "https://prod2.seace.gob.pe/aviso/2",
        }
    ]


def test_the_documents_of_every_call_are_read_in_one_query(client, make_opportunity):
    for number in range(12):
        make_opportunity(title=f"Compra de cemento {number}", documents=documents())
    statements = []

    def note(_connection, _cursor, statement, *_args):
        if "opportunity_documents" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        package = client.get("/buscar.ocds.json?q=cemento").get_json()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)

    assert len(package["releases"]) == 12
    assert all(len(r["tender"]["documents"]) == 4 for r in package["releases"])
    assert len(statements) == 1
