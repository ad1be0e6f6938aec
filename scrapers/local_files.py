"""Sources read from disk (`file://` or a plain path): only inside the configured folders.

PORTAL_LOCAL_SOURCES_DIR (one folder or several, separated by the system's path separator;
the instance folder by default) is where the demo writes its files and an operator puts saved
dumps. The path is resolved first (symlinks and `..`), so no spelling of it leaves the folders.
A folder or a glob (`file:///datos/oece/*.json`) joins several files of one publisher into one
source: each file is read as a page, in name order, and each is checked like a single file.
"""

import glob
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

MAX_LISTED_FILES = 1000  # a folder source is read whole at every visit
_GLOB_CHARACTERS = frozenset("*?[")


class LocalFileRefused(ValueError):
    """A local source outside the folders allowed for them; the message says which folders."""


def is_local(url: str) -> bool:
    return url.startswith("file://") or "://" not in url


def folders(setting: str | None) -> tuple[Path, ...]:
    """The folders named by PORTAL_LOCAL_SOURCES_DIR, resolved; empty names are skipped."""
    names = (setting or "").split(os.pathsep)
    return tuple(Path(name).expanduser().resolve() for name in names if name.strip())


def allowed_path(url: str, allowed: Sequence[Path]) -> Path:
    """The file a local source names, resolved, if it lies inside one of the allowed folders."""
    path = _named_path(url)
    resolved = path.expanduser().resolve()  # a missing file is reported when it is opened
    if any(resolved.is_relative_to(folder.resolve()) for folder in allowed):
        return resolved
    where = ", ".join(str(folder) for folder in allowed) or "ninguna"
    raise LocalFileRefused(
        f"{path} está fuera de las carpetas permitidas para fuentes locales ({where}); "
        "se configuran con PORTAL_LOCAL_SOURCES_DIR"
    )


def listed_files(url: str, allowed: Sequence[Path]) -> list[str] | None:
    """The files a folder or glob source names, as file:// URLs in name order, every one inside
    the allowed folders (a symlink leading out is refused); None for a single file or a web URL.
    """
    if not is_local(url):
        return None
    target = allowed_path(url, allowed)
    if _GLOB_CHARACTERS.intersection(str(_named_path(url))):
        matches = sorted(glob.glob(str(_named_path(url).expanduser())))
    elif target.is_dir():
        matches = sorted(str(child) for child in target.iterdir() if not child.name.startswith("."))
    else:
        return None
    files = [path for path in map(Path, matches) if path.is_file()]
    if not files:
        raise LocalFileRefused(f"{url}: ningún archivo coincide")
    if len(files) > MAX_LISTED_FILES:
        raise LocalFileRefused(f"{url}: más de {MAX_LISTED_FILES} archivos")
    return [allowed_path(str(path), allowed).as_uri() for path in files]


def _named_path(url: str) -> Path:
    """The path a file:// URL or a plain path names, as written (not resolved)."""
    parts = urlsplit(url) if url.startswith("file://") else None
    if parts is not None and parts.netloc not in ("", "localhost"):
        raise LocalFileRefused(f"{url}: un archivo local no puede estar en otra máquina")
    return Path(unquote(parts.path)) if parts is not None else Path(url)
