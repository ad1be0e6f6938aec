"""The documents a call lists, read from OCDS `tender.documents` and CODICE's document
references: title, link (http(s) only), kind, the source's id and when it was published."""

import io
import json
from dataclasses import replace
from datetime import UTC, datetime

from scrapers import feed, ocds
from scrapers.ingest import content_hash
from scrapers.records import DocumentRecord, OpportunityRecord, ParseContext

CONTEXT = ParseContext(source_key="ocds-test")


def parsed(*releases: dict) -> list[OpportunityRecord]:
    payload = json.dumps({"uri": "x", "releases": list(releases)}).encode()
    return [
        item
        for item in ocds.parse(io.BytesIO(payload), CONTEXT)
        if isinstance(item, OpportunityRecord)
    ]


def call_with(documents: list) -> dict:
    return {
        "ocid": "ocds-dgv273-seacev3-7001",
        "id": "7001-tender",
        "date": "2026-06-01T10:00:00-05:00",
        "tag": ["tender"],
        "buyer": {"id": "PE-RUC-20131312955", "name": "Seguro Social de Salud"},
        "tender": {"id": "AS-7001", "title": "Servicio de limpieza", "documents": documents},
    }


def test_mexico_city_lists_its_requisition_with_link_and_date(shared_fixtures):
    path = shared_fixtures / "ocds-cdmx-paraguay" / "release-package_encoding-utf-8.json"
    with path.open("rb") as stream:
        first = json.load(stream)["releases"][0]
    [record] = parsed(first)
    assert record.documents == (
        DocumentRecord(
            title="REQUISICION 072",
            url="http://innovacion.finanzas.df.gob.mx/ocpsefin/INTERFASE2/GRP/OCDS/ARCHIVOS/"
            "requisicion_072_20161214_110416.pdf",
            source_document_id="1",
            published_at=datetime(2016, 1, 7, 6, tzinfo=UTC),
        ),
    )


def test_every_document_of_the_paraguayan_records_is_read(shared_fixtures):
    path = shared_fixtures / "ocds-cdmx-paraguay" / "record-package_package.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    listed = {
        (document.get("title") or "").strip()
        for record in package["records"]
        for release in record.get("releases", [])
        if isinstance(release, dict)
        for document in (release.get("tender") or {}).get("documents") or []
    }
    with path.open("rb") as stream:
        records = [
            item for item in ocds.parse(stream, CONTEXT) if isinstance(item, OpportunityRecord)
        ]
    read = {document.title for record in records for document in record.documents}
    assert read and read <= listed


def test_odd_entries_are_mended_or_skipped_and_each_document_is_read_once():
    bases = {
        "id": 3,
        "documentType": "biddingDocuments",
        "title": " Bases  integradas ",
        "url": "https://prod2.seace.gob.pe/bases.pdf",
        "datePublished": "2026-06-02T09:00:00-05:00",
    }
    [record] = parsed(
        call_with(
            [
                bases,
                bases,
                {"url": "https://prod2.seace.gob.pe/docs/Absoluci%C3%B3n%20de%20consultas.pdf"},
                {"title": "Anexo técnico", "url": "javascript:alert(1)"},
                {"id": "9", "documentType": "clarifications"},  # neither title nor link
                "no es un documento",
            ]
        )
    )
    assert record.documents == (
        DocumentRecord(
            title="Bases integradas",
            url="https://prod2.seace.gob.pe/bases.pdf",
            document_type="biddingDocuments",
            source_document_id="3",
            published_at=datetime(2026, 6, 2, 14, tzinfo=UTC),
        ),
        DocumentRecord(
            title="Absolución de consultas.pdf",
            url="https://prod2.seace.gob.pe/docs/Absoluci%C3%B3n%20de%20consultas.pdf",
        ),
        DocumentRecord(title="Anexo técnico"),
    )


def test_a_listed_document_changes_a_notices_hash():
    """A version that only adds a document is an update; one without documents hashes as
    before documents were kept (test_ingest_awards.py pins that value)."""
    [record] = parsed(call_with([{"title": "Bases", "url": "https://example.org/b.pdf"}]))
    assert content_hash(record) != content_hash(replace(record, documents=()))


CODICE = """<feed xmlns="http://www.w3.org/2005/Atom"
 xmlns:cbc="urn:dgpe:names:draft:codice:schema:xsd:CommonBasicComponents-2"
 xmlns:cac="urn:dgpe:names:draft:codice:schema:xsd:CommonAggregateComponents-2"
 xmlns:cac-place-ext="urn:dgpe:names:draft:codice-place-ext:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc-place-ext="urn:dgpe:names:draft:codice-place-ext:schema:xsd:CommonBasicComponents-2">
<title>PLACSP</title><entry><id>expediente-docs</id><link href="https://example.org/docs"/>
<title>Obra</title><updated>2026-06-21T04:00:33+02:00</updated>
<cac-place-ext:ContractFolderStatus>
 <cbc-place-ext:ContractFolderStatusCode>PUB</cbc-place-ext:ContractFolderStatusCode>
 <cac:LegalDocumentReference><cbc:ID>PCAP.pdf</cbc:ID>
  <cac:Attachment><cac:ExternalReference>
   <cbc:URI>https://contrataciondelestado.es/wps/wcm/connect/pcap</cbc:URI>
  </cac:ExternalReference></cac:Attachment></cac:LegalDocumentReference>
 <cac:TechnicalDocumentReference><cbc:ID>PPT.pdf</cbc:ID>
  <cac:Attachment><cac:ExternalReference>
   <cbc:URI>https://contrataciondelestado.es/wps/wcm/connect/ppt</cbc:URI>
  </cac:ExternalReference></cac:Attachment></cac:TechnicalDocumentReference>
 <cac:AdditionalDocumentReference><cbc:ID>Anexo I.docx</cbc:ID></cac:AdditionalDocumentReference>
 <cac-place-ext:GeneralDocument><cac-place-ext:GeneralDocumentDocumentReference>
  <cbc:ID>Memoria.pdf</cbc:ID>
  <cac:Attachment><cac:ExternalReference><cbc:URI>ftp://viejo/memoria.pdf</cbc:URI>
  </cac:ExternalReference></cac:Attachment>
 </cac-place-ext:GeneralDocumentDocumentReference></cac-place-ext:GeneralDocument>
 <cac:AdditionalDocumentReference><cbc:ID></cbc:ID></cac:AdditionalDocumentReference>
</cac-place-ext:ContractFolderStatus></entry></feed>"""


def test_placsp_folders_list_their_specifications_and_annexes():
    items = feed.parse(io.BytesIO(CODICE.encode()), ParseContext(source_key="placsp"))
    [record] = [item for item in items if isinstance(item, OpportunityRecord)]
    connect = "https://contrataciondelestado.es/wps/wcm/connect/"
    assert record.documents == (
        DocumentRecord("PCAP.pdf", connect + "pcap", "biddingDocuments", "PCAP.pdf"),
        DocumentRecord("PPT.pdf", connect + "ppt", "technicalSpecifications", "PPT.pdf"),
        DocumentRecord("Anexo I.docx", None, None, "Anexo I.docx"),
        DocumentRecord("Memoria.pdf", None, None, "Memoria.pdf"),
    )


def test_a_folder_without_documents_lists_none(shared_fixtures):
    payload = (shared_fixtures / "placsp-atom" / "menores.atom").read_bytes()
    items = feed.parse(io.BytesIO(payload), ParseContext(source_key="placsp"))
    records = [item for item in items if isinstance(item, OpportunityRecord)]
    assert records and all(record.documents == () for record in records)
