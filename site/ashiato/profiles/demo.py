"""Demo content of profiles, made through its service: hobbies, favourites, audiences, faces."""

from __future__ import annotations

import io

import msgspec
from PIL import Image, ImageDraw

from ashiato.members.queries import members_by_pc_emails
from ashiato.profiles import service
from ashiato.settings import Settings

# email → (hobbies, favourite things, audiences that differ from the defaults)
PROFILES = {
    "admin@example.jp": (
        "サイトの運営 / Running this site",
        "みんなの日記を読むこと",
        {"notebook_audience": "friends"},
    ),
    "hanako@example.jp": (
        "ラーメン食べ歩き、写真",
        "とんこつラーメン、ミラーレス一眼、週末の散歩",
        {"birthday_visibility": "friends"},
    ),
    "kenji@example.jp": (
        "ニンテンドーDS、自転車",
        "マリオカート、たこ焼き",
        {"age_visibility": "friends_of_friends"},
    ),
    "misaki@example.jp": (
        "カフェめぐり、お花見",
        "桜、抹茶ラテ",
        {"region_visibility": "friends_of_friends", "photos_visibility": "friends"},
    ),
    "yoshida@example.jp": ("ｽｷｰ、携帯で日記", "ｼﾞﾝｷﾞｽｶﾝ、雪まつり", {"gender_visibility": "only_me"}),
    "emma@example.com": (
        "Calligraphy, hiking the Kyoto trails",
        "Matcha, old temples, J-pop from the 2000s",
        {"hobbies_visibility": "friends_of_friends"},
    ),
    "david@example.com": (
        "Street photography",
        "Film cameras, rainy Tokyo nights",
        {"introduction_visibility": "everyone"},
    ),
    "aiko@example.jp": (
        "Translation, jazz piano / 翻訳、ジャズピアノ",
        "Kyoto in autumn, Seattle coffee",
        {"birthday_visibility": "only_me"},
    ),
}
# A drawn face for a few members, uploaded through the same photo pipeline as any photo.
FACES = {
    "hanako@example.jp": ((255, 214, 170), (232, 115, 12)),
    "emma@example.com": ((204, 229, 255), (40, 90, 170)),
    "david@example.com": ((214, 240, 214), (40, 120, 60)),
    "misaki@example.jp": ((255, 220, 235), (200, 70, 120)),
}


def drawn_face(background: tuple[int, int, int], ink: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (320, 320), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((70, 50, 250, 230), fill=ink)  # head
    draw.rectangle((40, 240, 280, 320), fill=ink)  # shoulders
    draw.ellipse((120, 110, 140, 130), fill=background)
    draw.ellipse((180, 110, 200, 130), fill=background)
    draw.arc((120, 140, 200, 200), start=20, end=160, fill=background, width=8)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


async def fill_demo(settings: Settings) -> str:
    """Add this feature's demo content; returns a line for the console (or "")."""
    filled = photos = 0
    members = await members_by_pc_emails(PROFILES)
    for email, (hobbies, favourites, audiences) in PROFILES.items():
        member = members.get(email)
        if member is None:
            continue
        form = (await service.editor(member)).values
        changed = msgspec.structs.replace(form, hobbies=hobbies, favourites=favourites, **audiences)
        await service.save_profile(member, changed)
        filled += 1
        if email in FACES:
            await service.add_photo(member, drawn_face(*FACES[email]), settings)
            photos += 1
    return f"profiles: {filled} profiles filled in, {photos} with a photo"
