"""Every query of reports."""

from __future__ import annotations

import datetime as dt

from ashiato.moderation.tables import Report


async def insert(**values: object) -> Report:
    report = Report(**values)
    await report.save()
    return report


async def already_reported(reporter: int, kind: str, ref_id: int) -> bool:
    return await Report.exists().where(
        Report.reporter == reporter, Report.kind == kind, Report.ref_id == ref_id
    )


async def open_reports(limit: int = 100) -> list[dict]:
    return (
        await Report.select(
            Report.id,
            Report.kind,
            Report.ref_id,
            Report.url,
            Report.excerpt,
            Report.reason,
            Report.created_at,
            Report.reporter.nickname.as_alias("reporter_nickname"),
            Report.reporter.status.as_alias("reporter_status"),
            Report.author.as_alias("author_id"),
            Report.author.nickname.as_alias("author_nickname"),
            Report.author.status.as_alias("author_status"),
        )
        .where(Report.resolved_at.is_null())
        .order_by(Report.id, ascending=False)
        .limit(limit)
    )


async def resolve(report_id: int, moderator: int, now: dt.datetime) -> None:
    await Report.update({Report.resolved_at: now, Report.resolved_by: moderator}).where(
        Report.id == report_id
    )
