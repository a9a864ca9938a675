"""Settings are declared once: the environment, the defaults and README.md agree."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from ashiato import settings as settings_module
from ashiato.settings import README_END, README_START, Settings

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `(?P<env>[A-Z_]+)` \|")


def _readme_rows() -> dict[str, str]:
    text = README.read_text()
    assert README_START in text and README_END in text, (
        f"README.md has lost the markers of its generated settings table ({README_START!r})"
    )
    block = text.split(README_START, 1)[1].split(README_END, 1)[0]
    rows: dict[str, str] = {}
    for line in block.strip().splitlines():
        found = ROW.match(line)
        if found:
            rows[found["env"]] = line
    return rows


def test_the_readme_table_is_the_one_settings_py_declares():
    declared = {ROW.match(row)["env"]: row for row in settings_module.readme_rows()}
    written = _readme_rows()
    fix = "run `python -m ashiato.settings README.md`"
    for env, row in declared.items():
        assert env in written, f"README.md has no row for {env}; expected\n{row}\n({fix})"
        assert written[env] == row, (
            f"README.md's row for {env} differs from settings.py:\n"
            f"README.md:   {written[env]}\nsettings.py: {row}\n({fix})"
        )
    extra = sorted(set(written) - set(declared))
    assert not extra, f"README.md describes settings that settings.py does not have: {extra}"
    assert list(written) == list(declared), f"README.md lists the settings in another order ({fix})"


def test_every_field_names_its_variable_once():
    names = [spec.metadata.get("env") for spec in fields(Settings)]
    assert all(names), "a Settings field was declared without setting(...)"
    assert len(names) == len(set(names))
    assert all(name == "DATABASE_URL" or name.startswith("ASHIATO_") for name in names)


def test_an_empty_environment_gives_the_declared_defaults():
    defaults = Settings.from_env({})
    assert replace(defaults, mail_from="") == Settings()
    assert defaults.mail_from == "no-reply@mail.example.jp"
    assert defaults.dev_mail_sink is True
    assert defaults.password_hash_profile == "RFC_9106_LOW_MEMORY"
    assert defaults.forwarded_allow_ips == ()


def test_each_type_is_read_from_its_variable():
    read = Settings.from_env(
        {
            "ASHIATO_VAR_DIR": "/srv/ashiato",
            "ASHIATO_BASE_URL": "https://ashiato.example/",
            "ASHIATO_MAIL_DOMAIN": "m.ashiato.example",
            "ASHIATO_SMTP_RELAY": "relay.example",
            "ASHIATO_SECURE_COOKIES": "yes",
            "ASHIATO_LOGIN_ATTEMPTS": "7",
            "ASHIATO_OUTBOX_POLL_SECONDS": "0.5",
            "ASHIATO_DEFAULT_LOCALE": "en",
            "ASHIATO_PASSWORD_HASH_PROFILE": "CHEAPEST",
            "ASHIATO_FORWARDED_ALLOW_IPS": "10.0.0.1, 10.0.0.2,",
            "ASHIATO_CARRIER_DOMAINS": "DoCoMo.ne.jp, ezweb.ne.jp",
        }
    )
    assert read.var_dir == Path("/srv/ashiato")
    assert read.base_url == "https://ashiato.example"
    assert read.mail_from == "no-reply@m.ashiato.example"  # derived from the mail domain
    assert read.smtp_relay == ("relay.example", 25)
    assert read.dev_mail_sink is False  # a relay is configured: no local sink
    assert read.secure_cookies is True
    assert read.login_attempts == 7
    assert read.outbox_poll_seconds == 0.5
    assert read.default_locale == "en"
    assert read.password_hash_profile == "CHEAPEST"
    assert read.forwarded_allow_ips == ("10.0.0.1", "10.0.0.2")
    assert read.carrier_domains == ("docomo.ne.jp", "ezweb.ne.jp")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ASHIATO_LOGIN_ATTEMPTS", "five"),
        ("ASHIATO_SECURE_COOKIES", "perhaps"),
        ("ASHIATO_SMTP_RELAY", "relay:smtp"),
        ("ASHIATO_MOBILE_VERIFICATION", "sometimes"),
        ("ASHIATO_DEFAULT_LOCALE", "fr"),
        ("ASHIATO_PASSWORD_HASH_PROFILE", "FASTEST"),
    ],
)
def test_a_value_that_cannot_be_read_stops_start_up_naming_its_variable(variable, value):
    with pytest.raises(SystemExit, match=variable):
        Settings.from_env({variable: value})


def test_the_proxy_header_setting_gave_way_to_the_trusted_proxy_addresses():
    assert not hasattr(Settings(), "trusted_proxy_header")
    assert "ASHIATO_TRUSTED_PROXY_HEADER" not in README.read_text()


@pytest.mark.parametrize(
    ("default_locale", "accept_language", "cookie", "expected"),
    [
        ("en", None, None, "en"),  # nobody says: the site's default
        ("ja", None, None, "ja"),
        ("en", "ja,en;q=0.5", None, "ja"),  # the browser says
        ("ja", "fr-FR", None, "ja"),  # the browser says only what we do not speak
        ("en", "fr-FR", None, "en"),
        ("en", "en-US", "ja", "ja"),  # the lang cookie says
    ],
)
async def test_the_default_locale_chooses_the_page_language_when_nobody_says(
    settings, default_locale, accept_language, cookie, expected
):
    from ashiato.app import create_app

    app = create_app(replace(settings, default_locale=default_locale))
    headers = {"accept-language": accept_language} if accept_language else {}
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        if cookie:
            client.cookies["lang"] = cookie
        page = await client.get("/login", headers=headers)
        missing = await client.get("/no-such-page", headers=headers)
    assert f'<html lang="{expected}"' in page.text
    assert missing.status_code == 404 and f'<html lang="{expected}"' in missing.text
