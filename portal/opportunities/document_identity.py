"""When two listings of a call's documents name the same document, and how OCDS releases'
lists add up: plain, so parsers in a child process use the rule ingest and alerts use.

A document is the same one across versions by the source's id for it, else its link, else
its title (case aside).
"""

from collections.abc import Sequence
from typing import TypeVar

Document = TypeVar("Document")


def document_key(document) -> str:
    return document.source_document_id or document.url or document.title.casefold()


def merged_documents(
    earlier: Sequence[Document], later: Sequence[Document]
) -> tuple[Document, ...]:
    """OCDS's merge of `documents` by id: the earlier list in its order, each entry replaced
    by the later list's entry for the same document, then the later list's new ones. An
    amendment release that lists only the new document thus adds it without dropping the rest,
    and merging a list into itself changes nothing."""
    merged = list(earlier)
    slots: dict[str, list[int]] = {}
    for position, document in enumerate(merged):
        slots.setdefault(document_key(document), []).append(position)
    for document in later:
        free = slots.get(document_key(document))
        if free:
            merged[free.pop(0)] = document
        else:
            merged.append(document)
    return tuple(merged)
