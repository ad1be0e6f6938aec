"""A built wheel carries what the running portal reads from disk, and finds it once installed.

The wheel is built offline from a copy of the sources, so stale build/ folders in the checkout
cannot hide a missing file and the checkout's templates/ cannot stand in for the installed ones.
"""

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "portal", "scrapers", "notifications", "templates")
INSTALLED_TEMPLATES = ".data/data/share/compras-mype/templates/"  # after compras_mype-VERSION

# Run by the installed copy: every file the app reads from disk must be where it looks.
PROBE = """
import pathlib, portal
from portal.app import create_app
from portal.reference import DATA_DIR
app = create_app()
app.jinja_env.get_template("opportunities/detail.html")
app.jinja_env.get_template("email/welcome/body.txt")
assert (DATA_DIR / "uit.csv").is_file(), DATA_DIR
assert (pathlib.Path(app.static_folder) / "portal.css").is_file(), app.static_folder
print(portal.__file__)
print(app.template_folder)
"""


def _run(*command: str, cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    _run(
        sys.executable,
        *("-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"),
        *("--quiet", "--wheel-dir", str(out), "."),
        cwd=source,
    )
    (built,) = out.glob("compras_mype-*.whl")
    return built


def _checkout_files(folder: str) -> set[str]:
    return {
        path.relative_to(ROOT / folder).as_posix()
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_wheel_carries_every_template_under_share(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {
        name.partition(INSTALLED_TEMPLATES)[2] for name in names if INSTALLED_TEMPLATES in name
    }

    assert shipped == _checkout_files("templates")


def test_wheel_carries_static_files_reference_data_and_translations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    for folder in ("portal/static", "portal/reference/data"):
        assert {f"{folder}/{name}" for name in _checkout_files(folder)} <= names
    assert "portal/translations/en/LC_MESSAGES/messages.mo" in names
    assert "portal/migrations/script.py.mako" in names
    assert "portal/demo/operations.py" in names


def test_installed_wheel_finds_its_templates_static_files_and_reference_data(wheel, tmp_path):
    prefix = tmp_path / "prefix"
    _run(
        sys.executable,
        *("-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "--quiet"),
        *("--prefix", str(prefix), str(wheel)),
    )
    site = sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)})
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,  # not the checkout, which `python -c` would put first on sys.path
        env={"PYTHONPATH": site, "PORTAL_INSTANCE_DIR": str(tmp_path / "instance")},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    module, templates = result.stdout.splitlines()
    assert module.startswith(str(prefix))
    assert templates == str((prefix / "share" / "compras-mype" / "templates").resolve())
