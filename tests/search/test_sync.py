"""Drift between database and index is detected and repaired, even after a crashed writer."""

import os

import pytest
from sqlalchemy import update
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from portal.opportunities.models import Opportunity
from portal.search.documents import opportunity_documents
from portal.search.params import SearchParams
from portal.search.query import search
from portal.search.schema import build_schema
from portal.search.store import (
    ARCHIVE,
    OPEN,
    PARTS,
    open_part,
    part_dir,
    rebuild_dir,
    rebuild_lock,
    swap_in,
    write_documents,
)
from portal.search.sync import RepairReport, index_status, rebuild, repair


def _index_dir(app) -> str:
    return app.config["PORTAL_INDEX_DIR"]


def test_rows_committed_by_a_crashed_writer_are_restored(app, make_opportunity, session, now):
    kept = make_opportunity("Adquisición de bombas de agua")
    app.config["PORTAL_INDEX_WRITER"] = False  # the writer died before indexing this batch
    lost = make_opportunity("Adquisición de bombas sumergibles")
    app.config["PORTAL_INDEX_WRITER"] = True
    assert [hit.id for hit in search(SearchParams(q="bombas"), now).hits] == [kept.id]

    report = repair(session, _index_dir(app))

    assert (report.missing, report.stale, report.orphans) == (1, 0, 0)
    found = {hit.id for hit in search(SearchParams(q="bombas"), now).hits}
    assert found == {kept.id, lost.id}
    assert repair(session, _index_dir(app)) == RepairReport(0, 0, 0)


def test_stale_and_orphan_documents_are_repaired(app, make_opportunity, session, now):
    changed = make_opportunity("Adquisición de bombas de agua")
    gone = make_opportunity("Adquisición de válvulas")
    app.config["PORTAL_INDEX_WRITER"] = False
    session.execute(
        update(Opportunity).where(Opportunity.id == changed.id).values(title="Compra de tuberías")
    )
    session.delete(gone)
    session.commit()
    app.config["PORTAL_INDEX_WRITER"] = True

    report = repair(session, _index_dir(app))

    assert (report.missing, report.stale, report.orphans) == (0, 1, 1)
    assert [hit.id for hit in search(SearchParams(q="tuberías"), now).hits] == [changed.id]
    assert search(SearchParams(q="válvulas"), now).total == 0


def test_a_stale_lock_and_a_half_written_segment_do_not_block_writing(app, make_opportunity, now):
    make_opportunity("Adquisición de bombas de agua")
    open_dir = part_dir(_index_dir(app), OPEN)
    (open_dir / "MAIN_WRITELOCK").write_text("")  # left by a killed process
    (open_dir / "MAIN_deadbeefdeadbeef.seg").write_bytes(os.urandom(64))  # never committed
    later = make_opportunity("Adquisición de bombas sumergibles")
    assert later.id in {hit.id for hit in search(SearchParams(q="bombas"), now).hits}


def test_rebuild_and_status_agree_with_the_database(
    app, make_opportunity, make_plan_line, session, now
):
    make_opportunity("Adquisición de bombas de agua")
    make_opportunity("Servicio de limpieza", status="closed")
    make_plan_line("Adquisición de bombas de riego")

    assert rebuild(session, _index_dir(app)) == 3

    status = index_status(session, _index_dir(app))
    assert status.database == status.indexed == {"opportunity": 2, "plan_line": 1}
    assert status.per_part == {"open": 2, "archive": 1}
    assert search(SearchParams(q="bombas"), now).total == 2


KILLED_WRITER = """
import os, sys
from portal.search.documents import make_document
from portal.search.store import open_part
writer = open_part(sys.argv[1], "open").writer()
for number in range(500):
    writer.add_document(**make_document(
        kind="opportunity", db_id=10_000 + number, title="Documento a medio escribir",
        description="", status="open", region=None, object_type=None, procedure_type=None,
        buyer_id=None, sectors=(), value=None, published=None, deadline=None, stamp=0.0))
os._exit(9)  # killed mid-batch: no commit, lock file and segment files left behind
"""


def test_a_writer_killed_mid_batch_leaves_a_usable_index(app, make_opportunity, session, now):
    import subprocess
    import sys

    before = make_opportunity("Adquisición de bombas de agua")
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, _index_dir(app)], capture_output=True, text=True
    )
    assert killed.returncode == 9, killed.stderr
    after = make_opportunity("Adquisición de bombas sumergibles")

    assert {hit.id for hit in search(SearchParams(q="bombas"), now).hits} == {before.id, after.id}
    assert search(SearchParams(q="medio escribir"), now).total == 0
    assert repair(session, _index_dir(app)) == RepairReport(0, 0, 0)


def test_the_index_answers_from_the_old_generation_until_the_swap(
    app, make_opportunity, session, now
):
    pumps = make_opportunity("Adquisición de bombas de agua")
    valves = make_opportunity("Adquisición de válvulas")
    scratch = rebuild_dir(_index_dir(app))
    write_documents(scratch, opportunity_documents(session, [valves.id]))

    assert search(SearchParams(q="bombas"), now).total == 1  # nothing swapped yet
    assert search(SearchParams(q="válvulas"), now).total == 1
    swap_in(_index_dir(app), scratch)

    assert search(SearchParams(q="bombas"), now).total == 0  # the new generation only
    assert [hit.id for hit in search(SearchParams(q="válvulas"), now).hits] == [valves.id]
    assert not list(part_dir(scratch, OPEN).glob("MAIN_*.seg"))  # its segments moved
    assert repair(session, _index_dir(app)).missing == 1 and pumps.id


def test_rows_changed_while_a_rebuild_runs_are_in_the_swapped_index(
    app, make_opportunity, session, now, monkeypatch
):
    monkeypatch.setattr("portal.search.sync.REBUILD_BATCH", 2)
    changed_id = make_opportunity("Adquisición de bombas de agua").id
    gone_id = make_opportunity("Adquisición de válvulas").id
    for number in range(3):
        make_opportunity(f"Servicio de limpieza número {number}")
    added = []

    def meanwhile(_rows: int) -> None:  # the scheduler commits while the rebuild reads
        if not added:  # the first batch (changed, gone) is in the scratch index already
            session.get(Opportunity, changed_id).title = "Adquisición de tuberías"
            session.delete(session.get(Opportunity, gone_id))
            session.commit()
            added.append(make_opportunity("Adquisición de bombas sumergibles").id)

    assert rebuild(session, _index_dir(app), meanwhile) == 6  # the added row too: ids are
    # read a batch at a time

    assert [hit.id for hit in search(SearchParams(q="tuberías"), now).hits] == [changed_id]
    assert [hit.id for hit in search(SearchParams(q="bombas"), now).hits] == added
    assert search(SearchParams(q="válvulas"), now).total == 0
    assert repair(session, _index_dir(app)) == RepairReport(0, 0, 0)
    assert not rebuild_dir(_index_dir(app)).exists()


def test_a_failed_rebuild_leaves_the_live_index_and_no_scratch(
    app, make_opportunity, session, now, monkeypatch
):
    monkeypatch.setattr("portal.search.sync.REBUILD_BATCH", 1)
    first = make_opportunity("Adquisición de bombas de agua")
    make_opportunity("Adquisición de bombas sumergibles")

    def interrupted(_rows: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rebuild(session, _index_dir(app), interrupted)

    assert search(SearchParams(q="bombas"), now).total == 2
    assert not rebuild_dir(_index_dir(app)).exists()
    assert first.id and rebuild(session, _index_dir(app)) == 2  # the lock was released


def test_a_second_rebuild_is_refused_while_one_runs(app, make_opportunity, session):
    make_opportunity("Adquisición de bombas de agua")
    with rebuild_lock(_index_dir(app)), pytest.raises(LockError, match="another index rebuild"):
        rebuild(session, _index_dir(app))


def test_a_rebuild_moves_an_index_written_with_an_older_schema_to_the_current_one(
    app, make_opportunity, session, now
):
    from whoosh.fields import ID, TEXT, Schema

    make_opportunity("Adquisición de bombas de agua")
    old = Schema(doc_key=ID(stored=True, unique=True), title=TEXT)
    for part in PARTS:
        FileStorage(str(part_dir(_index_dir(app), part))).create_index(old)

    assert rebuild(session, _index_dir(app)) == 1

    for part in PARTS:
        assert sorted(open_part(_index_dir(app), part).schema.names()) == sorted(
            build_schema().names()
        )
    assert search(SearchParams(q="bombas"), now).total == 1


def test_a_document_indexed_in_both_parts_is_repaired_to_one(app, make_opportunity, session, now):
    pumps = make_opportunity("Adquisición de bombas de agua")
    [document] = opportunity_documents(session, [pumps.id])
    writer = open_part(_index_dir(app), ARCHIVE).writer()
    writer.add_document(**document)  # a copy in the wrong part, as a lost delete would leave
    writer.commit()
    assert search(SearchParams(q="bombas", statuses=()), now).total == 2

    assert repair(session, _index_dir(app)) == RepairReport(0, 1, 0)

    assert search(SearchParams(q="bombas", statuses=()), now).total == 1
    assert index_status(session, _index_dir(app)).per_part == {"open": 1, "archive": 0}


def test_rebuild_drops_documents_whose_rows_are_gone(app, make_opportunity, session, now):
    make_opportunity("Adquisición de bombas de agua")
    gone = make_opportunity("Adquisición de válvulas")
    app.config["PORTAL_INDEX_WRITER"] = False
    session.delete(gone)
    session.commit()
    app.config["PORTAL_INDEX_WRITER"] = True
    assert search(SearchParams(q="válvulas"), now).total == 1  # an orphan, until the rebuild

    assert rebuild(session, _index_dir(app)) == 1

    assert search(SearchParams(q="válvulas"), now).total == 0
    assert search(SearchParams(q="bombas"), now).total == 1
