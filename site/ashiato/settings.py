"""Every knob of the site, read from the environment with safe defaults.

Nothing else reads os.environ: tests and the CLI build a Settings and pass it down.

Each setting is declared once, as a field of `Settings` made with `setting(...)`: its
environment variable, its default, its type (the annotation) and the sentence the README
shows. `Settings.from_env` parses every field generically from its type, and
`readme_table()` prints the README's settings table from the same declarations
(tests/test_settings.py fails when README.md differs; `python -m ashiato.settings README.md`
rewrites the table).
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

import argon2.profiles

from ashiato.i18n import LOCALES

MOBILE_POLICIES = ("required", "jp-only", "off")
# The Argon2 cost profiles argon2-cffi names (argon2.profiles); CHEAPEST is for tests only.
PASSWORD_HASH_PROFILES = tuple(name for name in dir(argon2.profiles) if name.isupper())

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})

README_START = "<!-- settings table: generated from site/ashiato/settings.py -->"
README_END = "<!-- end of settings table -->"

# A default computed from the other values and the environment when the variable is unset.
Derived = Callable[[dict[str, Any], Mapping[str, str]], Any]
Parser = Callable[[str], Any]


class SettingError(SystemExit):
    """A variable that cannot be read: the process stops and says which one and why."""


def setting(
    env: str,
    default: Any,
    doc: str,
    *,
    shown: str | None = None,
    choices: tuple[str, ...] = (),
    parse: Parser | None = None,
    derived: Derived | None = None,
) -> Any:
    """Declare one setting: `env` variable, `default`, README text `doc`.

    `shown` replaces the default in the README when the default is computed (`derived`,
    or filled in by `Settings.resolved`); `choices` lists the only values accepted;
    `parse` reads the raw text when the field's type alone does not say how.
    """
    metadata = {
        "env": env,
        "doc": doc,
        "shown": shown,
        "choices": choices,
        "parse": parse,
        "derived": derived,
    }
    return field(default=default, metadata=metadata)


def _host_port(raw: str, default_port: int = 25) -> tuple[str, int]:
    host, _, port = raw.rpartition(":")
    if not host:
        return raw, default_port
    return host, int(port)


def _lower_list(raw: str) -> tuple[str, ...]:
    return tuple(item.lower() for item in _list(raw))


def _list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _bool(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"expected one of {sorted(TRUE_WORDS | FALSE_WORDS)}")


# How a field's type is read from its variable's text (the annotation names the type).
PARSERS: dict[Any, Parser] = {
    str: str,
    int: int,
    float: float,
    bool: _bool,
    Path: Path,
    tuple[str, ...]: _list,
    tuple[str, int]: _host_port,
}


@dataclass(frozen=True)
class Settings:
    """The site's configuration: one field per environment variable (README "Settings")."""

    database_url: str = setting(
        "DATABASE_URL",
        "",
        "`sqlite:///path` or `postgres://user@host:port/db`",
        shown="`sqlite:///var/ashiato.sqlite3`",
    )
    secret_key: str = setting(
        "ASHIATO_SECRET_KEY",
        "",
        "signs CSRF tokens; set it in production",
        shown="generated into `var/secret_key`",
    )
    var_dir: Path = setting(
        "ASHIATO_VAR_DIR", Path("var"), "SQLite file, sessions, generated secret"
    )
    base_url: str = setting(
        "ASHIATO_BASE_URL",
        "http://localhost:8000",
        "used in links sent by mail",
        parse=lambda raw: raw.rstrip("/"),
    )
    mail_domain: str = setting(
        "ASHIATO_MAIL_DOMAIN",
        "mail.example.jp",
        "the domain the gateway answers for (`regist+…@`, `post+…@`)",
    )
    mail_from: str = setting(
        "ASHIATO_MAIL_FROM",
        "",
        "sender of outgoing mail",
        shown="`no-reply@<mail domain>`",
        derived=lambda values, env: f"no-reply@{values['mail_domain']}",
    )
    smtp_relay: tuple[str, int] = setting(
        "ASHIATO_SMTP_RELAY",
        ("127.0.0.1", 1025),
        "`host:port` of the relay the outbox delivers to (port 25 when left out)",
        shown="`127.0.0.1:1025`",
    )
    dev_mail_sink: bool = setting(
        "ASHIATO_DEV_MAIL_SINK",
        True,
        "`serve` keeps outgoing mail under `var/mail-sink/`, shown to admins at `/admin/mail`",
        shown="on when `ASHIATO_SMTP_RELAY` is unset",
        # No relay configured: development, so `serve` keeps outgoing mail locally.
        derived=lambda values, env: not env.get("ASHIATO_SMTP_RELAY"),
    )
    redis_url: str = setting(
        "ASHIATO_REDIS_URL",
        "",
        "`redis://…`: sessions and login limits shared by several processes (else sessions "
        "in files under `var/`, limits in memory)",
    )
    secure_cookies: bool = setting("ASHIATO_SECURE_COOKIES", False, "`true` behind HTTPS")
    default_locale: str = setting(
        "ASHIATO_DEFAULT_LOCALE",
        "ja",
        "page language (`ja` or `en`) when neither the member, the `lang` cookie nor the "
        "browser's `Accept-Language` says",
        choices=LOCALES,
    )
    default_time_zone: str = setting("ASHIATO_TIME_ZONE", "Asia/Tokyo", "time zone of new members")
    invitation_days: int = setting(
        "ASHIATO_INVITATION_DAYS", 14, "how long an invitation link works"
    )
    invitation_quota: int = setting(
        "ASHIATO_INVITATION_QUOTA", 10, "invitations per member (administrators have none)"
    )
    verification_hours: int = setting(
        "ASHIATO_VERIFICATION_HOURS", 48, "how long an e-mail confirmation link works"
    )
    require_admin_approval: bool = setting(
        "ASHIATO_REQUIRE_APPROVAL", False, "`true`: an administrator approves each sign-up"
    )
    mobile_verification: str = setting(
        "ASHIATO_MOBILE_VERIFICATION",
        "off",
        "`required`, `jp-only` (sign-ups from Japanese IP addresses) or `off`",
        choices=MOBILE_POLICIES,
    )
    login_attempts: int = setting(
        "ASHIATO_LOGIN_ATTEMPTS", 5, "failed logins per address or client before a pause"
    )
    login_window_seconds: int = setting(
        "ASHIATO_LOGIN_WINDOW_SECONDS",
        900,
        "how long the failed logins are counted and the pause lasts",
    )
    password_hash_profile: str = setting(
        "ASHIATO_PASSWORD_HASH_PROFILE",
        "RFC_9106_LOW_MEMORY",
        "Argon2 cost of password hashes: an argon2-cffi profile, `RFC_9106_LOW_MEMORY`, "
        "`RFC_9106_HIGH_MEMORY`, `PRE_21_2` or `CHEAPEST` (tests only); a hash of another "
        "cost is redone at the member's next log-in",
        choices=PASSWORD_HASH_PROFILES,
    )
    forwarded_allow_ips: tuple[str, ...] = setting(
        "ASHIATO_FORWARDED_ALLOW_IPS",
        (),
        "comma-separated addresses of the reverse proxies whose `X-Forwarded-For` and "
        "`X-Forwarded-Proto` give the client's address and scheme (uvicorn's "
        "`forwarded_allow_ips`); unset: the connection's own address counts",
    )
    db_pool_size: int = setting(
        "ASHIATO_DB_POOL_SIZE",
        20,
        "PostgreSQL connections per process; on SQLite, reader connections (at most 4) "
        "beside the one writer (0: a connection per query)",
    )
    footprint_list_length: int = setting(
        "ASHIATO_FOOTPRINT_LIST_LENGTH", 30, "visitors shown on the 足あと page"
    )
    footprint_retention_days: int = setting(
        "ASHIATO_FOOTPRINT_RETENTION_DAYS",
        90,
        "footprints older than this are pruned (hourly by `serve`; lifetime counts stay)",
    )
    upload_max_bytes: int = setting(
        "ASHIATO_UPLOAD_MAX_BYTES", 5 * 1024 * 1024, "largest photo upload, in bytes (web and mail)"
    )
    upload_max_pixels: int = setting(
        "ASHIATO_UPLOAD_MAX_PIXELS", 24_000_000, "largest photo, in pixels (web and mail)"
    )
    mail_size_limit: int = setting(
        "ASHIATO_MAIL_SIZE_LIMIT", 2 * 1024 * 1024, "largest mail the gateway accepts (552 above)"
    )
    max_friends: int = setting("ASHIATO_MAX_FRIENDS", 1000, "maimiku per member")
    messages_per_hour: int = setting(
        "ASHIATO_MESSAGES_PER_HOUR", 30, "messages a member may send per hour"
    )
    comments_per_hour: int = setting(
        "ASHIATO_COMMENTS_PER_HOUR", 60, "comments a member may write per hour"
    )
    new_member_days: int = setting(
        "ASHIATO_NEW_MEMBER_DAYS", 7, "how long a member counts as new (links per post limited)"
    )
    new_member_max_links: int = setting(
        "ASHIATO_NEW_MEMBER_MAX_LINKS", 1, "links allowed per post for new members"
    )
    carrier_domains: tuple[str, ...] = setting(
        "ASHIATO_CARRIER_DOMAINS",
        (),  # () means mailgate.carriers.DEFAULT_CARRIER_DOMAINS
        "comma-separated sender domains accepted as mobile carriers",
        shown="the Japanese carriers' domains",
        parse=_lower_list,
    )
    smtp_idle_seconds: int = setting(
        "ASHIATO_SMTP_IDLE_SECONDS", 120, "gateway: seconds a connection may stay silent"
    )
    smtp_session_seconds: int = setting(
        "ASHIATO_SMTP_SESSION_SECONDS", 600, "gateway: seconds a connection may last"
    )
    smtp_max_recipients: int = setting(
        "ASHIATO_SMTP_MAX_RECIPIENTS", 50, "RCPT commands per gateway connection"
    )
    smtp_tls_cert: str = setting(
        "ASHIATO_SMTP_TLS_CERT", "", "PEM certificate file: the gateway offers STARTTLS"
    )
    smtp_tls_key: str = setting(
        "ASHIATO_SMTP_TLS_KEY", "", "PEM key file of `ASHIATO_SMTP_TLS_CERT`"
    )
    template_reload: bool = setting(
        "ASHIATO_TEMPLATE_RELOAD",
        False,
        "re-read a template when its file changes (development; off: read once)",
    )
    outbox_poll_seconds: float = setting(
        "ASHIATO_OUTBOX_POLL_SECONDS", 2.0, "how often the outbox sender looks for due mail"
    )
    outbox_max_attempts: int = setting(
        "ASHIATO_OUTBOX_MAX_ATTEMPTS", 12, "delivery attempts of one mail before it is given up"
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from `env` (default: the process environment); an unset or
        empty variable keeps the default. A value that cannot be read stops the process."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        derived: list[tuple[str, Derived]] = []
        for spec in fields(cls):
            meta = spec.metadata
            raw = env.get(meta["env"], "")
            if raw == "":
                if meta["derived"] is not None:
                    derived.append((spec.name, meta["derived"]))
                continue
            values[spec.name] = _parse(spec.name, meta, raw)
        for name, compute in derived:  # after the others: they may depend on them
            values[name] = compute({**_defaults(), **values}, env)
        return cls(**values)

    def resolved(self) -> Settings:
        """Fill the defaults that depend on the machine: database file and secret key."""
        database_url = self.database_url or f"sqlite:///{(self.var_dir / 'ashiato.sqlite3')}"
        secret_key = self.secret_key or _local_secret(self.var_dir)
        return replace(self, database_url=database_url, secret_key=secret_key)

    @property
    def media_dir(self) -> Path:
        """Uploaded photos (re-encoded, EXIF removed); served only through permission checks."""
        return self.var_dir / "media"

    @property
    def mail_sink_dir(self) -> Path:
        return self.var_dir / "mail-sink"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))


@cache
def _types() -> dict[str, Any]:
    return typing.get_type_hints(Settings)


def _defaults() -> dict[str, Any]:
    return {spec.name: spec.default for spec in fields(Settings) if spec.default is not MISSING}


def _parse(name: str, meta: Mapping[str, Any], raw: str) -> Any:
    parser = meta["parse"] or PARSERS[_types()[name]]
    try:
        value = parser(raw)
    except ValueError as exc:
        raise SettingError(f"{meta['env']}: cannot read {raw!r} ({exc})") from exc
    if meta["choices"] and value not in meta["choices"]:
        raise SettingError(f"{meta['env']} must be one of {', '.join(meta['choices'])}")
    return value


def _local_secret(var_dir: Path) -> str:
    """A per-installation secret kept under var/, so sessions survive restarts in development."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


# -- the README's table -------------------------------------------------------------------


def _shown_default(value: Any) -> str:
    if value in ("", ()):
        return "unset"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    return f"`{value}`"


def readme_rows() -> list[str]:
    """One Markdown table row per setting, in declaration order."""
    rows = []
    for spec in fields(Settings):
        meta = spec.metadata
        shown = meta["shown"] or _shown_default(spec.default)
        rows.append(f"| `{meta['env']}` | {shown} | {meta['doc']} |")
    return rows


def readme_table() -> str:
    header = ["| variable | default | meaning |", "| --- | --- | --- |"]
    return "\n".join([README_START, *header, *readme_rows(), README_END])


def rewrite_readme(path: Path) -> bool:
    """Replace the generated table in README.md; True when something changed."""
    text = path.read_text()
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{path}: no generated settings table ({README_START!r}) to replace")
    new = pattern.sub(lambda _: readme_table(), text)
    path.write_text(new)
    return new != text


if __name__ == "__main__":  # python -m ashiato.settings [README.md]
    if len(sys.argv) > 1:
        changed = rewrite_readme(Path(sys.argv[1]))
        print(f"{sys.argv[1]}: {'rewritten' if changed else 'already up to date'}")
    else:
        print(readme_table())
