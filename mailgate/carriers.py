"""Which addresses belong to Japanese mobile carriers, and how such addresses are compared.

Only carrier addresses can be verified as a member's mobile address, and the carriers' MTAs
always send with the handset's own address, so the sender domain is the trust anchor: it is
matched as a whole domain, never as a substring (``evil-docomo.ne.jp`` is not docomo).
"""

from __future__ import annotations

from collections.abc import Iterable

_SOFTBANK_LETTERS = "dhtcrknsq"  # the regional letters of the old J-PHONE/Vodafone domains

# Domain -> carrier key. The key also selects the emoji set (see `mailgate.emoji`).
CARRIER_OF_DOMAIN: dict[str, str] = {
    "docomo.ne.jp": "docomo",
    "mopera.net": "docomo",  # docomo's ISP
    "docomo.blackberry.com": "docomo",
    "ezweb.ne.jp": "au",
    "au.com": "au",
    "ido.ne.jp": "au",  # the former IDO, merged into au
    "softbank.ne.jp": "softbank",
    "i.softbank.jp": "softbank",  # iPhone
    "disney.ne.jp": "softbank",  # Disney Mobile on SoftBank
    **{f"{letter}.vodafone.ne.jp": "softbank" for letter in _SOFTBANK_LETTERS},
    **{f"jp-{letter}.ne.jp": "softbank" for letter in _SOFTBANK_LETTERS},
    "pdx.ne.jp": "willcom",
    "di.pdx.ne.jp": "willcom",
    "dj.pdx.ne.jp": "willcom",
    "dk.pdx.ne.jp": "willcom",
    "wm.pdx.ne.jp": "willcom",
    "willcom.com": "willcom",
    "sky.tu-ka.ne.jp": "tuka",
    "cara.tu-ka.ne.jp": "tuka",
    "sky.tkk.ne.jp": "tuka",
    "sky.tkc.ne.jp": "tuka",
    "emnet.ne.jp": "emobile",
}

DEFAULT_CARRIER_DOMAINS: tuple[str, ...] = tuple(CARRIER_OF_DOMAIN)

# Returned by carrier_of() for a domain a deployment added to its carrier list (a setting)
# that this module does not know.
OTHER_CARRIER = "other"


def normalize_address(address: str) -> str:
    """The canonical form in which mobile addresses are stored and compared.

    Accepts a bare addr-spec or the ``<...>`` form of SMTP's MAIL FROM. The local part is
    unquoted (``"taro."@docomo.ne.jp`` is the same mailbox as ``taro.@docomo.ne.jp``) and
    otherwise kept exactly: docomo's RFC-violating ``taro..yamada.@docomo.ne.jp`` still
    exists and must not be "fixed".

    The whole address is lowercased. RFC 5321 lets a local part be case-sensitive, but the
    carriers only hand out lowercase local parts and deliver case-insensitively, so
    ``Hanako.Sato@docomo.ne.jp`` typed in a form is the same phone as the lowercase MAIL
    FROM its MTA sends; keeping case would only make one mailbox look like two.
    """
    address = address.strip()
    if address.startswith("<") and address.endswith(">"):
        address = address[1:-1].strip()
    if address.startswith("@") and ":" in address:
        address = address.split(":", 1)[1]  # obsolete source route: <@relay:user@host>
    local, at, domain = address.rpartition("@")
    if not at:
        return _unquote(address).lower()
    return f"{_unquote(local)}@{domain.strip().rstrip('.')}".lower()


def _unquote(local_part: str) -> str:
    """Remove the quoting of quoted strings in a local part, keeping every other byte."""
    out: list[str] = []
    quoted = escaped = False
    for char in local_part:
        if escaped:
            out.append(char)
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        else:
            out.append(char)
    return "".join(out)


def address_from_header(value: str) -> str | None:
    """The addr-spec of a From-style header value ('Name <addr>' or a bare address).

    Hand-rolled rather than email.utils.parseaddr: parseaddr silently truncates malformed
    local parts (``a"b@docomo.ne.jp`` gives ``a``) and its answers on malformed input changed
    between Python releases (the strict mode of CVE-2023-27043), while docomo's real
    addresses are malformed by design. Returns the address as it appears (quotes kept);
    pass it to normalize_address() to compare.
    """
    text = _strip_comments(value).strip()
    if not text:
        return None
    angle = _first_angle_addr(text)
    if angle is None:  # a bare address, or a list of them: the first is the author
        angle = text.split(",", 1)[0]
    address = angle.strip()
    return address if "@" in address else None


def _strip_comments(value: str) -> str:
    """Drop RFC 5322 (comments) outside quoted strings."""
    out: list[str] = []
    depth = 0
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\" and (quoted or depth):
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if depth == 0 and char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
            continue
        elif not quoted and char == ")" and depth:
            depth -= 1
            continue
        if depth == 0:
            out.append(char)
    return "".join(out)


def _first_angle_addr(text: str) -> str | None:
    """Content of the first <...> outside quoted strings (a display name may contain '<')."""
    quoted = escaped = False
    start: int | None = None
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif not quoted and char == "<":
            start = index + 1
        elif not quoted and char == ">" and start is not None:
            return text[start:index]
    return None


def domain_of(address: str) -> str:
    """The lowercased domain of an address ('' when there is none)."""
    normalized = normalize_address(address)
    return normalized.rpartition("@")[2] if "@" in normalized else ""


def is_carrier_address(address: str, domains: Iterable[str] = DEFAULT_CARRIER_DOMAINS) -> bool:
    """True when the address's whole domain is one of `domains` (case-insensitive)."""
    domain = domain_of(address)
    return bool(domain) and domain in {d.strip().lower().rstrip(".") for d in domains}


def carrier_of(address: str, domains: Iterable[str] = DEFAULT_CARRIER_DOMAINS) -> str | None:
    """The carrier key ("docomo", "au", "softbank", ...) of an address, or None.

    `domains` is the deployment's carrier list; a listed domain this module does not know
    gives OTHER_CARRIER (a carrier address, but with no known emoji set).
    """
    if not is_carrier_address(address, domains):
        return None
    return CARRIER_OF_DOMAIN.get(domain_of(address), OTHER_CARRIER)
