"""One Refusal enum, one table: every reason has its SMTP reply and its member's text."""

from __future__ import annotations

import re

import pytest

from ashiato.diaries import service as diaries
from ashiato.diaries.service import DiaryDraft, DiaryInvalid, DuplicateDiary
from ashiato.errors import DomainError, refusal_of
from ashiato.i18n import using
from ashiato.limits import RateLimited, TooManyLinks
from ashiato.photos import PhotoError, PhotoTooLarge
from ashiato.refusals import REFUSALS, Refusal, refusal_text, smtp_reply
from mailgate import replies
from tests.factories import make_member

NUMBERS = {"num": 7}
REPLY = re.compile(r"^(?P<code>[245]\d\d) (?P<enhanced>[245]\.\d{1,3}\.\d{1,3}) \S.*$")


@pytest.mark.parametrize("refusal", list(Refusal))
def test_every_refusal_has_an_smtp_reply_whose_class_matches_its_enhanced_code(refusal):
    reply = smtp_reply(refusal, NUMBERS)
    match = REPLY.match(reply)
    assert match, reply
    assert match["code"][0] == match["enhanced"][0]  # 5xx with 5.x.x, 4xx with 4.x.x
    assert "{" not in reply  # every number it names was filled in
    assert refusal.temporary == reply.startswith("4")
    assert refusal.permanent == reply.startswith("5")


@pytest.mark.parametrize("refusal", list(Refusal))
def test_every_refusal_has_a_members_text_in_english_and_in_japanese(refusal, settings):
    with using("en"):
        english = refusal_text(refusal, settings, NUMBERS)
    with using("ja"):
        japanese = refusal_text(refusal, settings, NUMBERS)
    assert english.strip() and japanese.strip()
    assert japanese != english, f"{refusal} is not translated"
    assert "%(" not in english and "%(" not in japanese


def test_the_table_has_exactly_one_entry_per_refusal():
    assert set(REFUSALS) == set(Refusal)


def test_the_gateway_replies_come_from_the_table():
    assert replies.UNKNOWN_RECIPIENT == "550 5.1.1 No such recipient here"
    assert replies.OK_DUPLICATE == "250 2.0.0 OK (already received)"
    assert replies.TEMPORARY_FAILURE.startswith("451 4.3.0")
    assert replies.for_refusal(Refusal.TITLE_TOO_LONG, {"num": 100}).endswith("(100 characters)")


def test_the_contract_250_only_for_a_duplicate_451_for_ours_5xx_for_never():
    assert [r for r in Refusal if smtp_reply(r, NUMBERS).startswith("2")] == [Refusal.DUPLICATE]
    assert Refusal.TEMPORARY_FAILURE.temporary and Refusal.RATE_LIMITED.temporary
    for refusal in (Refusal.SENDER_MISMATCH, Refusal.MALFORMED_MIME, Refusal.BAD_PHOTO):
        assert refusal.permanent


async def test_errors_carry_their_refusal_instead_of_a_code_string(settings):
    member = await make_member("a@example.jp")
    assert refusal_of(RateLimited("x")) is Refusal.RATE_LIMITED
    assert refusal_of(TooManyLinks("x")) is Refusal.TOO_MANY_LINKS
    assert refusal_of(PhotoError("x")) is Refusal.BAD_PHOTO
    assert refusal_of(PhotoTooLarge("x")) is Refusal.PHOTO_TOO_LARGE
    assert refusal_of(DomainError("x")) is Refusal.NOT_ACCEPTED
    with pytest.raises(DiaryInvalid) as long_title:
        await diaries.create_diary(member, DiaryDraft(title="題" * 101, body="b"), settings)
    assert long_title.value.refusal is Refusal.TITLE_TOO_LONG
    assert long_title.value.params == {"num": diaries.TITLE_MAX}
    draft = DiaryDraft(body="一度だけ")
    await diaries.create_diary(member, draft, settings, source="mail", source_message_id="<m@x>")
    with pytest.raises(DuplicateDiary) as duplicate:
        await diaries.create_diary(
            member, draft, settings, source="mail", source_message_id="<m@x>"
        )
    assert refusal_of(duplicate.value) is Refusal.DUPLICATE
