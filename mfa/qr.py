"""The enrolment page's QR code, drawn as inline SVG markup: no image request, no
Pillow, and nothing the Content-Security-Policy forbids (no script, no style attribute)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from base64 import b32encode

import qrcode
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathFillImage

QR_SIZE_PX = "220"


def totp_qr_svg(device: TOTPDevice) -> SafeString:
    code = qrcode.QRCode(border=4, image_factory=SvgPathFillImage)
    code.add_data(device.config_url)
    code.make(fit=True)
    svg = code.make_image().get_image()
    svg.set("width", QR_SIZE_PX)
    svg.set("height", QR_SIZE_PX)
    svg.set("class", "app-qr-code")
    svg.set("role", "img")
    svg.set("aria-label", "QR code to scan with your authenticator app")
    svg.set("focusable", "false")
    # Built by qrcode from our own otpauth URL; ElementTree escapes every attribute.
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308


def totp_key_groups(device: TOTPDevice) -> str:
    """The secret key as most apps ask for it when typed in: base32, in groups of 4."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
