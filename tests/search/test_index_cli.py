"""`portal index ...` prints what it did."""

from portal.search.params import SearchParams
from portal.search.query import search


def test_status_rebuild_and_repair_commands(app, runner, make_opportunity, now):
    make_opportunity("Adquisición de bombas de agua")

    status = runner.invoke(args=["index", "status"])
    assert "opportunity: base de datos 1, índice 1" in status.output

    rebuilt = runner.invoke(args=["index", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "1 documentos indexados." in rebuilt.output
    assert search(SearchParams(q="bombas"), now).total == 1

    repaired = runner.invoke(args=["index", "repair"])
    assert "Faltantes: 0, desactualizados: 0, huérfanos: 0." in repaired.output
