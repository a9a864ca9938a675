"""Both catalogs are complete, and formatting follows the member's locale."""

from __future__ import annotations

import datetime as dt

from ashiato import catalogs, i18n


def test_catalogs_are_complete_and_not_fuzzy():
    assert catalogs.problems() == []


def test_check_reports_a_missing_msgid(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    locales = tmp_path / "locales"
    template = Catalog()
    template.add("Hello")
    template.add("Goodbye")
    (locales).mkdir()
    with (locales / "messages.pot").open("wb") as handle:
        write_po(handle, template)
    for locale in i18n.LOCALES:
        catalog = Catalog(locale=locale)
        catalog.add("Hello", "x")
        catalog.add("Goodbye", "y", flags=["fuzzy"] if locale == "ja" else [])
        (locales / locale / "LC_MESSAGES").mkdir(parents=True)
        if locale == "en":
            catalog.delete("Goodbye")
        with (locales / locale / "LC_MESSAGES" / "messages.po").open("wb") as handle:
            write_po(handle, catalog)
    monkeypatch.setattr(catalogs, "locales_dir", lambda: locales)
    found = catalogs.problems()
    assert "en: missing msgid 'Goodbye'" in found
    assert "ja: fuzzy 'Goodbye'" in found


def test_negotiation_prefers_the_member_then_the_browser_then_japanese():
    assert i18n.negotiate("en-US,en;q=0.9", preferred="ja") == "ja"
    assert i18n.negotiate("fr-FR, en;q=0.8, ja;q=0.5") == "en"
    assert i18n.negotiate("ja;q=0.4, en;q=0.9") == "en"
    assert i18n.negotiate("fr, de") == "ja"
    assert i18n.negotiate(None) == "ja"
    assert i18n.negotiate("garbage;;q=x") == "ja"


def test_dates_numbers_and_plurals_follow_the_locale():
    moment = dt.datetime(2026, 4, 1, 3, 0, tzinfo=dt.UTC)  # 12:00 in Tokyo
    with i18n.using("ja"):
        assert "2026/04/01" in i18n.format_datetime(moment) and "12:00" in i18n.format_datetime(
            moment
        )
        assert i18n.format_number(4111) == "4,111"
        assert i18n.format_ago(moment - dt.timedelta(minutes=5), now=moment) == "5 分前"
    with i18n.using("en", "America/New_York"):
        assert "Mar 31, 2026" in i18n.format_datetime(moment)
        assert i18n.format_ago(moment - dt.timedelta(minutes=1), now=moment) == "1 minute ago"
        assert i18n.ngettext("%(num)s invitation", "%(num)s invitations", 1) == "1 invitation"
        assert (
            i18n.ngettext("%(num)s invitation", "%(num)s invitations", 1200) == "1,200 invitations"
        )


def test_templates_format_plurals_with_other_placeholders_and_babel_numbers():
    from ashiato.app import make_jinja_environment

    environment = make_jinja_environment()
    template = environment.from_string(
        '{{ ngettext("%(num)s member of %(name)s", "%(num)s members of %(name)s", n, name=c) }}'
    )
    with i18n.using("en"):
        assert template.render(n=1, c="<DS>") == "1 member of &lt;DS&gt;"
        assert template.render(n=6388, c="DS") == "6,388 members of DS"
