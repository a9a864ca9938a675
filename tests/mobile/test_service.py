"""Gateway addresses: unguessable, shown again unchanged, never stored as such."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from ashiato.diaries.service import DiaryDraft
from ashiato.mailpost import service as mailpost
from ashiato.mobile import service
from ashiato.mobile.tables import GatewayAddress
from tests.factories import make_member
from tests.mailgate.gateway_client import token_of


async def test_a_posting_address_is_shown_again_but_its_token_is_not_stored(settings):
    member = await make_member("hanako@example.jp")
    address = await service.posting_address(member, settings)
    assert address == await service.posting_address(member, settings)
    token = token_of(address)
    assert len(token) == service.TOKEN_LENGTH
    [row] = await GatewayAddress.select()
    assert not any(token in str(value) for value in row.values())
    found = await service.resolve_recipient("post", token.upper())  # local parts ignore case
    assert found is not None and found.member.id == member.id


async def test_after_a_new_secret_key_the_address_shown_is_a_working_one(settings):
    member = await make_member("hanako@example.jp")
    old = await service.posting_address(member, settings)
    rotated = replace(settings, secret_key="another-secret-" + "z" * 32)
    new = await service.posting_address(member, rotated)
    assert new != old
    assert await service.resolve_recipient("post", token_of(new)) is not None
    assert await service.resolve_recipient("post", token_of(old)) is None


async def test_registration_and_posting_tokens_do_not_open_each_other(settings):
    member = await make_member("hanako@example.jp")
    post = token_of(await service.posting_address(member, settings))
    regist = token_of((await service.verification_state(member, settings)).address)
    assert await service.resolve_recipient("regist", post) is None
    assert await service.resolve_recipient("post", regist) is None


def test_tokens_are_masked_in_logs():
    assert service.mask_address("post+abcdefghijklmnop@mail.example.jp") == (
        "post+abcd…@mail.example.jp"
    )
    assert service.mask_address("Regist+ab@x") == "Regist+ab…@x"
    assert service.mask_address("someone@mail.example.jp") == "someone@mail.example.jp"


def test_member_show_lists_both_gateway_addresses(database_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ASHIATO_VAR_DIR": str(tmp_path / "var"),
        "ASHIATO_MAIL_DOMAIN": "mail.example.jp",
    }
    run = [sys.executable, "-m", "ashiato"]
    created = subprocess.run(
        [*run, "admin", "create", "boss@example.jp", "--password-stdin"],
        env=env,
        input="a strong password\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    shown = [
        json.loads(
            subprocess.run(
                [*run, "member", "show", "boss@example.jp", "--json"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
        )
        for _ in range(2)
    ]
    assert shown[0]["regist_address"].startswith("regist+")
    assert shown[0]["post_address"].startswith("post+")
    assert shown[0]["post_address"].endswith("@mail.example.jp")
    assert shown[0] == shown[1]  # shown again, not made anew


@pytest.mark.parametrize(
    ("subject", "title", "visibility"),
    [
        ("今日のランチ", "今日のランチ", None),
        ("[友]今日のランチ", "今日のランチ", "friends"),
        ("今日 [friends] ランチ", "今日 ランチ", "friends"),
        ("今日[FRIENDS]ランチ", "今日ランチ", "friends"),
        ("【非】 ひとりごと", "ひとりごと", "only_me"),
        ("［ 非 ］", "", "only_me"),
        ("[private][友] x", "x", "only_me"),
        ("[友達] そのまま", "[友達] そのまま", None),
        ("  spaces kept  ", "  spaces kept  ", None),
    ],
)
def test_a_subject_tag_gives_the_visibility_and_is_cut_from_the_title(subject, title, visibility):
    assert mailpost.visibility_tag(subject) == (title, visibility)


async def test_a_reply_address_is_per_member_and_diary_and_resolves_to_both(settings):
    from ashiato.diaries import service as diaries

    author = await make_member("hanako@example.jp")
    diary = await diaries.create_diary(author, DiaryDraft(title="t", body="b"), settings)
    address = await service.reply_address(author, diary.id, settings)
    assert address == await service.reply_address(author, diary.id, settings)
    assert address.startswith("reply+") and address.endswith("@mail.example.jp")
    found = await service.resolve_recipient("reply", token_of(address))
    assert found is not None and (found.member.id, found.diary_id) == (author.id, diary.id)
    assert await service.resolve_recipient("post", token_of(address)) is None
    assert service.mask_address(address).startswith("reply+") and token_of(address) not in (
        service.mask_address(address)
    )
