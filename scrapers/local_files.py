"""Sources read from disk (`file://` or a plain path): only inside the configured folders.

PORTAL_LOCAL_SOURCES_DIR (one folder or several, separated by the system's path separator;
the instance folder by default) is where the demo writes its files and an operator puts saved
dumps. The path is resolved first (symlinks and `..`), so no spelling of it leaves the folders.
"""

import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit


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
    parts = urlsplit(url) if url.startswith("file://") else None
    if parts is not None and parts.netloc not in ("", "localhost"):
        raise LocalFileRefused(f"{url}: un archivo local no puede estar en otra máquina")
    path = Path(unquote(parts.path)) if parts is not None else Path(url)
    resolved = path.expanduser().resolve()  # a missing file is reported when it is opened
    if any(resolved.is_relative_to(folder.resolve()) for folder in allowed):
        return resolved
    where = ", ".join(str(folder) for folder in allowed) or "ninguna"
    raise LocalFileRefused(
        f"{path} está fuera de las carpetas permitidas para fuentes locales ({where}); "
        "se configuran con PORTAL_LOCAL_SOURCES_DIR"
    )
