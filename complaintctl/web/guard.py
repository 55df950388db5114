"""The UI's door: who may talk to the server at all, before any page runs.

A server on 127.0.0.1 is still reachable from every web page the person has open, so each
request must prove it comes from the person's own browser tab:
- the `Host` header names this server (127.0.0.1:PORT or localhost:PORT), or a page on some
  other name that resolves to 127.0.0.1 could read our answers (DNS rebinding);
- the secret token printed with the URL is traded, on first visit, for an HttpOnly,
  SameSite=Strict cookie, then the browser is sent to the same page without it — the token does
  not stay in the address bar or the history;
- every POST carries the page's CSRF token (a form field or the `X-CSRF-Token` header) and, when
  the browser sends one, an `Origin` of this server; anything else is refused before the
  application sees it.
Refusals are plain text in the office's language; nothing behind them runs.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode

from complaintctl.i18n import _

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "complaintctl_ui"
TOKEN_PARAM = "token"
CSRF_FIELD = "csrf"
CSRF_HEADER = b"x-csrf-token"
MAX_FORM = 1 << 20  # a complaint's text is a few KB; nothing bigger is a form of ours
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Secrets:
    """One server's secrets, new at every start: the URL's token, the cookie it becomes, the
    forms' CSRF token."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _plain(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store"),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware in front of the UI application (see the module's docstring)."""

    def __init__(self, app: App, port: int, keys: Secrets) -> None:
        self.app = app
        self.keys = keys
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{h}" for h in self.hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan: the server's own start and stop
            await self.app(scope, receive, send)
            return
        host = (_header(scope, b"host") or "").lower()
        if host not in self.hosts:
            await _plain(send, 421, _("refused: this server answers only as 127.0.0.1 or localhost on its own "
                                      "port (Host header {host!r})").format(host=host))
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.get(TOKEN_PARAM, [""])[0]
        if given:
            await self._exchange(scope, send, given, query)
            return
        if not self._signed_in(scope):
            await _plain(send, 403, _("refused: open the address `complaintctl ui` printed (it carries the "
                                      "key to this server)"))
            return
        if scope["method"] not in ("GET", "HEAD"):
            checked = await self._checked(scope, receive, send)
            if checked is None:
                return
            receive = checked
        await self.app(scope, receive, send)

    def _signed_in(self, scope: Scope) -> bool:
        cookie = SimpleCookie()
        try:
            cookie.load(_header(scope, b"cookie") or "")
        except Exception:  # noqa: BLE001 - a malformed Cookie header is no session
            return False
        morsel = cookie.get(COOKIE)
        return morsel is not None and _same(morsel.value, self.keys.session)

    async def _exchange(self, scope: Scope, send: Send, given: str, query: dict[str, list[str]]) -> None:
        """The printed URL's token: a cookie in its place, and the same page without the token."""
        if not _same(given, self.keys.token):
            await _plain(send, 403, _("refused: this key is not this server's; open the address `complaintctl ui` "
                                      "printed"))
            return
        rest = {k: v for k, v in query.items() if k != TOKEN_PARAM}
        target = scope.get("path", "/") + (("?" + urlencode(rest, doseq=True)) if rest else "")
        if not target.startswith("/") or target.startswith("//"):  # never an open redirect
            target = "/"
        cookie = f"{COOKIE}={self.keys.session}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", target.encode("utf-8")), (b"set-cookie", cookie.encode()),
                                (b"cache-control", b"no-store"), (b"referrer-policy", b"no-referrer"),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """A POST's Origin and CSRF token checked; the body handed on unchanged. None: refused."""
        origin = _header(scope, b"origin")
        if origin is not None and origin.lower() not in self.origins:
            await _plain(send, 403, _("refused: a form from another site ({origin})").format(origin=origin))
            return None
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_FORM:
                await _plain(send, 413, _("refused: the form is larger than {n} bytes").format(n=MAX_FORM))
                return None
        token = _header(scope, CSRF_HEADER)
        if token is None:
            kind = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
            fields = parse_qs(body.decode("utf-8", "replace")) if kind == FORM_TYPE else {}
            token = fields.get(CSRF_FIELD, [""])[0]
        if not token or not _same(token, self.keys.csrf):
            await _plain(send, 403, _("refused: the form carries no valid CSRF token; reload the page and send it "
                                      "again"))
            return None
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay
