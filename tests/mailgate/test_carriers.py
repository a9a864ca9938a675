from __future__ import annotations

import pytest

from mailgate.carriers import (
    DEFAULT_CARRIER_DOMAINS,
    OTHER_CARRIER,
    address_from_header,
    carrier_of,
    is_carrier_address,
    normalize_address,
)


@pytest.mark.parametrize(
    ("address", "carrier"),
    [
        ("hanako.sato@docomo.ne.jp", "docomo"),
        ("taro@mopera.net", "docomo"),
        ("taro@docomo.blackberry.com", "docomo"),
        ("kenji-0412@ezweb.ne.jp", "au"),
        ("kenji@au.com", "au"),
        ("kenji@ido.ne.jp", "au"),
        ("kenji.sato.0318@softbank.ne.jp", "softbank"),
        ("miki.o@i.softbank.jp", "softbank"),
        ("mickey@disney.ne.jp", "softbank"),
        ("old@t.vodafone.ne.jp", "softbank"),
        ("older@jp-q.ne.jp", "softbank"),
        ("k-mori@pdx.ne.jp", "willcom"),
        ("k-mori@wm.pdx.ne.jp", "willcom"),
        ("k-mori@di.pdx.ne.jp", "willcom"),
        ("k-mori@willcom.com", "willcom"),
        ("sora@sky.tu-ka.ne.jp", "tuka"),
        ("sora@cara.tu-ka.ne.jp", "tuka"),
        ("sora@sky.tkc.ne.jp", "tuka"),
        ("em@emnet.ne.jp", "emobile"),
    ],
)
def test_carrier_domains_are_recognised(address: str, carrier: str) -> None:
    assert carrier_of(address) == carrier
    assert is_carrier_address(address)


def test_bracket_classes_of_the_readme_are_expanded_into_whole_domains() -> None:
    for letter in "dhtcrknsq":
        assert f"{letter}.vodafone.ne.jp" in DEFAULT_CARRIER_DOMAINS
        assert f"jp-{letter}.ne.jp" in DEFAULT_CARRIER_DOMAINS
    assert {"di.pdx.ne.jp", "dj.pdx.ne.jp", "dk.pdx.ne.jp", "wm.pdx.ne.jp"} <= set(
        DEFAULT_CARRIER_DOMAINS
    )
    assert not any("[" in domain for domain in DEFAULT_CARRIER_DOMAINS)


@pytest.mark.parametrize(
    "address",
    [
        "taro@evil-docomo.ne.jp",
        "taro@docomo.ne.jp.example.com",
        "taro@mail.docomo.ne.jp",
        "taro@xezweb.ne.jp",
        "taro@softbank.ne.jp.evil.example",
        "taro@a.vodafone.ne.jp",
        "docomo.ne.jp@example.com",
        "taro.yamada.1980@gmail.com",
        "no-at-sign",
        "",
    ],
)
def test_substrings_and_other_domains_are_not_carriers(address: str) -> None:
    assert carrier_of(address) is None
    assert not is_carrier_address(address)


def test_domain_match_ignores_case_and_angle_brackets() -> None:
    assert carrier_of("<Hanako.Sato@DoCoMo.NE.JP>") == "docomo"
    assert carrier_of("miki.o@I.SOFTBANK.JP.") == "softbank"


def test_callers_can_pass_their_own_domain_list() -> None:
    domains = ["docomo.ne.jp", "Mobile.Example.JP"]
    assert carrier_of("a@mobile.example.jp", domains) == OTHER_CARRIER
    assert carrier_of("a@docomo.ne.jp", domains) == "docomo"
    assert carrier_of("a@ezweb.ne.jp", domains) is None
    assert is_carrier_address("a@mobile.example.jp", domains)
    assert not is_carrier_address("a@ezweb.ne.jp", domains)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("taro..yamada.@docomo.ne.jp", "taro..yamada.@docomo.ne.jp"),
        ("<taro..yamada.@docomo.ne.jp>", "taro..yamada.@docomo.ne.jp"),
        (".taro@docomo.ne.jp", ".taro@docomo.ne.jp"),
        ('"taro."@docomo.ne.jp', "taro.@docomo.ne.jp"),
        ('"taro..yamada."@docomo.ne.jp', "taro..yamada.@docomo.ne.jp"),
        ('<"a\\"b"@docomo.ne.jp>', 'a"b@docomo.ne.jp'),
        ('"x@y"@docomo.ne.jp', "x@y@docomo.ne.jp"),
        ("Hanako.Sato@DOCOMO.ne.jp", "hanako.sato@docomo.ne.jp"),
        ("  <kenji-0412@ezweb.ne.jp.>  ", "kenji-0412@ezweb.ne.jp"),
        ("<@relay.example:miki.o@i.softbank.jp>", "miki.o@i.softbank.jp"),
    ],
)
def test_normalize_address(given: str, expected: str) -> None:
    assert normalize_address(given) == expected


def test_quoted_and_unquoted_forms_of_a_docomo_address_are_the_same_mailbox() -> None:
    assert normalize_address('"taro."@docomo.ne.jp') == normalize_address("taro.@docomo.ne.jp")
    assert normalize_address("taro..yamada.@docomo.ne.jp") != normalize_address(
        "taro.yamada@docomo.ne.jp"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("taro..yamada.@docomo.ne.jp", "taro..yamada.@docomo.ne.jp"),
        ("Taro <taro..yamada.@docomo.ne.jp>", "taro..yamada.@docomo.ne.jp"),
        ('"Yamada, Taro <home>" <"taro."@docomo.ne.jp>', '"taro."@docomo.ne.jp'),
        ("(handset) hanako.sato@docomo.ne.jp (Hanako)", "hanako.sato@docomo.ne.jp"),
        ('a"b@docomo.ne.jp', 'a"b@docomo.ne.jp'),  # parseaddr() gives just 'a'
        ("山田太郎 <taro.yamada.1980@gmail.com>", "taro.yamada.1980@gmail.com"),
        ("undisclosed-recipients:;", None),
        ("", None),
    ],
)
def test_address_from_header_keeps_docomo_addresses_whole(
    header: str, expected: str | None
) -> None:
    assert address_from_header(header) == expected
