"""Profiles through HTTP: each field's audience, the editor and its preview, photos."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from PIL import Image

from ashiato.accounts import queries as account_queries
from ashiato.footprints import service as footprints
from ashiato.i18n import _, using
from ashiato.members.tables import MemberStatus
from ashiato.profiles import service
from ashiato.profiles.tables import ProfilePhoto
from tests.factories import login, make_member
from tests.helpers import camera_photo_with_gps, csrf_token, png, post_form

HTMX = {"hx-request": "true"}
# One distinct value per field, so a page shows exactly which fields it lets through.
VALUES = {
    "nickname": "オーナー",
    "gender": "female",
    "birth_date": "1990-06-15",
    "region": "札幌市",
    "hobbies": "スノーボードと温泉",
    "favourites": "味噌ラーメン",
    "introduction": "はじめまして、北海道に住んでいます。",
}
MARKERS = {
    "region": "札幌市",
    "hobbies": "スノーボードと温泉",
    "favourites": "味噌ラーメン",
    "introduction": "はじめまして、北海道に住んでいます。",
}
AUDIENCES = {
    "everyone": {"owner", "friend", "fof", "stranger"},
    "friends_of_friends": {"owner", "friend", "fof"},
    "friends": {"owner", "friend"},
    "only_me": {"owner"},
}


def editor_form(**changes: str) -> dict[str, str]:
    form = dict(VALUES)
    for key in service.FIELDS:
        form[f"{key}_visibility"] = "everyone"
    form.update(footprints_enabled="on", notebook_audience="everyone")
    form.update(changes)
    return form


def field_ids(html: str) -> set[str]:
    return set(re.findall(r'class="profile-field" id="field-(\w+)"', html))


async def upload(browser, data: bytes, **headers: str):
    """A multipart upload, named like a camera photo whatever it really is."""
    return await browser.post(
        "/profile/photos",
        files={"photo": ("photo.jpg", data, "image/jpeg")},
        data={"_csrf_token": await csrf_token(browser)},
        headers=headers,
    )


@pytest.mark.parametrize("audience", list(AUDIENCES))
async def test_each_field_is_shown_only_to_its_audience(people, open_as, audience):
    owner = await open_as("owner@example.jp")
    saved = await post_form(
        owner, "/profile/edit", editor_form(**{f"{k}_visibility": audience for k in service.FIELDS})
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/profile"
    for name in ("owner", "friend", "fof", "stranger"):
        browser = owner if name == "owner" else await open_as(f"{name}@example.jp")
        page = await browser.get(f"/members/{people['owner'].id}")
        assert page.status_code == 200
        assert "オーナー" in page.text, "every member sees the nickname"
        sees = name in AUDIENCES[audience]
        expected = {"gender", "age", "birthday", *MARKERS} if sees else set()
        assert field_ids(page.text) == expected, (name, audience)
        for text in MARKERS.values():
            assert (text in page.text) == sees, (name, audience, text)
    blocked = await open_as("blocked@example.jp")
    assert (await blocked.get(f"/members/{people['owner'].id}")).status_code == 403


async def test_fields_can_have_different_audiences(people, open_as):
    owner = await open_as("owner@example.jp")
    await post_form(
        owner,
        "/profile/edit",
        editor_form(
            region_visibility="everyone",
            hobbies_visibility="friends_of_friends",
            favourites_visibility="friends",
            introduction_visibility="only_me",
            age_visibility="everyone",
            birthday_visibility="friends",
            gender_visibility="only_me",
        ),
    )
    seen = {}
    for name in ("friend", "fof", "stranger"):
        browser = await open_as(f"{name}@example.jp")
        seen[name] = field_ids((await browser.get(f"/members/{people['owner'].id}")).text)
    assert seen["stranger"] == {"region", "age"}
    assert seen["fof"] == {"region", "age", "hobbies"}
    assert seen["friend"] == {"region", "age", "hobbies", "favourites", "birthday"}
    own = await owner.get("/profile")
    assert field_ids(own.text) == {"gender", "age", "birthday", *MARKERS}
    assert 'class="field-audience"' in own.text  # the owner sees who sees each field


async def test_age_and_birthday_are_shown_in_the_viewers_language(people, open_as):
    owner = await open_as("owner@example.jp")
    await post_form(owner, "/profile/edit", editor_form(birthday_visibility="everyone"))
    stranger = await open_as("stranger@example.jp", **{"accept-language": "en"})
    page = await stranger.get(f"/members/{people['owner'].id}")
    today = dt.date.today()
    years = today.year - 1990 - ((today.month, today.day) < (6, 15))
    with using("en"):
        assert _("%(years)s years old", years=years) in page.text
    assert "Jun 15" in page.text and "1990" not in page.text
    with using("en"):
        assert _("Female") in page.text


async def test_the_editor_refuses_bad_values_and_keeps_what_was_typed(client):
    await make_member("owner@example.jp", "前の名前")
    await login(client, "owner@example.jp")
    refused = await post_form(
        client,
        "/profile/edit",
        editor_form(nickname="", birth_date="not a date", hobbies="趣味" * 600, region="函館"),
    )
    assert refused.status_code == 422
    for field in ("nickname", "birth_date", "hobbies"):
        assert f'id="{field}-error"' in refused.text
    assert 'value="函館"' in refused.text
    member = await account_queries.member_by_pc_email("owner@example.jp")
    assert member.nickname == "前の名前" and member.region == ""
    bad_audience = await post_form(client, "/profile/edit", editor_form(hobbies_visibility="all"))
    assert bad_audience.status_code == 422 and 'id="hobbies_visibility-error"' in bad_audience.text


async def test_the_preview_shows_unsaved_changes_as_the_chosen_audience_sees_them(client):
    owner = await make_member("owner@example.jp", "前の名前")
    await login(client, "owner@example.jp")
    editor = await client.get("/profile/edit")
    assert editor.status_code == 200
    assert 'hx-post="/profile/preview"' in editor.text and 'id="profile-preview"' in editor.text

    form = editor_form(nickname="新しい名前", hobbies_visibility="friends", preview_as="everyone")
    preview = await post_form(client, "/profile/preview", form, headers=HTMX)
    assert preview.status_code == 200
    assert "<html" not in preview.text and 'id="profile-preview"' in preview.text
    assert "新しい名前" in preview.text and "札幌市" in preview.text
    assert "スノーボードと温泉" not in preview.text  # friends only, previewed as everyone
    as_friend = await post_form(
        client, "/profile/preview", {**form, "preview_as": "friends"}, headers=HTMX
    )
    assert "スノーボードと温泉" in as_friend.text
    assert (await account_queries.member_by_id(owner.id)).nickname == "前の名前"  # not saved


async def test_unknown_and_withdrawn_members_have_no_profile(client):
    await make_member("me@example.jp")
    gone = await make_member("gone@example.jp")
    await account_queries.update_member(gone.id, status=MemberStatus.WITHDRAWN)
    await login(client, "me@example.jp")
    assert (await client.get(f"/members/{gone.id}")).status_code == 404
    assert (await client.get("/members/99999")).status_code == 404


async def test_the_profile_includes_the_sections_of_other_features(client):
    owner = await make_member("owner@example.jp")
    visitor = await make_member("visitor@example.jp")
    await footprints.record_visit(visitor, owner.id)
    await login(client, "owner@example.jp")
    page = await client.get("/profile")
    assert 'id="lifetime-footprints"' in page.text and 'id="notebook"' in page.text
    assert 'id="edit-profile"' in page.text and 'hx-get="/footprints/badge"' in page.text


async def test_uploaded_photos_are_served_without_gps_and_the_first_is_the_face(people, open_as):
    owner = await open_as("owner@example.jp")
    uploaded = await upload(owner, camera_photo_with_gps())
    assert uploaded.status_code == 303 and uploaded.headers["location"] == "/profile/edit#photos"
    [photo] = await ProfilePhoto.objects()
    assert photo.is_main

    stranger = await open_as("stranger@example.jp")
    page = await stranger.get(f"/members/{people['owner'].id}")
    face = f"/members/{people['owner'].id}/photos/{photo.id}/thumb"
    assert f'src="{face}"' in page.text
    served = await stranger.get(f"/members/{people['owner'].id}/photos/{photo.id}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"].startswith("private")
    image = Image.open(io.BytesIO(served.content))
    assert dict(image.getexif()) == {} and b"Exif" not in served.content
    assert (await stranger.get(face)).status_code == 200

    faces = await service.face_urls([people["owner"].id, people["friend"].id])
    assert faces == {people["owner"].id: face}


async def test_photos_follow_their_audience_and_faces_only_show_when_public(people, open_as):
    owner = await open_as("owner@example.jp")
    await upload(owner, png())
    [photo] = await ProfilePhoto.objects()
    await post_form(owner, "/profile/edit", editor_form(photos_visibility="friends"))
    url = f"/members/{people['owner'].id}/photos/{photo.id}"
    for name, status in (("friend", 200), ("fof", 404), ("stranger", 404), ("blocked", 404)):
        browser = await open_as(f"{name}@example.jp")
        assert (await browser.get(url)).status_code == status, name
        assert (await browser.get(url + "/thumb")).status_code == status, name
    assert await service.face_urls([people["owner"].id]) == {}  # lists show the initial
    assert (await owner.get(url)).status_code == 200
    wrong_owner = f"/members/{people['friend'].id}/photos/{photo.id}"
    assert (await owner.get(wrong_owner)).status_code == 404


async def test_at_most_three_photos_and_the_main_one_can_be_changed(client):
    await make_member("owner@example.jp")
    await login(client, "owner@example.jp")
    for colour in ("red", "green", "blue"):
        answer = await upload(client, png(colour), **HTMX)
        assert answer.status_code == 200 and 'id="photos"' in answer.text
    refused = await upload(client, png("black"), **HTMX)
    assert refused.status_code == 400 and 'id="photo-error"' in refused.text
    first, second, third = await ProfilePhoto.objects().order_by(ProfilePhoto.id)
    assert [first.is_main, second.is_main, third.is_main] == [True, False, False]

    made = await post_form(client, f"/profile/photos/{third.id}/main", {}, headers=HTMX)
    assert made.status_code == 200
    mains = {p.id for p in await ProfilePhoto.objects() if p.is_main}
    assert mains == {third.id}
    await post_form(client, f"/profile/photos/{third.id}/delete", {})
    remaining = await ProfilePhoto.objects().order_by(ProfilePhoto.id)
    assert [(p.id, p.is_main) for p in remaining] == [(first.id, True), (second.id, False)]


async def test_a_disguised_file_is_refused_with_a_message(client):
    await make_member("owner@example.jp")
    await login(client, "owner@example.jp")
    refused = await upload(client, b"<html><script>alert(1)</script></html>")
    assert refused.status_code == 400
    with using("ja"):
        assert _("This file is not a JPEG, PNG or GIF photo.") in refused.text
    assert await ProfilePhoto.count() == 0


async def test_others_cannot_change_your_photos(people, open_as):
    owner = await open_as("owner@example.jp")
    await upload(owner, png())
    [photo] = await ProfilePhoto.objects()
    stranger = await open_as("stranger@example.jp")
    assert (await post_form(stranger, f"/profile/photos/{photo.id}/delete", {})).status_code == 404
    assert await ProfilePhoto.count() == 1


async def test_sections_of_other_features_show_the_faces_they_ask_for(people, open_as):
    """The maimiku section names its faces; the profile page looks their photos up."""
    friend = await open_as("friend@example.jp")
    await upload(friend, png("green"))
    [photo] = await ProfilePhoto.objects()
    stranger = await open_as("stranger@example.jp")
    page = await stranger.get(f"/members/{people['owner'].id}")
    assert 'id="profile-friends"' in page.text
    assert f'src="/members/{people["friend"].id}/photos/{photo.id}/thumb"' in page.text
