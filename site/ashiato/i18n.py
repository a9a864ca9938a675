"""Locale negotiation, gettext, and Babel formatting for the request at hand.

The current locale and time zone live in context variables set once per request (or per
mail), so services, templates and mail bodies all speak the member's language without
passing it around. Catalogs are compiled from the committed .po files in memory at start-up,
so no build step is needed after a checkout.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import gettext as gettext_module
import io
from collections.abc import Iterator
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy

from ashiato.assets import locales_dir

LOCALES = ("ja", "en")
DEFAULT_LOCALE = "ja"
DEFAULT_TIME_ZONE = "Asia/Tokyo"
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}

_locale: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)
_time_zone: contextvars.ContextVar[str] = contextvars.ContextVar(
    "time_zone", default=DEFAULT_TIME_ZONE
)


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """The compiled catalog of one locale (English source strings need none)."""
    po_path = locales_dir() / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def negotiate(
    accept_language: str | None, preferred: str | None = None, default: str = DEFAULT_LOCALE
) -> str:
    """Member's own choice first, then the browser's Accept-Language, then the site's
    default (settings.default_locale, ASHIATO_DEFAULT_LOCALE)."""
    if preferred in LOCALES:
        return preferred
    if accept_language:
        candidates = []
        for index, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            candidates.append((-quality, index, tag.strip()))
        for _, _, tag in sorted(candidates):
            if tag == "*":
                break
            try:
                language = Locale.parse(tag, sep="-").language
            except (ValueError, UnknownLocaleError):
                continue
            if language in LOCALES:
                return language
    return default if default in LOCALES else DEFAULT_LOCALE


def current_locale() -> str:
    return _locale.get()


def current_time_zone() -> str:
    return _time_zone.get()


def activate(locale: str, time_zone: str | None = None) -> None:
    """Set the locale (and time zone) for the rest of this request or task."""
    _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    _time_zone.set(time_zone or DEFAULT_TIME_ZONE)


@contextlib.contextmanager
def using(locale: str, time_zone: str | None = None) -> Iterator[None]:
    """Temporarily speak another member's language (e.g. a mail to them)."""
    locale_token = _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    zone_token = _time_zone.set(time_zone or DEFAULT_TIME_ZONE)
    try:
        yield
    finally:
        _locale.reset(locale_token)
        _time_zone.reset(zone_token)


def gettext(message: str, /, **variables: object) -> str:
    text = translations(current_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, /, **variables: object) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text % {"num": format_number(n), **variables}


def template_ngettext(singular: str, plural: str, n: int) -> str:
    """ngettext for Jinja, which formats the other placeholders itself afterwards: only
    the count is filled here, with Babel's number formatting (1,200 rather than 1200)."""
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text.replace("%(num)s", format_number(n).replace("%", "%%"))


def lazy_gettext(message: str, /, **variables: object) -> LazyProxy:
    """For labels defined at import time: translated when shown, in the locale of that moment."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


_ = gettext


# -- formatting ------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(current_time_zone())


def localtime(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(_zone())


def format_datetime(value: dt.datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return babel_dates.format_datetime(
        localtime(value), format=format, tzinfo=_zone(), locale=current_locale()
    )


def format_date(value: dt.date | dt.datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = localtime(value).date()
    return babel_dates.format_date(value, format=format, locale=current_locale())


def format_number(value: int | float) -> str:
    return babel_numbers.format_decimal(value, locale=current_locale())


def format_ago(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """'5 minutes ago' / '5分前' in the current locale."""
    if value is None:
        return ""
    now = now or dt.datetime.now(dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return babel_dates.format_timedelta(
        value - now, add_direction=True, threshold=1, locale=current_locale()
    )
