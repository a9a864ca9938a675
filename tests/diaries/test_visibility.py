"""Every visibility level against every route, for each relation to the author.

A diary is readable by its audience only — page, htmx fragment, comment poll, comment
form and post, photo and thumbnail, the author's list, friends' feed, search, profile
block — and a logged-out visitor is sent to the login page by every route.
"""

from __future__ import annotations

import pytest

from ashiato.diaries import routes, service
from ashiato.diaries.service import DiaryDraft
from ashiato.diaries.tables import DiaryComment
from ashiato.errors import NotFound, PermissionDenied
from ashiato.friends.audience import viewing
from tests.factories import login_as
from tests.helpers import EN, HTMX, jpeg_with_gps, post_form

ROLES = ["author", "friend", "friend_of_friend", "stranger", "blocked", "logged_out"]
AUDIENCE = {
    "everyone": {"author", "friend", "friend_of_friend", "stranger"},
    "friends_of_friends": {"author", "friend", "friend_of_friend"},
    "friends": {"author", "friend"},
    "only_me": {"author"},
}
MARKER = "秘密のマーカー-7Q"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("visibility", list(AUDIENCE))
async def test_diary_is_readable_by_its_audience_only_on_every_route(
    client, circle, settings, visibility, role
):
    author = circle.author
    diary = await service.create_diary(
        author,
        DiaryDraft(
            title=f"日記 {MARKER}",
            body=f"本文 {MARKER}",
            visibility=visibility,
            photos=[jpeg_with_gps()],
        ),
        settings,
    )
    await service.add_comment(author, diary.id, "作者のコメント", settings)
    photo_id = (await service.show(author, diary.id)).photos[0]["id"]
    viewer = circle.by_role(role)
    allowed = role in AUDIENCE[visibility]

    if viewer is None:  # logged out: every route sends to the login page, nothing leaks
        for path in (
            f"/diaries/{diary.id}",
            f"/diaries/{diary.id}/comments?after=0",
            f"/diaries/{diary.id}/photos/{photo_id}",
            f"/diaries/{diary.id}/photos/{photo_id}/thumb",
            f"/members/{author.id}/diaries",
            "/diaries/home-latest",
            "/diaries",
        ):
            response = await client.get(path, headers=EN)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login"), path
            assert MARKER not in response.text
        posted = await post_form(client, f"/diaries/{diary.id}/comments", {"body": "やあ"})
        assert posted.status_code == 303
        assert posted.headers["location"].startswith("/login")
        assert await DiaryComment.count() == 1
        return

    await login_as(client, viewer)
    expected = 200 if allowed else 404

    page = await client.get(f"/diaries/{diary.id}", headers=EN)
    assert page.status_code == expected
    assert (MARKER in page.text) == allowed
    assert ('id="comment-form"' in page.text) == allowed

    fragment = await client.get(f"/diaries/{diary.id}", headers=HTMX)
    assert fragment.status_code == expected
    assert (MARKER in fragment.text) == allowed
    if allowed:
        assert "<html" not in fragment.text and 'id="diary"' in fragment.text

    poll = await client.get(f"/diaries/{diary.id}/comments?after=0", headers=HTMX)
    assert poll.status_code == expected
    assert ("作者のコメント" in poll.text) == allowed

    for suffix in ("", "/thumb"):
        photo = await client.get(f"/diaries/{diary.id}/photos/{photo_id}{suffix}")
        assert photo.status_code == expected, suffix
        if allowed:
            assert photo.headers["content-type"] == "image/jpeg"
        else:
            assert not photo.content.startswith(b"\xff\xd8")

    listing = await client.get(f"/members/{author.id}/diaries", headers=EN)
    if role == "blocked":
        assert listing.status_code == 404
    else:
        assert listing.status_code == 200
    assert (MARKER in listing.text) == allowed

    feed = await client.get("/diaries/home-latest", headers=EN)
    assert feed.status_code == 200
    assert (MARKER in feed.text) == (allowed and role == "friend")

    found = await service.visible_diaries(viewer, text=MARKER)
    assert ([row["id"] for row in found] == [diary.id]) == allowed

    section = await routes.profile_section(await viewing(viewer, author))
    shown = [row["id"] for row in section.context["diaries"]] if section else []
    assert (diary.id in shown) == allowed

    comment = await post_form(
        client, f"/diaries/{diary.id}/comments", {"body": "読みました"}, headers=EN
    )
    assert comment.status_code == (303 if allowed else 404)
    assert await DiaryComment.count() == (2 if allowed else 1)

    edit = await client.get(f"/diaries/{diary.id}/edit", headers=EN)
    assert edit.status_code == (200 if role == "author" else 403 if allowed else 404)


async def test_logged_out_visitors_cannot_use_the_service_either(circle, settings):
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    with pytest.raises(PermissionDenied):
        await service.read(None, diary.id)
    with pytest.raises(PermissionDenied):
        await service.visible_diaries(None)  # type: ignore[arg-type]


async def test_sql_lists_agree_with_the_audience_rule_for_every_pair(circle, settings):
    """visible_diaries (SQL) and read (audience.can_see) decide alike, member by member."""
    members = [circle.author, circle.friend, circle.friend_of_friend, circle.stranger]
    members.append(circle.blocked)
    diaries = []
    for writer in members:
        for visibility in AUDIENCE:
            diaries.append(
                await service.create_diary(
                    writer,
                    DiaryDraft(title=f"{writer.nickname}", body="b", visibility=visibility),
                    settings,
                )
            )
    for viewer in members:
        listed = {row["id"] for row in await service.visible_diaries(viewer, limit=100)}
        readable = set()
        for diary in diaries:
            try:
                await service.read(viewer, diary.id)
                readable.add(diary.id)
            except NotFound:
                pass
        assert listed == readable, viewer.nickname
