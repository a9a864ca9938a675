"""Every query of the outbox."""

from __future__ import annotations

import datetime as dt

from ashiato.outbox.tables import OutboxMessage


async def insert(**values: object) -> OutboxMessage:
    row = OutboxMessage(**values)
    await row.save()
    return row


async def due(now: dt.datetime, limit: int) -> list[OutboxMessage]:
    return (
        await OutboxMessage.objects()
        .where(
            OutboxMessage.sent_at.is_null(),
            OutboxMessage.failed_at.is_null(),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    )


async def claim(row: OutboxMessage, lease_until: dt.datetime) -> bool:
    """Take a row for delivery unless another sender took it first (compare-and-set)."""
    taken = await (
        OutboxMessage.update({OutboxMessage.next_attempt_at: lease_until})
        .where(
            OutboxMessage.id == row.id,
            OutboxMessage.next_attempt_at == row.next_attempt_at,
            OutboxMessage.sent_at.is_null(),
        )
        .returning(OutboxMessage.id)
    )
    return bool(taken)


async def mark_sent(row_id: int, now: dt.datetime) -> None:
    await OutboxMessage.update({OutboxMessage.sent_at: now}).where(OutboxMessage.id == row_id)


async def mark_failed_attempt(
    row_id: int, attempts: int, next_attempt_at: dt.datetime, error: str, give_up: bool
) -> None:
    values: dict = {
        OutboxMessage.attempts: attempts,
        OutboxMessage.next_attempt_at: next_attempt_at,
        OutboxMessage.last_error: error[:2000],
    }
    if give_up:
        values[OutboxMessage.failed_at] = next_attempt_at
    await OutboxMessage.update(values).where(OutboxMessage.id == row_id)


async def recent(limit: int = 50) -> list[OutboxMessage]:
    return await OutboxMessage.objects().order_by(OutboxMessage.id, ascending=False).limit(limit)


async def pending_count() -> int:
    return await OutboxMessage.count().where(
        OutboxMessage.sent_at.is_null(), OutboxMessage.failed_at.is_null()
    )
