"""Where templates/, locales/ and htmx live, in a checkout or in a regular install.

templates/ and locales/ sit beside the packages in the repository; setup.py ships them as
the data-only packages `ashiato_templates` and `ashiato_locales`. Their first real directory
on the package path is the answer in both an editable and a regular install.
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

from litestar.file_system import BaseLocalFileSystem
from litestar.types import PathType
from litestar.types.file_types import FileInfo


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        raise RuntimeError(f"{name} is not installed; run `pip install -e .`")
    for location in spec.submodule_search_locations:
        if Path(location).is_dir():
            return Path(location)
    raise RuntimeError(f"{name} has no directory on disk")


@cache
def templates_dir() -> Path:
    return _package_dir("ashiato_templates")


@cache
def locales_dir() -> Path:
    return _package_dir("ashiato_locales")


@cache
def htmx_dir() -> Path:
    """htmx.min.js and its extensions, from the registry package django-js-lib-htmx."""
    return _package_dir("js_lib_htmx") / "static" / "htmx"


@cache
def static_dir() -> Path:
    return Path(__file__).parent / "static"


# -- content-hashed static URLs ----------------------------------------------------------
# A page names its stylesheets and htmx as /static/v/<name>.<hash>.<ext> (`static_url`),
# served with a year's immutable caching: a browser asks again only when the content, and so
# the name, changes. The plain /static/<name> keeps working with a short lifetime.

HASHED_PREFIX = "/static/v"


def _hashed_name(name: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:12]
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


@cache
def static_files() -> dict[str, Path]:
    """Every served static file by its name under /static/ (htmx as `htmx/<file>`)."""
    found = {
        path.relative_to(static_dir()).as_posix(): path
        for path in static_dir().rglob("*")
        if path.is_file()
    }
    found.update({f"htmx/{path.name}": path for path in htmx_dir().iterdir() if path.is_file()})
    return found


@cache
def static_manifest() -> dict[str, str]:
    """name under /static/ → its content-hashed name under /static/v/."""
    return {name: _hashed_name(name, path.read_bytes()) for name, path in static_files().items()}


@cache
def hashed_files() -> dict[str, Path]:
    """content-hashed name → the file it serves."""
    return {static_manifest()[name]: path for name, path in static_files().items()}


def static_url(name: str) -> str:
    """The long-cached URL of a static file, e.g. `static_url("site.css")` (a Jinja global)."""
    hashed = static_manifest().get(name)
    return f"{HASHED_PREFIX}/{hashed}" if hashed else plain_static_url(name)


def plain_static_url(name: str) -> str:
    """The short-lived URL of a static file (development: its content may change)."""
    return f"/static/{name}"


class HashedStaticFiles(BaseLocalFileSystem):
    """The files of /static/v/: a hashed name is looked up, never joined to a directory, so
    only the current content of a known file is served under it."""

    def _real(self, path: PathType) -> Path:
        try:
            name = Path(path).relative_to(static_dir().resolve()).as_posix()
        except ValueError:
            raise FileNotFoundError(path) from None
        real = hashed_files().get(name)
        if real is None:
            raise FileNotFoundError(name)
        return real

    async def info(self, path: PathType, **kwargs: Any) -> FileInfo:
        return await super().info(self._real(path), **kwargs)

    async def open(self, file: PathType, mode: str, buffering: int = -1) -> Any:
        return await super().open(self._real(file), mode, buffering)
