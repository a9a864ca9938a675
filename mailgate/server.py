"""The SMTP listener: aiosmtpd on the web app's event loop, answering for the mail domain.

RCPT resolves regist+TOKEN@, post+TOKEN@ and reply+TOKEN@ to a member and checks the
sender (ashiato.mobile, the address layer); DATA decodes the mail and calls the same
services as the web app: mobile.verify_mobile for a registration, ashiato.mailpost for a
diary or a comment (which writes through ashiato.diaries). Every refusal is a Refusal
(ashiato.refusals), answered with its SMTP reply. Every decision is one structured log
line and one GatewayEvent row; an accepted diary or comment has its event written in the
same transaction. 250 is said only after the service has committed; a failure of ours is
451, so the carrier keeps the mail and retries. Only one recipient is
accepted per message: one SMTP reply answers for the whole message, so one message is one
decision.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from ashiato import db
from ashiato.errors import DomainError, refusal_of
from ashiato.mailpost import service as mailpost
from ashiato.mailpost.service import MailPost, Recorder
from ashiato.mobile import service as mobile
from ashiato.mobile.tables import AddressPurpose
from ashiato.refusals import Refusal
from ashiato.settings import Settings
from mailgate import replies
from mailgate.carriers import carrier_of
from mailgate.decode import MalformedMail, decode_headers, decode_message
from mailgate.quotes import reply_text

log = logging.getLogger("mailgate")

NULL_SENDER = "<>"  # MAIL FROM:<> — bounces and other delivery reports
_NULL_PATH = re.compile(r"^<>(\s|$)")
_SIZE_PARAM = re.compile(r"(?:^|\s)SIZE=(\d+)", re.IGNORECASE)
_TOO_MUCH_DATA = "552 Error: Too much mail data"  # aiosmtpd's own reply at DATA


@dataclass(frozen=True)
class Target:
    """The recipient accepted at RCPT, for DATA."""

    purpose: str
    token: str
    member_id: int
    address: str


class GatewayHandler:
    """aiosmtpd's handler: routes each mail to its service and answers for it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # -- RCPT ----------------------------------------------------------------------------

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        sender = envelope.mail_from or ""
        facts = {"stage": "RCPT", "session": session, "mail_from": sender, "rcpt_to": address}
        if getattr(envelope, "gateway_target", None) is not None:
            return await self._decide("refused", Refusal.TOO_MANY_RECIPIENTS, **facts)
        local, _, domain = address.rpartition("@")
        if domain.lower().rstrip(".") != self.settings.mail_domain.lower():
            return await self._decide("refused", Refusal.RELAY_DENIED, **facts)
        purpose, plus, token = local.partition("+")
        purpose = purpose.lower()
        if not plus or purpose not in mobile.PURPOSES:
            return await self._decide("refused", Refusal.UNKNOWN_RECIPIENT, **facts)
        facts["purpose"] = purpose
        if sender == NULL_SENDER:  # a bounce or delivery report: never a member writing
            return await self._decide("refused", Refusal.AUTO_GENERATED, **facts)
        try:
            recipient = await mobile.resolve_recipient(purpose, token)
            if recipient is None:
                facts["member_id"] = await self._notify_unknown(purpose, address, sender)
                return await self._decide("refused", Refusal.UNKNOWN_RECIPIENT, **facts)
            facts["member_id"] = recipient.member.id
            await mobile.check_sender(recipient, sender, self.settings)
        except DomainError as error:
            # Only for posting addresses: nothing automatic mails them, whereas an
            # auto-reply to a comment notification goes to a reply address, and before
            # DATA its headers cannot show that it is one.
            if purpose == AddressPurpose.POST:
                await self._notify(purpose, token, sender, error)
            return await self._refuse(error, **facts)
        except Exception:
            log.exception("mailgate: RCPT %s failed", mobile.mask_address(address))
            return await self._decide("deferred", Refusal.TEMPORARY_FAILURE, **facts)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        envelope.gateway_target = Target(purpose, recipient.token, recipient.member.id, address)
        logged = {key: value for key, value in facts.items() if key != "session"}
        self._log("recipient-ok", "", replies.RECIPIENT_OK, peer=_peer(session), **logged)
        return replies.RECIPIENT_OK

    # -- DATA ----------------------------------------------------------------------------

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        target: Target = envelope.gateway_target
        raw = bytes(envelope.original_content or b"")
        facts = {
            "stage": "DATA",
            "session": session,
            "mail_from": envelope.mail_from or "",
            "rcpt_to": target.address,
            "purpose": target.purpose,
            "member_id": target.member_id,
            "size": len(raw),
        }
        if target.purpose == AddressPurpose.REGIST:
            return await self._registration(target, raw, facts)
        if target.purpose == AddressPurpose.REPLY:
            return await self._reply(target, raw, facts)
        return await self._post(target, raw, facts)

    async def _registration(self, target: Target, raw: bytes, facts: dict) -> str:
        """An empty mail (空メール) verifies the phone; its body does not matter."""
        sender = facts["mail_from"]
        try:
            headers = decode_headers(raw)
        except Exception:  # a header block the parser chokes on: still the phone's mail
            log.exception("mailgate: unreadable headers in a registration mail")
            headers = None
        if headers is not None and headers.is_auto_generated:
            return await self._decide("refused", Refusal.AUTO_GENERATED, **facts)
        message_id = (headers.message_id if headers else None) or _content_key(raw)
        facts["message_id"] = message_id
        try:
            verification = await mobile.verify_mobile(
                target.token, sender, message_id=message_id, settings=self.settings
            )
        except DomainError as error:
            return await self._refuse(error, **facts)
        except Exception:
            log.exception("mailgate: verification failed")
            return await self._decide("deferred", Refusal.TEMPORARY_FAILURE, **facts)
        if verification.duplicate:
            return await self._decide("duplicate", "verified", **facts)
        return await self._decide("accepted", "verified", **facts)

    async def _decoded(self, target: Target, raw: bytes, facts: dict) -> Any:
        """The decoded mail of a post or reply, or the reply that refuses it (a str)."""
        sender = facts["mail_from"]
        try:
            decoded = decode_message(raw, carrier=carrier_of(sender, _carrier_domains(self)))
        except Exception as error:
            # MalformedMail, or input the parser should never have choked on: either
            # way the mail cannot become a diary, and a retry will not change that.
            if not isinstance(error, MalformedMail):
                log.exception("mailgate: a mail could not be decoded")
            if not _is_automatic(raw):
                await self._notify(target.purpose, target.token, sender, Refusal.MALFORMED_MIME)
            return await self._decide("refused", Refusal.MALFORMED_MIME, **facts)
        if decoded.is_auto_generated:
            return await self._decide("refused", Refusal.AUTO_GENERATED, **facts)
        if not decoded.header_from.strip():  # no header block: not a mail a phone sent
            return await self._decide("refused", Refusal.MALFORMED_MIME, **facts)
        facts["message_id"] = decoded.message_id or _content_key(raw)
        return decoded

    async def _post(self, target: Target, raw: bytes, facts: dict) -> str:
        """A diary by mail: decoded, then written by mailpost's accept_post."""
        decoded = await self._decoded(target, raw, facts)
        if isinstance(decoded, str):
            return decoded
        post = MailPost(
            subject=_printable(decoded.subject),
            body=_printable(decoded.body_without_signature),
            photos=list(decoded.images),
        )
        return await self._write(
            target,
            facts,
            "posted",
            lambda record: mailpost.accept_post(
                target.token,
                facts["mail_from"],
                post,
                message_id=facts["message_id"],
                settings=self.settings,
                record=record,
            ),
        )

    async def _reply(self, target: Target, raw: bytes, facts: dict) -> str:
        """A reply to a comment notification: its own words become a comment."""
        decoded = await self._decoded(target, raw, facts)
        if isinstance(decoded, str):
            return decoded
        text = _printable(reply_text(decoded.body))
        return await self._write(
            target,
            facts,
            "commented",
            lambda record: mailpost.accept_reply(
                target.token,
                facts["mail_from"],
                text,
                message_id=facts["message_id"],
                settings=self.settings,
                record=record,
            ),
        )

    async def _write(
        self,
        target: Target,
        facts: dict,
        done: str,
        write: Callable[[Recorder], Awaitable[Any]],
    ) -> str:
        """Run the service's write with our record of acceptance inside its transaction,
        and answer: 250 once it has committed, 5xx (and an error mail) for a refusal,
        4xx for a limit of the moment or a failure of ours."""
        record = self._recorder("accepted", done, facts)
        try:
            outcome = await write(record)
        except DomainError as error:
            if refusal_of(error).permanent:  # a limit of the moment is not the member's fault
                await self._notify(target.purpose, target.token, facts["mail_from"], error)
            return await self._refuse(error, **facts)
        except Exception:
            log.exception("mailgate: %s failed", target.purpose)
            return await self._decide("deferred", Refusal.TEMPORARY_FAILURE, **facts)
        if outcome.duplicate:
            return await self._decide("duplicate", done, **facts)
        return await self._decide("accepted", done, recorded=True, **facts)

    # -- size, errors --------------------------------------------------------------------

    async def message_too_large(
        self, session: Session, envelope: Envelope, *, sender: str, declared: int | None
    ) -> str:
        """The limit was hit: declared at MAIL FROM (SIZE=), or counted during DATA."""
        target: Target | None = getattr(envelope, "gateway_target", None)
        facts: dict[str, Any] = {
            "stage": "MAIL" if declared is not None else "DATA",
            "session": session,
            "mail_from": sender,
            "size": declared or 0,
        }
        if target is not None:
            facts.update(rcpt_to=target.address, purpose=target.purpose, member_id=target.member_id)
            await self._notify(target.purpose, target.token, sender, Refusal.MESSAGE_TOO_LARGE)
        return await self._decide("refused", Refusal.MESSAGE_TOO_LARGE, **facts)

    async def handle_exception(self, error: Exception) -> str:
        log.error("mailgate: unexpected error", exc_info=error)
        return replies.TEMPORARY_FAILURE

    async def _notify(
        self, purpose: str, token: str, sender: str, why: Refusal | DomainError
    ) -> None:
        """The member's error mail for a refused post or reply; its failure never changes
        the reply."""
        if purpose not in mobile.WRITING:
            return
        refusal, params = (why, {}) if isinstance(why, Refusal) else (refusal_of(why), why.params)
        try:
            await mailpost.notify_refused(purpose, token, sender, refusal, self.settings, params)
        except Exception:
            log.exception("mailgate: could not queue the error mail")

    async def _notify_unknown(self, purpose: str, address: str, sender: str) -> int | None:
        """A member's mail to a posting address that does not exist: told by mail (at most
        hourly). Returns their id for the record, which the hourly limit counts."""
        try:
            return await mailpost.notify_unknown_address(purpose, address, sender, self.settings)
        except Exception:
            log.exception("mailgate: could not queue the error mail")
            return None

    # -- the record of every decision ----------------------------------------------------

    async def _refuse(self, error: DomainError, **facts: Any) -> str:
        """A service's refusal: 5xx for what will never work, 4xx for a limit of the moment
        (the carrier retries), with the numbers the reply names."""
        refusal = refusal_of(error)
        decision = "deferred" if refusal.temporary else "refused"
        return await self._decide(decision, refusal, params=error.params, **facts)

    async def _decide(
        self,
        decision: str,
        reason: str,
        *,
        recorded: bool = False,
        params: dict[str, int] | None = None,
        **facts: Any,
    ) -> str:
        """Log the decision, record it (unless the service's transaction already has) and
        return the reply that says it. `reason` is a Refusal, or for an accepted mail what
        was done (verified, posted, commented)."""
        reply = _reply_for(decision, reason, params)
        event = _event(decision, reason, reply, **facts)
        logged = {k: v for k, v in event.items() if k not in {"decision", "reason", "reply"}}
        self._log(decision, reason, reply, **logged)
        if recorded:
            return reply
        try:
            await mobile.record_event(**event)
        except Exception as error:  # the database may be the very reason for a 451
            log.warning("mailgate: event not recorded: %r", error)
        return reply

    @staticmethod
    def _recorder(decision: str, reason: str, facts: dict) -> Recorder:
        """Records the decision from inside the service's transaction (facts as they are
        when it runs: the Message-ID is known by then)."""

        async def record() -> None:
            await mobile.record_event(
                **_event(decision, reason, _reply_for(decision, reason), **facts)
            )

        return record

    @staticmethod
    def _log(decision: str, reason: str, reply: str, **facts: Any) -> None:
        """One JSON line per decision (tokens masked), also attached as `record.gateway`."""
        payload = {
            "event": "mailgate",
            "decision": decision,
            "reason": reason,
            "reply": reply,
            **facts,
        }
        payload["rcpt_to"] = mobile.mask_address(str(payload.get("rcpt_to") or ""))
        line = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        log.info(line, extra={"gateway": payload})


def _reply_for(decision: str, reason: str, params: dict[str, int] | None = None) -> str:
    if decision == "accepted":
        return replies.OK
    if decision == "duplicate":
        return replies.OK_DUPLICATE
    return replies.for_refusal(Refusal(reason), params)


def _event(
    decision: str,
    reason: str,
    reply: str,
    *,
    stage: str,
    session: Session | None,
    mail_from: str = "",
    rcpt_to: str = "",
    purpose: str = "",
    member_id: int | None = None,
    message_id: str = "",
    size: int = 0,
) -> dict[str, Any]:
    """The fields of a decision's GatewayEvent (and log line)."""
    return {
        "decision": decision,
        "reason": reason,
        "stage": stage,
        "purpose": purpose,
        "member_id": member_id,
        "mail_from": mail_from,
        "rcpt_to": rcpt_to,
        "message_id": message_id,
        "size": size,
        "peer": _peer(session),
        "reply": reply,
    }


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _printable(text: str) -> str:
    """Text without control characters (NUL cannot even be stored in PostgreSQL's text)."""
    return _CONTROL.sub("", text)


def _carrier_domains(handler: GatewayHandler) -> tuple[str, ...]:
    return mobile.carrier_domains(handler.settings)


def _peer(session: Session | None) -> str:
    peer = getattr(session, "peer", None)
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(peer or "")


def _content_key(raw: bytes) -> str:
    """Stands in for a missing Message-ID (a resend then counts as a new mail)."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _is_automatic(raw: bytes) -> bool:
    try:
        return decode_headers(raw).is_auto_generated
    except Exception:
        return True  # unreadable headers: do not answer what we cannot read


class GatewaySMTP(SMTP):
    """aiosmtpd's SMTP with the gateway's limits: a declared SIZE over the limit is refused
    at MAIL FROM with our reply, a null sender is taken (then refused per recipient, and
    logged), and a connection ends after a fixed time however busy it keeps."""

    event_handler: GatewayHandler

    def __init__(self, handler: GatewayHandler, *, session_seconds: float, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._session_seconds = session_seconds
        self._session_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if self._session_timer is None:  # not again after STARTTLS
            self._session_timer = self.loop.call_later(self._session_seconds, self._session_over)

    def connection_lost(self, error: Exception | None) -> None:
        if self._session_timer is not None:
            self._session_timer.cancel()
        super().connection_lost(error)

    def _session_over(self) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            log.info("mailgate: connection time limit reached for %s", _peer(self.session))
            transport.write(replies.SESSION_TOO_LONG.encode("ascii") + b"\r\n")  # type: ignore[attr-defined]
            transport.close()

    async def smtp_MAIL(self, arg: str | None) -> None:  # noqa: N802
        session, envelope = self.session, self.envelope
        argument = self._strip_command_keyword("FROM:", arg) if arg else None
        if (
            argument is not None
            and session is not None
            and session.host_name
            and envelope is not None
            and not envelope.mail_from
        ):
            declared = _SIZE_PARAM.search(argument)
            limit = self.data_size_limit
            if session.extended_smtp and declared and limit and int(declared.group(1)) > limit:
                sender, _ = self._getaddr(argument)
                reply = await self.event_handler.message_too_large(
                    session, envelope, sender=sender or "", declared=int(declared.group(1))
                )
                await self.push(reply)
                return
            if _NULL_PATH.match(argument):
                envelope.mail_from = NULL_SENDER
                await self.push(replies.SENDER_OK)
                return
        await super().smtp_MAIL(arg)

    async def push(self, status: Any) -> None:
        if status == _TOO_MUCH_DATA and self.session is not None and self.envelope is not None:
            status = await self.event_handler.message_too_large(
                self.session, self.envelope, sender=self.envelope.mail_from or "", declared=None
            )
        await super().push(status)


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    """STARTTLS is offered when a certificate and its key are configured."""
    cert, key = settings.smtp_tls_cert, settings.smtp_tls_key
    if not cert and not key:
        return None
    if not (cert and key):
        raise SystemExit("ASHIATO_SMTP_TLS_CERT and ASHIATO_SMTP_TLS_KEY go together")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as error:
        raise SystemExit(f"cannot load the SMTP certificate {cert}: {error}") from error
    return context


def make_smtp(settings: Settings, context: ssl.SSLContext | None = None) -> SMTP:
    max_rcpt = settings.smtp_max_recipients
    return GatewaySMTP(
        GatewayHandler(settings),
        session_seconds=settings.smtp_session_seconds,
        hostname=settings.mail_domain,
        ident="Ashiato mailgate",
        data_size_limit=settings.mail_size_limit,
        enable_SMTPUTF8=False,
        tls_context=context,
        timeout=settings.smtp_idle_seconds,
        # RCPT per connection: slows down anyone guessing addresses; 421 and hang up.
        command_call_limit={"RCPT": max_rcpt, "*": 10 * max_rcpt},
    )


async def start_gateway(settings: Settings, host: str, port: int) -> asyncio.Server:
    context = tls_context(settings)
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: make_smtp(settings, context), host=host, port=port)


async def run_standalone(settings: Settings, host: str, port: int) -> None:
    """`ashiato mailgate`: the gateway alone (the database it writes to is configured here)."""
    engine = db.configure(settings.database_url)
    await db.start(engine, settings.db_pool_size)
    await db.migrate(engine)
    server = await start_gateway(settings, host, port)
    print(f"Ashiato mail gateway: smtp://{host}:{port}", flush=True)
    try:
        async with server:
            await server.serve_forever()
    finally:
        await db.stop(engine)
