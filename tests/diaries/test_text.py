"""Members' text is escaped first; only our <br> and <a> are added."""

from __future__ import annotations

from markupsafe import Markup

from ashiato.diaries.text import render_body


def test_script_in_a_body_comes_out_escaped():
    html = render_body('<script>alert("x")</script>')
    assert isinstance(html, Markup)
    assert str(html) == "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


def test_line_breaks_become_br_whatever_the_newline():
    assert str(render_body("一行目\r\n二行目\n\n四行目")) == "一行目<br>\n二行目<br>\n<br>\n四行目"


def test_urls_become_nofollow_links_and_stay_escaped():
    html = str(render_body("見て https://example.jp/a?b=1&c=<2>。ね"))
    assert html == (
        '見て <a href="https://example.jp/a?b=1&amp;c=" rel="nofollow noopener" '
        'target="_blank">https://example.jp/a?b=1&amp;c=</a>&lt;2&gt;。ね'
    )


def test_trailing_punctuation_and_quotes_are_not_part_of_a_link():
    html = str(render_body('(http://example.jp/x). "http://example.jp/y"'))
    assert 'href="http://example.jp/x"' in html
    assert 'href="http://example.jp/y"' in html
    assert "&#34;" in html  # the quotes around the second URL stay, escaped


def test_a_quote_cannot_break_out_of_the_href():
    html = str(render_body("http://example.jp/'onmouseover='alert(1)"))
    assert 'href="http://example.jp/&#39;onmouseover=&#39;alert(1)"' in html
    assert "'onmouseover" not in html


def test_only_http_and_https_are_linked():
    html = str(render_body("javascript:alert(1) ftp://example.jp/ www.example.jp"))
    assert "<a " not in html
