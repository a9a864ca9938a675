"""Members' text is escaped first; only our <br> and <a> are added (ashiato.text)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from ashiato.text import REL, render_text


def reply_url(number: int) -> str | None:
    """Replies 1 to 200 exist, 50 a page."""
    return f"/t/9?page={(number - 1) // 50 + 1}#reply-{number}" if 1 <= number <= 200 else None


def test_script_in_a_body_comes_out_escaped():
    html = render_text('<script>alert("x")</script>')
    assert isinstance(html, Markup)
    assert str(html) == "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


def test_markup_passed_in_is_escaped_too():
    assert str(render_text(Markup("<b>bold</b>"))) == "&lt;b&gt;bold&lt;/b&gt;"


def test_line_breaks_become_br_whatever_the_newline():
    assert str(render_text("一行目\r\n二行目\n\n四行目\r五行目")) == (
        "一行目<br>\n二行目<br>\n<br>\n四行目<br>\n五行目"
    )


def test_urls_become_links_with_the_one_rel_and_stay_escaped():
    html = str(render_text("見て https://example.jp/a?b=1&c=<2>。ね"))
    assert html == (
        f'見て <a href="https://example.jp/a?b=1&amp;c=" rel="{REL}">'
        "https://example.jp/a?b=1&amp;c=</a>&lt;2&gt;。ね"
    )
    assert REL == "nofollow noopener noreferrer ugc"


def test_japanese_text_right_after_a_url_is_not_part_of_it():
    html = str(render_text("https://example.jp/pathです。http://example.jp/x（括弧）"))
    assert '<a href="https://example.jp/path" rel=' in html and "</a>です。" in html
    assert '<a href="http://example.jp/x" rel=' in html and "</a>（括弧）" in html


def test_trailing_punctuation_and_quotes_are_not_part_of_a_link():
    html = str(render_text('(http://example.jp/x). "http://example.jp/y"'))
    assert 'href="http://example.jp/x"' in html
    assert 'href="http://example.jp/y"' in html
    assert "&#34;" in html  # the quotes around the second URL stay, escaped


def test_a_url_with_balanced_parentheses_keeps_its_closing_one():
    html = str(render_text("https://en.wikipedia.org/wiki/Ashi_(foot)."))
    assert 'href="https://en.wikipedia.org/wiki/Ashi_(foot)"' in html
    assert html.endswith("</a>.")


def test_a_quote_cannot_break_out_of_the_href():
    html = str(render_text("http://example.jp/'onmouseover='alert(1)"))
    assert 'href="http://example.jp/&#39;onmouseover=&#39;alert(1)"' in html
    assert "'onmouseover" not in html


def test_only_http_and_https_are_linked():
    html = str(render_text("javascript:alert(1) ftp://example.jp/ www.example.jp"))
    assert "<a " not in html


def test_reply_numbers_link_to_their_page_in_every_spelling():
    html = str(render_text("see >>3 and ＞＞１２０ and ≫7", reply_url=reply_url))
    assert '<a class="reply-ref" href="/t/9?page=1#reply-3">&gt;&gt;3</a>' in html
    assert '<a class="reply-ref" href="/t/9?page=3#reply-120">＞＞１２０</a>' in html
    assert '<a class="reply-ref" href="/t/9?page=1#reply-7">≫7</a>' in html


def test_a_reply_that_does_not_exist_stays_text():
    html = str(render_text(">>999 >>0", reply_url=reply_url))
    assert html == "&gt;&gt;999 &gt;&gt;0" and "<a" not in html


def test_reply_numbers_are_text_unless_the_caller_asks_for_links():
    assert str(render_text(">>3")) == "&gt;&gt;3"


def test_a_url_and_a_reply_number_side_by_side():
    html = str(render_text("https://example.jp/>>3", reply_url=reply_url))
    assert '<a href="https://example.jp/" rel=' in html
    assert '<a class="reply-ref" href="/t/9?page=1#reply-3">&gt;&gt;3</a>' in html


OUR_TAGS = re.compile(r'<a (class="reply-ref" )?href="[^"<>]*"( rel="[^"]*")?>|</a>|<br>')
PIECES = [*"<>&\"' \n\r＞≫ab1２:/.?=#()", "http://", "https://x.jp/", ">>1", "<script>", "<a href="]


@given(st.lists(st.sampled_from(PIECES)).map("".join))
def test_no_tag_ever_comes_from_the_input(text):
    """Every `<` in the output starts one of our own tags, whatever the member typed."""
    html = str(render_text(text, reply_url=reply_url))
    without_ours = OUR_TAGS.sub("", html)
    assert "<" not in without_ours
    assert without_ours.count("&lt;") == text.count("<")


@given(st.text())
def test_any_text_renders_without_an_unescaped_angle_bracket(text):
    assert "<" not in OUR_TAGS.sub("", str(render_text(text, reply_url=reply_url)))
