"""Diary photos: checked by content, re-encoded without EXIF/GPS, all-or-nothing."""

from __future__ import annotations

import io
from dataclasses import replace

from PIL import Image

from ashiato.diaries import service
from ashiato.diaries.service import DiaryDraft
from ashiato.diaries.tables import Diary, DiaryPhoto
from ashiato.photos import stored_file
from tests.factories import login_as
from tests.helpers import GPS_IFD, jpeg_with_gps, png_bytes, post_diary


def assert_no_metadata(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert GPS_IFD not in exif and 0x010F not in exif  # no GPS pointer, no maker
    assert "exif" not in image.info


async def test_uploaded_photos_are_stored_without_exif_or_gps(client, app, circle):
    await login_as(client, circle.author)
    posted = await post_diary(
        client,
        {"title": "散歩", "body": "東京タワーまで"},
        photos=[
            ("IMG_0001.JPG", jpeg_with_gps(), "image/jpeg"),
            ("map.png", png_bytes(), "image/png"),
        ],
    )
    assert posted.status_code == 303, posted.text
    diary = await Diary.objects().first()
    photos = (
        await DiaryPhoto.objects().where(DiaryPhoto.diary == diary.id).order_by(DiaryPhoto.position)
    )
    assert [p.key.rsplit(".", 1)[1] for p in photos] == ["jpg", "png"]
    assert diary.photo_count == 2
    settings = app.state.settings
    for photo in photos:
        stored = stored_file(settings, photo.key).read_bytes()  # read back from the disk
        assert_no_metadata(stored)
    served = await client.get(f"/diaries/{diary.id}/photos/{photos[0].id}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert_no_metadata(served.content)
    assert Image.open(io.BytesIO(served.content)).size == (64, 48)
    thumb = await client.get(f"/diaries/{diary.id}/photos/{photos[0].id}/thumb")
    assert thumb.status_code == 200
    assert_no_metadata(thumb.content)
    page = await client.get(f"/diaries/{diary.id}")
    assert f"/diaries/{diary.id}/photos/{photos[1].id}/thumb" in page.text


async def test_a_disguised_file_is_refused_and_no_diary_is_written(client, circle):
    await login_as(client, circle.author)
    response = await post_diary(
        client,
        {"title": "偽物", "body": "本文"},
        photos=[
            ("good.jpg", jpeg_with_gps(), "image/jpeg"),
            ("cat.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg"),
        ],
    )
    assert response.status_code == 422
    assert "Photo 2: This file is not a JPEG, PNG or GIF photo." in response.text
    assert "偽物" in response.text  # the form comes back filled in
    assert await Diary.count() == 0 and await DiaryPhoto.count() == 0


async def test_a_broken_photo_is_refused_and_no_diary_is_written(client, circle):
    await login_as(client, circle.author)
    data = jpeg_with_gps(size=(300, 200))
    broken = data[: len(data) // 2]  # a real JPEG header, half its picture
    response = await post_diary(
        client, {"title": "壊れた", "body": "本文"}, photos=[("x.jpg", broken, "image/jpeg")]
    )
    assert response.status_code == 422
    assert "Photo 1: This photo is damaged and cannot be read." in response.text
    assert await Diary.count() == 0 and await DiaryPhoto.count() == 0


async def test_at_most_three_photos_per_diary(client, circle):
    await login_as(client, circle.author)
    photos = [(f"{n}.png", png_bytes((10 + n, 10)), "image/png") for n in range(4)]
    response = await post_diary(client, {"title": "多すぎ", "body": "本文"}, photos=photos)
    assert response.status_code == 422 and "At most 3 photos per diary." in response.text
    assert await Diary.count() == 0


async def test_size_and_pixel_limits_are_settings(client, app, circle):
    await login_as(client, circle.author)
    app.state.settings = replace(app.state.settings, upload_max_bytes=300)
    big = await post_diary(
        client, {"title": "大きい", "body": "b"}, photos=[("a.jpg", jpeg_with_gps(), "image/jpeg")]
    )
    assert big.status_code == 422 and "The photo is too large" in big.text
    app.state.settings = replace(app.state.settings, upload_max_bytes=10**6, upload_max_pixels=100)
    wide = await post_diary(
        client, {"title": "広い", "body": "b"}, photos=[("a.png", png_bytes((20, 20)), "image/png")]
    )
    assert wide.status_code == 422 and "too many pixels" in wide.text
    assert await Diary.count() == 0


async def test_editing_removes_and_adds_photos(client, circle, settings):
    diary = await service.create_diary(
        circle.author,
        DiaryDraft(title="t", body="b", photos=[jpeg_with_gps(), png_bytes()]),
        settings,
    )
    first, second = await DiaryPhoto.objects().order_by(DiaryPhoto.position)
    await login_as(client, circle.author)
    form = await client.get(f"/diaries/{diary.id}/edit")
    assert f'name="remove_photo" value="{first.id}"' in form.text
    assert form.text.count('type="file"') == 1  # one free slot
    edited = await post_diary(
        client,
        {"title": "t", "body": "b", "visibility": "everyone", "remove_photo": str(first.id)},
        photos=[("new.png", png_bytes((40, 40)), "image/png")],
        path=f"/diaries/{diary.id}/edit",
    )
    assert edited.status_code == 303, edited.text
    remaining = await DiaryPhoto.objects().order_by(DiaryPhoto.position)
    assert [p.id for p in remaining][0] == second.id and len(remaining) == 2
    assert (await Diary.objects().first()).photo_count == 2
    gone = await client.get(f"/diaries/{diary.id}/photos/{first.id}")
    assert gone.status_code == 404
    too_many = await post_diary(
        client,
        {"title": "t", "body": "b", "visibility": "everyone"},
        photos=[("a.png", png_bytes((41, 40)), "image/png"), ("b.png", png_bytes(), "image/png")],
        path=f"/diaries/{diary.id}/edit",
    )
    assert too_many.status_code == 422 and "At most 3 photos" in too_many.text


async def test_a_photo_of_another_diary_is_not_served_under_this_one(client, circle, settings):
    hidden = await service.create_diary(
        circle.author,
        DiaryDraft(title="t", body="b", visibility="only_me", photos=[png_bytes()]),
        settings,
    )
    public = await service.create_diary(circle.stranger, DiaryDraft(title="t", body="b"), settings)
    photo = await DiaryPhoto.objects().where(DiaryPhoto.diary == hidden.id).first()
    await login_as(client, circle.stranger)
    response = await client.get(f"/diaries/{public.id}/photos/{photo.id}")
    assert response.status_code == 404
