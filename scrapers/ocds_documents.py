"""OCDS `tender.documents[]` to DocumentRecords: what a bidder downloads (bases, specifications,
clarifications, amendments), in the publisher's order, each once.

A document needs a title or a link; one without a title is named by its file. Links other than
http(s) are dropped, the document kept.
"""

from datetime import tzinfo
from urllib.parse import unquote, urlsplit

from portal.web_urls import web_url
from scrapers.dates import to_utc
from scrapers.records import DocumentRecord
from scrapers.text import clean_text


def documents(tender: dict, zone: tzinfo) -> tuple[DocumentRecord, ...]:
    found = []
    entries = tender.get("documents")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        url = web_url(_str(entry.get("url")))
        title = clean_text(_str(entry.get("title"))) or _file_name(url)
        if not title:
            continue
        found.append(
            DocumentRecord(
                title=title[:500],
                url=url[:2000] if url else None,
                document_type=clean_text(_str(entry.get("documentType")))[:100] or None,
                source_document_id=clean_text(_id(entry.get("id")))[:200] or None,
                published_at=to_utc(entry.get("datePublished"), zone),
            )
        )
    return tuple(dict.fromkeys(found))


def _file_name(url: str | None) -> str:
    return clean_text(unquote(urlsplit(url).path.rsplit("/", 1)[-1])) if url else ""


def _id(value: object) -> str:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""
