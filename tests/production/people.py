"""A person at the production stack: a requests session that signs in with the password
and then the 6-digit code an authenticator app would show, computed (RFC 6238) from the
key that the enrolment page gave."""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
import time
from base64 import b32decode
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

from demo.loader import fixture
from tests.production.stack import Stack

STEP_SECONDS = 30
DEMO_PASSWORD = fixture("people.yaml")["password"]


def totp(key_base32: str, step: int) -> str:
    key = b32decode(key_base32 + "=" * (-len(key_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class PageParts(HTMLParser):
    """A page's links, its stylesheets, scripts and images, and its hidden form inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "link" and values.get("href") and "stylesheet" in values.get("rel", ""):
            self.assets.append(values["href"])
        elif tag in ("script", "img") and values.get("src"):
            self.assets.append(values["src"])
        elif tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.hidden.setdefault(values["name"], values.get("value", ""))


def parse(html: str) -> PageParts:
    parts = PageParts()
    parts.feed(html)
    return parts


# The last time step each user's code was used: the server accepts each step once.
_last_step: dict[str, int] = {}


def next_code(username: str, key: str) -> str:
    while True:
        now = int(time.time()) // STEP_SECONDS
        wanted = max(now, _last_step.get(username, -1) + 1)
        if wanted <= now + 1:  # the server allows one step of drift
            _last_step[username] = wanted
            return totp(key, wanted)
        time.sleep(STEP_SECONDS - time.time() % STEP_SECONDS + 0.2)


class Person:
    def __init__(self, stack: Stack, username: str, node: str) -> None:
        self.stack = stack
        self.username = username
        self.node = node
        self.session = requests.Session()
        # Passed on every request: a session-wide `verify` loses to REQUESTS_CA_BUNDLE.
        self.verify = str(stack.certificate)

    def get(self, path: str, *, node: str | None = None, **kwargs) -> requests.Response:
        return self.session.get(
            urljoin(node or self.node, path), timeout=60, verify=self.verify, **kwargs
        )

    def post(
        self, path: str, data: dict, *, page: requests.Response, node: str | None = None, **kwargs
    ) -> requests.Response:
        """Posts a form from `page`, with its CSRF token and the Referer a browser sends
        (Django checks it over https)."""
        fields = {**parse(page.text).hidden, **data}
        return self.session.post(
            urljoin(node or self.node, path),
            data=fields,
            headers={"Referer": page.url},
            timeout=120,
            verify=self.verify,
            **kwargs,
        )

    def sign_in(self) -> requests.Response:
        page = self.get("/sign-in/")
        answer = self.post(
            "/sign-in/", {"username": self.username, "password": DEMO_PASSWORD}, page=page
        )
        if "/account/two-factor/set-up/" in answer.url:
            key_text = re.search(r'id="setup-key">([^<]+)<', answer.text)
            assert key_text, "the enrolment page shows the setup key"
            key = unescape(key_text.group(1)).replace(" ", "")
            self.stack.totp_keys[self.username] = key
            answer = self.post(
                "/account/two-factor/set-up/",
                {"code": next_code(self.username, key)},
                page=answer,
            )
            assert "/account/two-factor/recovery-codes/" in answer.url, answer.url
            answer = self.get("/")
        elif "/account/two-factor/check/" in answer.url:
            key = self.stack.totp_keys[self.username]
            answer = self.post(
                "/account/two-factor/check/",
                {"code": next_code(self.username, key)},
                page=answer,
            )
        assert answer.status_code == 200 and "/sign-in/" not in answer.url, (
            f"{self.username} could not sign in: {answer.status_code} {answer.url}"
        )
        assert "/account/two-factor/" not in answer.url, answer.url
        return answer
