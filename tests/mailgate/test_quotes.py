"""A reply's own words: quotes, their header line, a pasted original and the signature go."""

from __future__ import annotations

import pytest

from mailgate.quotes import reply_text

REPLIES = [
    pytest.param("ありがとう！", "ありがとう！", id="just-text"),
    pytest.param(
        "ありがとう！\nまた作るね\n\n> たろう commented:\n> おいしそう！\n",
        "ありがとう！\nまた作るね",
        id="quote-below",
    ),
    pytest.param(
        "On Sun, 22 Nov 2026 at 10:00, Ashiato <no-reply@mail.example.jp> wrote:\n"
        "> おいしそう！\n\nThanks!",
        "Thanks!",
        id="quote-above-with-header",
    ),
    pytest.param(
        "Thanks!\n\nOn Sun, 22 Nov 2026 at 10:00, Ashiato\n<no-reply@mail.example.jp> wrote:\n\n"
        "> おいしそう！\n",
        "Thanks!",
        id="wrapped-header",
    ),
    pytest.param(
        "うれしい\n\n2026/11/22 10:00、Ashiato <no-reply@mail.example.jp>のメール:\n\n＞おいしそう",
        "うれしい",
        id="iphone-japanese-full-width-quote",
    ),
    pytest.param(
        "はい\n\nたろうさんは書きました：\n> 今度行こう",
        "はい",
        id="japanese-wrote",
    ),
    pytest.param(
        "了解です\n\n-- \nﾊﾅｺ\n\n-----Original Message-----\nFrom: Ashiato\nおいしそう！",
        "了解です",
        id="pasted-original-and-signature",
    ),
    pytest.param(
        "了解\n\n----- 元のメッセージ -----\nおいしそう！",
        "了解",
        id="pasted-original-japanese",
    ),
    pytest.param(
        "> a\nmy answer to a\n> b\nmy answer to b",
        "my answer to a\nmy answer to b",
        id="inline-answers",
    ),
    pytest.param(
        "This is what I wrote:\nno quote follows, so the line stays",
        "This is what I wrote:\nno quote follows, so the line stays",
        id="wrote-without-a-quote",
    ),
    pytest.param("\n\n-- \nｻﾄｳ\n\n> おいしそう！", "", id="nothing-of-its-own"),
]


@pytest.mark.parametrize(("body", "expected"), REPLIES)
def test_a_reply_keeps_only_the_members_own_words(body, expected):
    assert reply_text(body) == expected
