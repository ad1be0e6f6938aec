"""The gunicorn entry point serves the portal and never writes the search index."""

import runpy
from pathlib import Path

WSGI = Path(__file__).resolve().parents[1] / "wsgi.py"


def test_web_workers_only_read_the_index(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_INDEX_WRITER", "true")  # even where the environment says so

    app = runpy.run_path(str(WSGI))["app"]

    assert app.config["PORTAL_INDEX_WRITER"] is False
    assert app.instance_path == str(tmp_path)


def test_index_writer_setting_comes_from_the_environment(monkeypatch, tmp_path):
    from portal.app import create_app

    monkeypatch.setenv("PORTAL_INDEX_WRITER", "False")
    assert create_app(instance_path=str(tmp_path)).config["PORTAL_INDEX_WRITER"] is False
    monkeypatch.delenv("PORTAL_INDEX_WRITER")
    assert create_app(instance_path=str(tmp_path)).config["PORTAL_INDEX_WRITER"] is True
