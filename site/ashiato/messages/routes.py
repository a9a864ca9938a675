"""Web pages of private messages: inbox, sent, trash, compose, read."""

from __future__ import annotations

from dataclasses import replace

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from ashiato.errors import FormInvalid
from ashiato.members.tables import Member
from ashiato.messages import service
from ashiato.messages.forms import MessageForm
from ashiato.messages.tables import Folder
from ashiato.pagination import Pagination
from ashiato.settings import Settings
from ashiato.web import render, requires_active_member, see_other

BOXES = {"inbox": service.inbox, "sent": service.sent_box, "trash": service.trash}
FOLDERS = {"trash": Folder.TRASHED, "restore": Folder.KEPT, "delete": Folder.DELETED}


async def _box(request: Request, me: Member, box: str, page: int) -> Template:
    rows = await BOXES[box](me, page)
    pagination = Pagination(page, has_next=len(rows) == service.PAGE_SIZE)
    return render(
        request,
        "messages/box.html",
        {"box": box, "rows": rows, "pagination": pagination},
        fragment="messages/_list.html",
    )


class MessageController(Controller):
    path = "/messages"
    guards = [requires_active_member]

    @get("/", name="messages")
    async def show_inbox(
        self, request: Request, me: NamedDependency[Member], page: FromQuery[int] = 1
    ) -> Template:
        return await _box(request, me, "inbox", max(page, 1))

    @get("/sent")
    async def show_sent(
        self, request: Request, me: NamedDependency[Member], page: FromQuery[int] = 1
    ) -> Template:
        return await _box(request, me, "sent", max(page, 1))

    @get("/trash")
    async def show_trash(
        self, request: Request, me: NamedDependency[Member], page: FromQuery[int] = 1
    ) -> Template:
        return await _box(request, me, "trash", max(page, 1))

    @get("/badge")
    async def show_badge(self, request: Request, me: NamedDependency[Member]) -> Template:
        count = await service.unread_count(me)
        return render(request, "messages/_badge.html", {"count": count})

    @get("/new")
    async def show_compose(
        self,
        request: Request,
        me: NamedDependency[Member],
        to: FromQuery[int],
        reply_to: FromQuery[int | None] = None,
    ) -> Template:
        draft = await service.draft(me, to, reply_to)
        return render(request, "messages/compose.html", {"draft": draft, "errors": {}})

    @post("/")
    async def send_message(
        self,
        request: Request,
        me: NamedDependency[Member],
        settings: NamedDependency[Settings],
        data: URLEncodedBody[MessageForm],
    ) -> Template | Redirect:
        try:
            await service.send(
                me,
                data.recipient_id,
                data.subject,
                data.body,
                settings,
                reply_to=data.reply_to_id,
            )
        except FormInvalid as exc:
            draft = replace(
                await service.draft(me, data.recipient_id),
                subject=data.subject,
                body=data.body,
                reply_to=data.reply_to_id,
            )
            return render(
                request,
                "messages/compose.html",
                {"draft": draft, "errors": exc.errors},
                status_code=422,
            )
        return see_other("/messages/sent")

    @get("/{message_id:int}")
    async def show_message(
        self, request: Request, me: NamedDependency[Member], message_id: FromPath[int]
    ) -> Template:
        message = await service.read(me, message_id)
        return render(request, "messages/message.html", {"message": message})

    @post("/{message_id:int}/{action:str}")
    async def file_message(
        self, me: NamedDependency[Member], message_id: FromPath[int], action: FromPath[str]
    ) -> Redirect:
        if action not in FOLDERS:
            raise NotFoundException()
        await service.move(me, message_id, FOLDERS[action])
        return see_other("/messages/trash" if action != "trash" else "/messages")


CONTROLLERS: list[type] = [MessageController]
