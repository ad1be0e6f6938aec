"""The writer process writes what it is handed, in order, and says when it could not."""

import pytest

from portal.search.store import ARCHIVE, open_part
from portal.search.writer_process import IndexWriterError, WriterProcess


def archived(number: int, title: str = "Adquisición de cemento") -> dict:
    return {
        "doc_key": f"opportunity:{number}",
        "title": f"{title} {number}",
        "kind": b"opportunity",
        "db_id": number,
        "status": b"closed",
    }


def titles(index_dir) -> dict[str, str]:
    with open_part(index_dir, ARCHIVE).searcher() as searcher:
        return {fields["doc_key"]: fields["title"] for fields in searcher.all_stored_fields()}


def test_batches_are_written_in_order_and_counted(tmp_path):
    """The second batch replaces a key the first added to the same open segment."""
    writer = WriterProcess(tmp_path)
    writer.write([archived(1), archived(2)], {"opportunity:1", "opportunity:2"})
    writer.write([archived(2, "Servicio de limpieza")], {"opportunity:2", "opportunity:3"})

    assert writer.close() == 3
    assert titles(tmp_path) == {
        "opportunity:1": "Adquisición de cemento 1",
        "opportunity:2": "Servicio de limpieza 2",
    }


def test_a_batch_that_fails_is_reported_at_close_and_nothing_half_written_shows(tmp_path):
    writer = WriterProcess(tmp_path)
    writer.write([archived(1)], {"opportunity:1"})
    writer.write([archived(2), {**archived(3), "no_such_field": "x"}], {"opportunity:2"})

    with pytest.raises(IndexWriterError, match="no_such_field"):
        writer.close()
    assert titles(tmp_path) == {}  # the uncommitted segment is dropped; repair re-adds rows
    assert not writer.process.is_alive()


def test_writes_after_the_child_failed_raise_instead_of_waiting(tmp_path):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    writer = WriterProcess(not_a_directory)

    with pytest.raises(IndexWriterError):
        for number in range(100):  # the queue holds one batch: a dead child is soon noticed
            writer.write([archived(number)], set())
    with pytest.raises(IndexWriterError):
        writer.close()


def test_the_child_imports_no_database_or_web_layer(loaded_by_importing):
    heavy = ("sqlalchemy", "flask", "numpy")

    assert loaded_by_importing(["portal.search.writer_process"], heavy) == []


def test_a_writer_whose_parent_was_killed_indexes_what_it_had_and_ends(tmp_path, orphaned_children):
    script = (
        "import os\n"
        "from portal.search.writer_process import WriterProcess\n"
        f"writer = WriterProcess({str(tmp_path)!r})\n"
        "for n in (1, 2, 3):  # the third waits until the child took the first\n"
        "    writer.write([{'doc_key': f'opportunity:{n}', 'title': 'Cemento',"
        " 'kind': b'opportunity', 'db_id': n, 'status': b'closed'}], set())\n"
        "print(writer.process.pid, flush=True)\n"
        "os._exit(0)\n"
    )

    assert orphaned_children(script) == [True]
    assert titles(tmp_path)["opportunity:1"] == "Cemento"  # what was still in the pipe is lost
