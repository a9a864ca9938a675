"""Diaries through HTTP: writing, edit and delete rights, limits, live comments, lists."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest

from ashiato.diaries import service
from ashiato.diaries.service import DiaryDraft, DiaryEdit
from ashiato.diaries.tables import CommentHistoryEntry, Diary, DiaryComment
from ashiato.errors import NotFound
from ashiato.i18n import _, format_date, using
from tests.factories import login, login_as, make_member
from tests.helpers import EN, HTMX, post_diary, post_form


async def comment(client, diary_id: int, body: str, headers=EN):
    return await post_form(client, f"/diaries/{diary_id}/comments", {"body": body}, headers=headers)


# -- writing, editing, deleting ---------------------------------------------------------


async def test_a_member_writes_a_diary_and_reads_it_back(client, circle):
    await login_as(client, circle.author)
    form = await client.get("/diaries/new", headers=EN)
    assert form.status_code == 200 and 'id="diary-form"' in form.text
    posted = await post_diary(
        client,
        {"title": "花見", "body": "桜がきれいでした。\n来年も行きたい。", "visibility": "friends"},
    )
    assert posted.status_code == 303
    diary = await Diary.objects().first()
    assert posted.headers["location"] == f"/diaries/{diary.id}"
    assert diary.visibility == "friends" and diary.author == circle.author.id
    page = await client.get(f"/diaries/{diary.id}", headers=EN)
    assert "花見" in page.text
    assert "桜がきれいでした。<br>\n来年も行きたい。" in page.text
    assert 'id="edit-diary"' in page.text
    mine = await client.get("/diaries", headers=EN)
    assert "花見" in mine.text


async def test_an_untitled_diary_is_named_after_its_date(client, circle):
    await login_as(client, circle.author)
    await post_diary(client, {"title": "  ", "body": "タイトルなし"})
    diary = await Diary.objects().first()
    with using("en", circle.author.time_zone):  # the author follows the browser: English
        expected = _("Diary of %(date)s", date=format_date(dt.datetime.now(dt.UTC)))
    assert diary.title == expected


async def test_member_default_visibility_is_preselected_and_used(client, circle, settings):
    await login_as(client, circle.author)
    page = await client.get("/diaries/settings", headers=EN)
    assert re.search(r'value="everyone"\s+selected', page.text)  # the default default
    saved = await post_form(client, "/diaries/settings", {"visibility": "friends_of_friends"})
    assert saved.status_code == 200
    form = await client.get("/diaries/new", headers=EN)
    assert re.search(r'value="friends_of_friends"\s+selected', form.text)
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="本文"), settings)
    assert diary.visibility == "friends_of_friends"
    refused = await post_form(client, "/diaries/settings", {"visibility": "aliens"}, headers=EN)
    assert refused.status_code == 422


async def test_only_the_author_edits_and_deletes_a_diary(client, other_client, circle, settings):
    diary = await service.create_diary(
        circle.author, DiaryDraft(title="元の題", body="元の本文"), settings
    )
    await login_as(other_client, circle.friend)
    assert (await other_client.get(f"/diaries/{diary.id}/edit")).status_code == 403
    hijack = await post_diary(
        other_client,
        {"title": "乗っ取り", "body": "x", "visibility": "everyone"},
        path=f"/diaries/{diary.id}/edit",
    )
    assert hijack.status_code == 403
    assert (await post_form(other_client, f"/diaries/{diary.id}/delete", {})).status_code == 403

    await login_as(client, circle.author)
    edited = await post_diary(
        client,
        {"title": "新しい題", "body": "直しました", "visibility": "only_me"},
        path=f"/diaries/{diary.id}/edit",
    )
    assert edited.status_code == 303
    row = await Diary.objects().get(Diary.id == diary.id)
    assert (row.title, row.body, row.visibility) == ("新しい題", "直しました", "only_me")
    assert row.edited_at is not None
    assert "edited" in (await client.get(f"/diaries/{diary.id}", headers=EN)).text
    # now only_me: the friend no longer even learns it exists
    assert (await other_client.get(f"/diaries/{diary.id}/edit")).status_code == 404

    await service.add_comment(circle.author, diary.id, "メモ", settings)
    deleted = await post_form(client, f"/diaries/{diary.id}/delete", {})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/diaries"
    assert await Diary.count() == 0 and await DiaryComment.count() == 0
    assert (await client.get(f"/diaries/{diary.id}")).status_code == 404


async def test_deleting_with_htmx_redirects_the_browser(client, circle, settings):
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    await login_as(client, circle.author)
    response = await post_form(client, f"/diaries/{diary.id}/delete", {}, headers=HTMX)
    assert response.headers.get("hx-redirect") == "/diaries"
    assert await Diary.count() == 0


# -- limits -----------------------------------------------------------------------------


async def test_diary_length_limits_have_clear_errors_and_keep_the_text(client, circle):
    await login_as(client, circle.author)
    long_title = await post_diary(client, {"title": "題" * 101, "body": "本文"})
    assert long_title.status_code == 422
    assert "At most 100 characters." in long_title.text
    long_body = await post_diary(client, {"title": "長い", "body": "あ" * 10_001})
    assert long_body.status_code == 422 and "At most 10000 characters." in long_body.text
    assert "長い" in long_body.text  # the form comes back filled in
    empty = await post_diary(client, {"title": "空", "body": "  "})
    assert empty.status_code == 422 and "Write something, or add a photo." in empty.text
    assert await Diary.count() == 0


async def test_comment_length_limits_have_clear_errors(client, circle, settings):
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    await login_as(client, circle.friend)
    too_long = await comment(client, diary.id, "あ" * 2001)
    assert too_long.status_code == 422 and "At most 2000 characters." in too_long.text
    empty = await comment(client, diary.id, "   ", headers=HTMX)
    assert empty.status_code == 422 and "Write a comment." in empty.text
    assert 'id="comment-form"' in empty.text and "<html" not in empty.text
    assert await DiaryComment.count() == 0


async def test_comments_are_rate_limited_per_member(client, other_client, app, circle, settings):
    app.state.settings = replace(app.state.settings, comments_per_hour=3)
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    await login_as(client, circle.friend)
    for n in range(3):
        assert (await comment(client, diary.id, f"コメント{n}")).status_code == 303
    limited = await comment(client, diary.id, "まだ書きたい")
    assert limited.status_code == 429 and "writing very fast" in limited.text
    assert "まだ書きたい" in limited.text  # kept in the form
    with_htmx = await comment(client, diary.id, "まだ書きたい", headers=HTMX)
    assert with_htmx.status_code == 422 and "writing very fast" in with_htmx.text
    await login_as(other_client, circle.author)  # another member is not limited by it
    assert (await comment(other_client, diary.id, "どうぞ")).status_code == 303
    assert await DiaryComment.count() == 4


async def test_new_members_may_post_only_a_few_links(client, circle, settings):
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    await make_member("newbie@example.jp", "新人")
    await login(client, "newbie@example.jp")
    spam = await comment(client, diary.id, "http://a.example/ http://b.example/")
    assert spam.status_code == 422 and "at most 1 link" in spam.text
    assert (await comment(client, diary.id, "見て http://a.example/")).status_code == 303
    spam_diary = await post_diary(client, {"title": "t", "body": "http://a.example/ www.b.example"})
    assert spam_diary.status_code == 422 and "at most 1 link" in spam_diary.text


# -- body rendering ---------------------------------------------------------------------


async def test_html_in_a_diary_and_its_comments_is_shown_as_text(client, circle, settings):
    diary = await service.create_diary(
        circle.author,
        DiaryDraft(
            title="<b>題</b>", body='<script>alert("x")</script>\nhttps://example.jp/a?b=1&c=2'
        ),
        settings,
    )
    await service.add_comment(circle.author, diary.id, "<img src=x onerror=alert(1)>", settings)
    await login_as(client, circle.friend)
    page = await client.get(f"/diaries/{diary.id}", headers=EN)
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert "<b>題</b>" not in page.text and "&lt;b&gt;題&lt;/b&gt;" in page.text
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    link = '<a href="https://example.jp/a?b=1&amp;c=2" rel="nofollow noopener noreferrer ugc">'
    assert link in page.text


# -- comments ---------------------------------------------------------------------------


async def test_comment_posted_with_htmx_returns_an_empty_form_and_the_thread(
    client, circle, settings
):
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    await service.add_comment(circle.author, diary.id, "最初のコメント", settings)
    await login_as(client, circle.friend)
    response = await comment(client, diary.id, "二番目です", headers=HTMX)
    assert response.status_code == 200
    form = re.search(r'<form[^>]*id="comment-form".*?</form>', response.text, re.S).group(0)
    assert re.search(r"<textarea[^>]*>\s*</textarea>", form)  # cleared
    thread = response.text[response.text.index('id="comment-thread"') :]
    assert 'hx-swap-oob="true"' in response.text
    assert thread.index("最初のコメント") < thread.index("二番目です")
    newest = (await DiaryComment.objects().order_by(DiaryComment.id, ascending=False).first()).id
    assert f'data-after="{newest}"' in response.text  # the next poll starts after it


async def test_poll_returns_only_comments_after_the_last_shown(client, circle, settings):
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    first = await service.add_comment(circle.author, diary.id, "古いコメント", settings)
    await login_as(client, circle.friend)
    nothing = await client.get(f"/diaries/{diary.id}/comments?after={first}", headers=HTMX)
    assert nothing.status_code == 200 and "hx-swap-oob" not in nothing.text
    assert f'data-after="{first}"' in nothing.text
    second = await service.add_comment(circle.author, diary.id, "新しいコメント", settings)
    polled = await client.get(f"/diaries/{diary.id}/comments?after={first}", headers=HTMX)
    assert 'hx-swap-oob="beforeend:#comment-list"' in polled.text
    assert "新しいコメント" in polled.text and "古いコメント" not in polled.text
    assert f'data-after="{second}"' in polled.text
    assert 'hx-trigger="every 3s"' in polled.text


async def test_comments_of_blocked_members_are_hidden_from_the_blocker(
    client, other_client, circle, settings
):
    diary = await service.create_diary(circle.friend, DiaryDraft(title="t", body="b"), settings)
    await service.add_comment(circle.friend_of_friend, diary.id, "友達の友達の声", settings)
    await service.add_comment(circle.blocked, diary.id, "ブロックされた人の声", settings)
    # Comments do render: the diary's author, who blocked nobody, sees both.
    await login_as(other_client, circle.friend)
    shown = await other_client.get(f"/diaries/{diary.id}", headers=EN)
    assert shown.status_code == 200
    assert "友達の友達の声" in shown.text and "ブロックされた人の声" in shown.text
    await login_as(client, circle.author)
    page = await client.get(f"/diaries/{diary.id}", headers=EN)
    assert page.status_code == 200 and "友達の友達の声" in page.text
    assert "ブロックされた人の声" not in page.text


async def test_author_deletes_any_comment_and_commenters_their_own(
    client, other_client, circle, settings
):
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    by_friend = await service.add_comment(circle.friend, diary.id, "友達の", settings)
    by_fof = await service.add_comment(circle.friend_of_friend, diary.id, "友達の友達の", settings)
    by_author = await service.add_comment(circle.author, diary.id, "作者の", settings)
    await login_as(other_client, circle.friend)
    path = f"/diaries/{diary.id}/comments"
    assert (await post_form(other_client, f"{path}/{by_fof}/delete", {})).status_code == 403
    assert (await post_form(other_client, f"{path}/{by_author}/delete", {})).status_code == 403
    own = await post_form(other_client, f"{path}/{by_friend}/delete", {}, headers=HTMX)
    assert own.status_code == 200 and 'id="comment-thread"' in own.text
    assert "友達の友達の" in own.text and ">友達の<" not in own.text
    await login_as(client, circle.author)
    assert (await post_form(client, f"{path}/{by_fof}/delete", {})).status_code == 303
    assert [c.id for c in await DiaryComment.objects()] == [by_author]
    row = await Diary.objects().get(Diary.id == diary.id)
    assert row.comment_count == 1 and row.last_comment_id == by_author


async def test_report_buttons_queue_the_diary_and_comments_for_moderators(client, circle, settings):
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    await service.add_comment(circle.friend, diary.id, "c", settings)
    await login_as(client, circle.friend_of_friend)
    page = await client.get(f"/diaries/{diary.id}", headers=EN)
    assert 'name="kind" value="diary"' in page.text
    assert 'name="kind" value="diary_comment"' in page.text


async def test_comment_recipients_are_the_author_only(circle, settings):
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    recipients = await service.comment_recipients(diary.id, circle.friend)
    assert [m.id for m in recipients] == [circle.author.id]
    assert await service.comment_recipients(diary.id, circle.author) == []


# -- lists, badge and history -----------------------------------------------------------


async def test_new_comments_raise_the_badge_until_the_author_reads_them(
    client, other_client, circle, settings
):
    diary = await service.create_diary(circle.author, DiaryDraft(title="日記A", body="b"), settings)
    await login_as(client, circle.author)
    assert (await client.get("/diaries/comments/badge")).text.strip() == ""
    await login_as(other_client, circle.friend)
    await comment(other_client, diary.id, "はじめまして")
    badge = await client.get("/diaries/comments/badge")
    assert '<span class="badge"' in badge.text and ">1<" in badge.text
    received = await client.get("/diaries/comments", headers=EN)
    assert "はじめまして" in received.text and "日記A" in received.text
    assert 'class="received-comment new"' in received.text
    await client.get(f"/diaries/{diary.id}")
    assert (await client.get("/diaries/comments/badge")).text.strip() == ""
    assert 'class="received-comment new"' not in (await client.get("/diaries/comments")).text


async def test_comment_history_marks_diaries_with_new_comments(
    client, other_client, circle, settings
):
    diary = await service.create_diary(
        circle.author, DiaryDraft(title="話題の日記", body="b"), settings
    )
    quiet = await service.create_diary(
        circle.author, DiaryDraft(title="静かな日記", body="b"), settings
    )
    await login_as(client, circle.friend)
    await comment(client, diary.id, "一番乗り")
    await comment(client, quiet.id, "こちらも")
    history = await client.get("/diaries/commented", headers=EN)
    assert "話題の日記" in history.text and "静かな日記" in history.text
    assert "history-row new" not in history.text
    await service.add_comment(circle.author, diary.id, "ありがとう", settings)
    history = await client.get("/diaries/commented", headers=EN)
    new_rows = re.findall(r'class="history-row new" data-id="(\d+)"', history.text)
    assert new_rows == [str(diary.id)]
    assert ">1<" in (await client.get("/diaries/comments/badge")).text
    polled = await client.get(f"/diaries/{diary.id}/comments?after=0", headers=HTMX)
    assert "ありがとう" in polled.text  # seeing it through the live poll counts
    assert "history-row new" not in (await client.get("/diaries/commented")).text
    assert await CommentHistoryEntry.count() == 2


async def test_history_forgets_diaries_the_member_may_no_longer_read(client, circle, settings):
    diary = await service.create_diary(
        circle.author,
        DiaryDraft(title="友達の友達まで", body="b", visibility="friends_of_friends"),
        settings,
    )
    await service.add_comment(circle.friend_of_friend, diary.id, "読みました", settings)
    await login_as(client, circle.friend_of_friend)
    assert "友達の友達まで" in (await client.get("/diaries/commented")).text
    await service.update_diary(
        circle.author,
        diary.id,
        DiaryEdit(title="友達の友達まで", body="b", visibility="friends"),
        settings,
    )
    await service.add_comment(circle.author, diary.id, "内緒の続き", settings)
    assert "友達の友達まで" not in (await client.get("/diaries/commented")).text
    assert (await client.get("/diaries/comments/badge")).text.strip() == ""


async def test_diary_lists_are_paged(client, circle, settings):
    for n in range(service.PAGE_SIZE + 2):
        await service.create_diary(
            circle.author, DiaryDraft(title=f"日記{n:02d}", body="b"), settings
        )
    await login_as(client, circle.friend)
    first = await client.get(f"/members/{circle.author.id}/diaries", headers=EN)
    assert first.text.count('class="diary-row"') == service.PAGE_SIZE
    assert "日記21" in first.text and 'rel="next"' in first.text
    second = await client.get(f"/members/{circle.author.id}/diaries?page=2", headers=HTMX)
    assert second.text.count('class="diary-row"') == 2 and "<html" not in second.text
    assert "日記00" in second.text and 'rel="next"' not in second.text


async def test_friends_latest_fragment_shows_maimiku_diaries_for_home(client, circle, settings):
    await service.create_diary(circle.friend, DiaryDraft(title="友達の新作", body="b"), settings)
    await service.create_diary(circle.stranger, DiaryDraft(title="他人の新作", body="b"), settings)
    await service.create_diary(
        circle.friend, DiaryDraft(title="友達の秘密", body="b", visibility="only_me"), settings
    )
    await login_as(client, circle.author)
    fragment = await client.get("/diaries/home-latest", headers=HTMX)
    assert 'id="friends-latest-diaries"' in fragment.text
    assert "友達の新作" in fragment.text
    assert "他人の新作" not in fragment.text and "友達の秘密" not in fragment.text
    assert "友達の新作" in (await client.get("/diaries", headers=EN)).text


# -- constant queries -------------------------------------------------------------------


async def _costs(client, paths: list[str], count_queries) -> dict[str, int]:
    """Queries per path, each measured on a second look (the first may mark things seen
    or leave a footprint)."""
    costs = {}
    for path in paths:
        await client.get(path)
        count_queries.reset()
        assert (await client.get(path)).status_code == 200, path
        costs[path] = count_queries.count
    return costs


async def test_lists_run_a_constant_number_of_queries(client, circle, settings, count_queries):
    others = [circle.friend, circle.friend_of_friend, circle.stranger]

    async def write(n: int) -> None:
        for writer, visibility in zip(
            others, ["friends", "friends_of_friends", "everyone"], strict=True
        ):
            diary = await service.create_diary(
                writer, DiaryDraft(title=f"{n}", body="b", visibility=visibility), settings
            )
            await service.add_comment(circle.author, diary.id, "c", settings)
        own = await service.create_diary(
            circle.author, DiaryDraft(title=f"私の{n}", body="b"), settings
        )
        await service.add_comment(circle.friend, own.id, "c", settings)

    await write(0)
    await login_as(client, circle.author)
    paths = [
        "/diaries",
        f"/members/{circle.friend.id}/diaries",
        "/diaries/home-latest",
        "/diaries/comments",
        "/diaries/commented",
        "/diaries/comments/badge",
    ]
    few = await _costs(client, paths, count_queries)
    for n in range(1, 13):
        await write(n)
    many = await _costs(client, paths, count_queries)
    assert many == few
    page = await client.get("/diaries/commented")
    assert page.text.count('class="history-row') == service.PAGE_SIZE


async def test_diary_page_runs_a_constant_number_of_queries(
    client, circle, settings, count_queries
):
    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    await service.add_comment(circle.friend, diary.id, "c", settings)
    await login_as(client, circle.friend)

    async def grow() -> None:
        for n in range(15):
            await service.add_comment(circle.author, diary.id, f"c{n}", settings)

    path = f"/diaries/{diary.id}"
    few = await _costs(client, [path], count_queries)
    await grow()
    many = await _costs(client, [path], count_queries)
    assert many == few
    assert (await client.get(path)).text.count('class="comment"') == 16


async def test_opening_someone_elses_diary_leaves_a_footprint(client, circle, settings):
    from ashiato.footprints.tables import Footprint

    diary = await service.create_diary(circle.author, DiaryDraft(title="t", body="b"), settings)
    await login_as(client, circle.author)
    await client.get(f"/diaries/{diary.id}")
    assert await Footprint.count() == 0  # one's own diary leaves none
    await login_as(client, circle.friend)
    await client.get(f"/diaries/{diary.id}/comments?after=0")  # the live poll leaves none
    assert await Footprint.count() == 0
    await client.get(f"/diaries/{diary.id}")
    footprint = await Footprint.objects().first()
    assert (footprint.owner, footprint.visitor) == (circle.author.id, circle.friend.id)
    await login_as(client, circle.stranger)
    hidden = await service.create_diary(
        circle.author, DiaryDraft(title="t", body="b", visibility="friends"), settings
    )
    await client.get(f"/diaries/{hidden.id}")  # 404: no footprint from a diary not shown
    assert await Footprint.count() == 1


async def test_report_target_is_checked_against_the_audience(circle, settings):
    diary = await service.create_diary(
        circle.author, DiaryDraft(title="t", body="b", visibility="friends"), settings
    )
    comment_id = await service.add_comment(circle.friend, diary.id, "c", settings)
    assert await service.report_target(circle.friend, "diary", diary.id) == f"/diaries/{diary.id}"
    assert await service.report_target(circle.author, "diary_comment", comment_id) == (
        f"/diaries/{diary.id}#comment-{comment_id}"
    )
    for kind, ref in (("diary", diary.id), ("diary_comment", comment_id), ("diary", 999)):
        with pytest.raises(NotFound):
            await service.report_target(circle.stranger, kind, ref)
