"""Every knob of the site, read from the environment with safe defaults.

Nothing else reads os.environ: tests and the CLI build a Settings and pass it down.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

MOBILE_POLICIES = ("required", "jp-only", "off")


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from exc


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _host_port(raw: str, default_port: int) -> tuple[str, int]:
    host, _, port = raw.rpartition(":")
    if not host:
        return raw, default_port
    return host, int(port)


@dataclass(frozen=True)
class Settings:
    """The site's configuration; see README.md "Settings" for each variable."""

    database_url: str = ""
    secret_key: str = ""
    var_dir: Path = Path("var")
    base_url: str = "http://localhost:8000"
    mail_domain: str = "mail.example.jp"
    mail_from: str = ""
    smtp_relay: tuple[str, int] = ("127.0.0.1", 1025)
    redis_url: str = ""
    secure_cookies: bool = False
    default_locale: str = "ja"
    default_time_zone: str = "Asia/Tokyo"
    invitation_days: int = 14
    invitation_quota: int = 10
    verification_hours: int = 48
    require_admin_approval: bool = False
    mobile_verification: str = "off"
    login_attempts: int = 5
    login_window_seconds: int = 900
    db_pool_size: int = 20
    footprint_list_length: int = 30
    footprint_retention_days: int = 90
    upload_max_bytes: int = 5 * 1024 * 1024
    upload_max_pixels: int = 24_000_000
    mail_size_limit: int = 2 * 1024 * 1024
    max_friends: int = 1000
    messages_per_hour: int = 30
    comments_per_hour: int = 60
    new_member_days: int = 7
    new_member_max_links: int = 1
    dev_mail_sink: bool = True
    trusted_proxy_header: str = ""
    # Argon2 cost: a name from argon2.profiles (tests use CHEAPEST; never in production).
    password_hash_profile: str = "RFC_9106_LOW_MEMORY"
    # Addresses of reverse proxies whose X-Forwarded-For is believed (uvicorn's setting).
    forwarded_allow_ips: tuple[str, ...] = ()
    carrier_domains: tuple[str, ...] = ()  # () means mailgate.carriers.DEFAULT_CARRIER_DOMAINS
    smtp_idle_seconds: int = 120
    smtp_session_seconds: int = 600
    smtp_max_recipients: int = 50
    smtp_tls_cert: str = ""
    smtp_tls_key: str = ""
    outbox_poll_seconds: float = 2.0
    outbox_max_attempts: int = 12

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("ASHIATO_VAR_DIR", "var"))
        relay = env.get("ASHIATO_SMTP_RELAY", "127.0.0.1:1025")
        policy = env.get("ASHIATO_MOBILE_VERIFICATION", "off")
        if policy not in MOBILE_POLICIES:
            raise SystemExit(f"ASHIATO_MOBILE_VERIFICATION must be one of {MOBILE_POLICIES}")
        mail_domain = env.get("ASHIATO_MAIL_DOMAIN", "mail.example.jp")
        return cls(
            database_url=env.get("DATABASE_URL", ""),
            secret_key=env.get("ASHIATO_SECRET_KEY", ""),
            var_dir=var_dir,
            base_url=env.get("ASHIATO_BASE_URL", "http://localhost:8000").rstrip("/"),
            mail_domain=mail_domain,
            mail_from=env.get("ASHIATO_MAIL_FROM", f"no-reply@{mail_domain}"),
            smtp_relay=_host_port(relay, 25),
            # No relay configured: development, so `serve` keeps outgoing mail locally.
            dev_mail_sink=_bool(env, "ASHIATO_DEV_MAIL_SINK", "ASHIATO_SMTP_RELAY" not in env),
            redis_url=env.get("ASHIATO_REDIS_URL", ""),
            secure_cookies=_bool(env, "ASHIATO_SECURE_COOKIES", False),
            default_locale=env.get("ASHIATO_DEFAULT_LOCALE", "ja"),
            default_time_zone=env.get("ASHIATO_TIME_ZONE", "Asia/Tokyo"),
            invitation_days=_int(env, "ASHIATO_INVITATION_DAYS", 14),
            invitation_quota=_int(env, "ASHIATO_INVITATION_QUOTA", 10),
            verification_hours=_int(env, "ASHIATO_VERIFICATION_HOURS", 48),
            require_admin_approval=_bool(env, "ASHIATO_REQUIRE_APPROVAL", False),
            mobile_verification=policy,
            login_attempts=_int(env, "ASHIATO_LOGIN_ATTEMPTS", 5),
            db_pool_size=_int(env, "ASHIATO_DB_POOL_SIZE", 20),
            footprint_list_length=_int(env, "ASHIATO_FOOTPRINT_LIST_LENGTH", 30),
            footprint_retention_days=_int(env, "ASHIATO_FOOTPRINT_RETENTION_DAYS", 90),
            upload_max_bytes=_int(env, "ASHIATO_UPLOAD_MAX_BYTES", 5 * 1024 * 1024),
            upload_max_pixels=_int(env, "ASHIATO_UPLOAD_MAX_PIXELS", 24_000_000),
            mail_size_limit=_int(env, "ASHIATO_MAIL_SIZE_LIMIT", 2 * 1024 * 1024),
            max_friends=_int(env, "ASHIATO_MAX_FRIENDS", 1000),
            messages_per_hour=_int(env, "ASHIATO_MESSAGES_PER_HOUR", 30),
            comments_per_hour=_int(env, "ASHIATO_COMMENTS_PER_HOUR", 60),
            new_member_days=_int(env, "ASHIATO_NEW_MEMBER_DAYS", 7),
            new_member_max_links=_int(env, "ASHIATO_NEW_MEMBER_MAX_LINKS", 1),
            trusted_proxy_header=env.get("ASHIATO_TRUSTED_PROXY_HEADER", "").strip().lower(),
            password_hash_profile=env.get("ASHIATO_PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY"),
            forwarded_allow_ips=tuple(
                a.strip()
                for a in env.get("ASHIATO_FORWARDED_ALLOW_IPS", "").split(",")
                if a.strip()
            ),
            carrier_domains=tuple(
                d.strip().lower()
                for d in env.get("ASHIATO_CARRIER_DOMAINS", "").split(",")
                if d.strip()
            ),
            smtp_idle_seconds=_int(env, "ASHIATO_SMTP_IDLE_SECONDS", 120),
            smtp_session_seconds=_int(env, "ASHIATO_SMTP_SESSION_SECONDS", 600),
            smtp_max_recipients=_int(env, "ASHIATO_SMTP_MAX_RECIPIENTS", 50),
            smtp_tls_cert=env.get("ASHIATO_SMTP_TLS_CERT", ""),
            smtp_tls_key=env.get("ASHIATO_SMTP_TLS_KEY", ""),
            login_window_seconds=_int(env, "ASHIATO_LOGIN_WINDOW_SECONDS", 900),
        )

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


def _local_secret(var_dir: Path) -> str:
    """A per-installation secret kept under var/, so sessions survive restarts in development."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
