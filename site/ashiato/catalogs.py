"""`ashiato i18n extract|update|compile|check`: pybabel with the project's own paths.

`update` also fills the English catalog: English is the source language, so an empty
English msgstr takes its msgid (translators only edit ja, or a new language).
`check` fails on a missing msgid, an empty or fuzzy translation, or a placeholder that
differs from the source (python-format check).
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from ashiato.assets import locales_dir
from ashiato.i18n import LOCALES

SOURCE_LOCALE = "en"


def project_root() -> Path:
    return locales_dir().parent


def pot_path() -> Path:
    return locales_dir() / "messages.pot"


def po_path(locale: str) -> Path:
    return locales_dir() / locale / "LC_MESSAGES" / "messages.po"


def _pybabel(*arguments: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *arguments])


def extract() -> None:
    root = project_root()
    _pybabel(
        "extract",
        "-F",
        str(root / "babel.cfg"),
        "-k",
        "lazy_gettext",
        "-k",
        "_",
        "--no-location",
        "--sort-output",
        "--project",
        "Ashiato",
        "--omit-header",
        "-o",
        str(pot_path()),
        str(root),
    )


def update() -> None:
    extract()
    for locale in LOCALES:
        if po_path(locale).exists():
            _pybabel(
                "update",
                "-i",
                str(pot_path()),
                "-d",
                str(locales_dir()),
                "-l",
                locale,
                "--no-fuzzy-matching",
            )
        else:
            _pybabel("init", "-i", str(pot_path()), "-d", str(locales_dir()), "-l", locale)
    _fill_source_locale()


def _fill_source_locale() -> None:
    path = po_path(SOURCE_LOCALE)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=SOURCE_LOCALE)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not any(message.string):
                message.string = message.id
        elif not message.string:
            message.string = message.id
    buffer = io.BytesIO()
    write_po(buffer, catalog, sort_output=True, width=100)
    path.write_bytes(buffer.getvalue())


def compile_catalogs() -> None:
    _pybabel("compile", "-d", str(locales_dir()), "--statistics")


def problems() -> list[str]:
    """Everything that would show a member an untranslated or broken string."""
    found: list[str] = []
    with pot_path().open("rb") as handle:
        template = read_po(handle)
    wanted = {message.id for message in template if message.id}
    for locale in LOCALES:
        path = po_path(locale)
        if not path.exists():
            found.append(f"{locale}: catalog missing ({path})")
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        present = {message.id: message for message in catalog if message.id}
        for msgid in sorted(wanted - present.keys(), key=str):
            found.append(f"{locale}: missing msgid {msgid!r}")
        for msgid, message in present.items():
            if message.fuzzy:
                found.append(f"{locale}: fuzzy {msgid!r}")
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                found.append(f"{locale}: untranslated {msgid!r}")
        for message, errors in catalog.check():
            for error in errors:
                found.append(f"{locale}: {message.id!r}: {error}")
    return found


def run(action: str) -> int:
    if action == "extract":
        extract()
    elif action == "update":
        update()
    elif action == "compile":
        compile_catalogs()
    elif action == "check":
        found = problems()
        for line in found:
            print(line)
        print("catalogs complete" if not found else f"{len(found)} problem(s)")
        return 1 if found else 0
    return 0
