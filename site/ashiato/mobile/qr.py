"""QR codes of gateway addresses: a phone's camera opens a new mail to the address."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(address: str) -> Markup:
    """A QR code that opens a new mail to `address` on a phone: inline SVG made by segno
    from our own address (no script, no style attribute, so the CSP allows it)."""
    code = segno.make(f"mailto:{address}", error="m")
    svg = code.svg_inline(scale=4, svgclass="qr-code", lineclass="qr-line", title=address)
    return Markup(svg)  # noqa: S704 - segno's markup of our own address, its title escaped
