"""Where templates/, locales/ and htmx live, in a checkout or in a regular install.

templates/ and locales/ sit beside the packages in the repository; setup.py ships them as
the data-only packages `ashiato_templates` and `ashiato_locales`. Their first real directory
on the package path is the answer in both an editable and a regular install.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


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
