"""Web pages of private messages: inbox, sent, trash, compose, read."""

from __future__ import annotations

from dataclasses import replace

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from ashiato.errors import FormInvalid
from ashiato.messages import service
from ashiato.messages.tables import Folder
from ashiato.pagination import Pagination
from ashiato.web import (
    current_member,
    form_data,
    render,
    requires_active_member,
    see_other,
    settings_of,
)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class MessageController(Controller):
    path = "/messages"
    guards = [requires_active_member]

    async def _box(self, request: Request, box: str, page: int) -> Template:
        member = current_member(request)
        loaders = {"inbox": service.inbox, "sent": service.sent_box, "trash": service.trash}
        rows = await loaders[box](member, page)
        pagination = Pagination(page, has_next=len(rows) == service.PAGE_SIZE)
        return render(
            request,
            "messages/box.html",
            {"box": box, "rows": rows, "pagination": pagination},
            fragment="messages/_list.html",
        )

    @get("/", name="messages")
    async def show_inbox(self, request: Request, page: FromQuery[int] = 1) -> Template:
        return await self._box(request, "inbox", max(page, 1))

    @get("/sent")
    async def show_sent(self, request: Request, page: FromQuery[int] = 1) -> Template:
        return await self._box(request, "sent", max(page, 1))

    @get("/trash")
    async def show_trash(self, request: Request, page: FromQuery[int] = 1) -> Template:
        return await self._box(request, "trash", max(page, 1))

    @get("/badge")
    async def show_badge(self, request: Request) -> Template:
        count = await service.unread_count(current_member(request))
        return render(request, "messages/_badge.html", {"count": count})

    @get("/new")
    async def show_compose(
        self, request: Request, to: FromQuery[int], reply_to: FromQuery[int | None] = None
    ) -> Template:
        draft = await service.draft(current_member(request), to, reply_to)
        return render(request, "messages/compose.html", {"draft": draft, "errors": {}})

    @post("/")
    async def send_message(self, request: Request) -> Template | Redirect:
        member = current_member(request)
        form = await form_data(request)
        recipient_id = _int_or_none(form.get("to")) or 0
        reply_to = _int_or_none(form.get("reply_to"))
        try:
            await service.send(
                member,
                recipient_id,
                form.get("subject", ""),
                form.get("body", ""),
                settings_of(request),
                reply_to=reply_to,
            )
        except FormInvalid as exc:
            draft = replace(
                await service.draft(member, recipient_id),
                subject=form.get("subject", ""),
                body=form.get("body", ""),
                reply_to=reply_to,
            )
            return render(
                request,
                "messages/compose.html",
                {"draft": draft, "errors": exc.errors},
                status_code=422,
            )
        return see_other("/messages/sent")

    @get("/{message_id:int}")
    async def show_message(self, request: Request, message_id: FromPath[int]) -> Template:
        message = await service.read(current_member(request), message_id)
        return render(request, "messages/message.html", {"message": message})

    @post("/{message_id:int}/{action:str}")
    async def file_message(
        self, request: Request, message_id: FromPath[int], action: FromPath[str]
    ) -> Redirect:
        folders = {"trash": Folder.TRASHED, "restore": Folder.KEPT, "delete": Folder.DELETED}
        if action not in folders:
            raise NotFoundException()
        await service.move(current_member(request), message_id, folders[action])
        return see_other("/messages/trash" if action != "trash" else "/messages")


CONTROLLERS: list[type] = [MessageController]
