"""The diary service as the mail gateway will call it: one transaction, codes, idempotency."""

from __future__ import annotations

import datetime as dt

import pytest

from ashiato.diaries import service
from ashiato.diaries.service import DiaryDraft
from ashiato.diaries.tables import Diary, DiaryComment, DiaryPhoto
from ashiato.errors import DomainError, NotFound
from ashiato.i18n import _, format_date, using
from tests.factories import make_member
from tests.helpers import jpeg_with_gps, png_bytes


async def test_mail_diary_keeps_its_source_and_refuses_a_second_delivery(settings):
    author = await make_member("phone@example.jp", "ケータイ", locale="ja")
    other = await make_member("other@example.jp")
    diary = await service.create_diary(
        author,
        DiaryDraft(title="", body="携帯から"),
        settings,
        source="mail",
        source_message_id="<m1@docomo.ne.jp>",
    )
    assert diary.source == "mail" and diary.source_message_id == "<m1@docomo.ne.jp>"
    with using("ja", author.time_zone):  # the author's language, not the request's
        expected = _("Diary of %(date)s", date=format_date(dt.datetime.now(dt.UTC)))
    assert diary.title == expected
    with pytest.raises(service.DiaryError) as duplicate:
        await service.create_diary(
            author,
            DiaryDraft(title="", body="二通目"),
            settings,
            source="mail",
            source_message_id="<m1@docomo.ne.jp>",
        )
    assert duplicate.value.code == "duplicate_message"
    # the id is unique per author, not site-wide
    await service.create_diary(
        other,
        DiaryDraft(title="", body="別人"),
        settings,
        source="mail",
        source_message_id="<m1@docomo.ne.jp>",
    )
    assert await Diary.count() == 2


async def test_errors_carry_codes_and_translated_messages(settings):
    author = await make_member("en@example.jp", locale="en")
    with using("en"):
        with pytest.raises(service.DiaryInvalid) as long_title:
            await service.create_diary(author, DiaryDraft(title="x" * 101, body="b"), settings)
        assert long_title.value.code == "title_too_long"
        assert long_title.value.errors["title"] == "At most 100 characters."
    with using("en"):
        with pytest.raises(service.DiaryInvalid) as bad_photo:
            await service.create_diary(
                author, DiaryDraft(title="t", body="b", photos=[b"not a photo"]), settings
            )
        assert bad_photo.value.code == "not_a_photo"
        assert isinstance(bad_photo.value, DomainError)
        assert bad_photo.value.message == "Photo 1: This file is not a JPEG, PNG or GIF photo."
    with pytest.raises(service.DiaryInvalid) as visibility:
        await service.create_diary(
            author, DiaryDraft(title="t", body="b", visibility="nobody"), settings
        )
    assert visibility.value.code == "visibility"
    assert await Diary.count() == 0


async def test_a_bad_third_photo_leaves_no_diary_and_no_photo_rows(settings):
    author = await make_member("a@example.jp")
    with pytest.raises(service.DiaryInvalid):
        await service.create_diary(
            author,
            DiaryDraft(
                title="t", body="b", photos=[jpeg_with_gps(), png_bytes(), b"GIF89a broken"]
            ),
            settings,
        )
    assert await Diary.count() == 0 and await DiaryPhoto.count() == 0


async def test_a_photo_alone_makes_a_diary(settings):
    author = await make_member("a@example.jp")
    diary = await service.create_diary(
        author, DiaryDraft(title="", body="", photos=[png_bytes()]), settings
    )
    assert diary.photo_count == 1 and diary.title


async def test_add_comment_keeps_the_counters_and_refuses_outsiders(settings):
    author = await make_member("a@example.jp")
    stranger = await make_member("s@example.jp")
    diary = await service.create_diary(
        author, DiaryDraft(title="t", body="b", visibility="friends"), settings
    )
    with pytest.raises(NotFound):
        await service.add_comment(stranger, diary.id, "見えないはず", settings)
    comment_id = await service.add_comment(author, diary.id, "自分で", settings)
    row = await Diary.objects().get(Diary.id == diary.id)
    assert (row.comment_count, row.last_comment_id) == (1, comment_id)
    assert row.author_seen_comment_id == comment_id  # one's own comment is not news
    assert await DiaryComment.count() == 1
