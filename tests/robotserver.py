"""A stand-in for the WeCom and DingTalk group-robot services on 127.0.0.1 (http.server in a
thread): it checks each request as the vendors document it and answers as they do.

- WeCom (/cgi-bin/webhook/send?key=KEY): JSON with msgtype `markdown` (markdown.content, at
  most 4096 bytes) or `text` (text.content, at most 2048 bytes; mentioned_mobile_list);
  an unknown key: 93000; a bad message: 40008 / 40058; over 20 messages a minute: 45009.
- DingTalk (/robot/send?access_token=TOKEN[&timestamp=MS&sign=S]): JSON with msgtype
  `markdown` (markdown.title, markdown.text) and at.atMobiles / at.isAtAll, each @-mentioned
  mobile named in the text; a robot with a secret checks S = base64(HMAC-SHA256(secret,
  f"{MS}\\n{secret}")) and refuses a timestamp more than an hour off (310000); an unknown
  token: 300001; over 20 messages a minute: 130101.

Answers are HTTP 200 with `{"errcode": …, "errmsg": …}`, as both services answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

WECOM_PATH = "/cgi-bin/webhook/send"
DINGTALK_PATH = "/robot/send"
PER_MINUTE = 20


@dataclass
class Received:
    kind: str  # wecom | dingtalk
    token: str
    body: dict[str, Any]
    query: dict[str, str]

    @property
    def text(self) -> str:
        """What the group reads (and the title DingTalk shows in the chat list)."""
        msg = self.body.get(self.body.get("msgtype", ""), {})
        return "\n".join(str(msg.get(k, "")) for k in ("title", "text", "content") if k in msg)

    @property
    def mobiles(self) -> list[str]:
        if self.kind == "dingtalk":
            return list(self.body["at"]["atMobiles"])
        return list(self.body.get("text", {}).get("mentioned_mobile_list", []))


@dataclass
class RobotServer:
    port: int = 0
    wecom: set[str] = field(default_factory=set)  # keys of WeCom robots that exist
    dingtalk: dict[str, str] = field(default_factory=dict)  # DingTalk token -> signing secret ("": unsigned)
    received: list[Received] = field(default_factory=list)  # accepted messages
    refused: list[tuple[str, int]] = field(default_factory=list)  # (kind, errcode) of every refusal
    sent_at: dict[str, list[float]] = field(default_factory=dict)  # token -> times of accepted posts
    fail: dict[str, tuple[int, int]] = field(default_factory=dict)  # token -> (HTTP status, errcode) once
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point complaintctl at this server instead of the real hosts."""
        monkeypatch.setenv("COMPLAINTCTL_WECOM_URL", self.base + WECOM_PATH)
        monkeypatch.setenv("COMPLAINTCTL_DINGTALK_URL", self.base + DINGTALK_PATH)

    def to(self, token: str) -> list[Received]:
        return [r for r in self.received if r.token == token]

    def answer(self, path: str, query: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        kind = {WECOM_PATH: "wecom", DINGTALK_PATH: "dingtalk"}.get(path)
        if kind is None:
            return 404, {"errcode": 404, "errmsg": "not found"}
        token = query.get("key" if kind == "wecom" else "access_token", "")
        if token in self.fail:
            status, code = self.fail.pop(token)
            return status, {"errcode": code, "errmsg": "system busy"}
        if kind == "wecom" and token not in self.wecom:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        if kind == "dingtalk":
            if token not in self.dingtalk:
                return 200, {"errcode": 300001, "errmsg": "token is not exist"}
            problem = _signature_problem(self.dingtalk[token], query)
            if problem:
                return 200, {"errcode": 310000, "errmsg": problem}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 200, {"errcode": 40008 if kind == "wecom" else 400104, "errmsg": "invalid json"}
        problem = (_wecom_problem if kind == "wecom" else _dingtalk_problem)(body)
        if problem:
            code, msg = problem
            return 200, {"errcode": code, "errmsg": msg}
        with self.lock:
            now = time.monotonic()
            recent = [t for t in self.sent_at.get(token, []) if now - t < 60]
            if len(recent) >= PER_MINUTE:
                if kind == "wecom":
                    return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
                return 200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
            self.sent_at[token] = [*recent, now]
            self.received.append(Received(kind, token, body, query))
        return 200, {"errcode": 0, "errmsg": "ok"}


def _signature_problem(secret: str, query: dict[str, str]) -> str:
    if not secret:
        return ""
    stamp, sign = query.get("timestamp", ""), query.get("sign", "")
    if not stamp.isdigit() or not sign:
        return "sign not match"
    if abs(time.time() * 1000 - int(stamp)) > 3600 * 1000:
        return "invalid timestamp"
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    return "" if hmac.compare_digest(base64.b64encode(digest).decode(), sign) else "sign not match"


def _wecom_problem(body: Any) -> tuple[int, str] | None:
    kind = body.get("msgtype") if isinstance(body, dict) else None
    if kind not in ("markdown", "text") or not isinstance(body.get(kind), dict):
        return 40008, "invalid message type"
    msg = body[kind]
    content = msg.get("content")
    if not isinstance(content, str) or not content.strip():
        return 44004, "empty content"
    if len(content.encode("utf-8")) > (4096 if kind == "markdown" else 2048):
        return 40058, f"{kind}.content exceed max length"
    mobiles = msg.get("mentioned_mobile_list", [])
    if kind == "markdown" and set(msg) != {"content"}:
        return 40058, "markdown takes content only"
    if not isinstance(mobiles, list) or not all(isinstance(m, str) and m.isdigit() for m in mobiles):
        return 40058, "invalid mentioned_mobile_list"
    return None


def _dingtalk_problem(body: Any) -> tuple[int, str] | None:
    if not isinstance(body, dict) or body.get("msgtype") != "markdown" or not isinstance(body.get("markdown"), dict):
        return 400105, "not supported msgtype"  # this office sends markdown only
    md = body["markdown"]
    if not all(isinstance(md.get(k), str) and md[k].strip() for k in ("title", "text")):
        return 400102, "markdown needs title and text"
    at = body.get("at", {})
    mobiles = at.get("atMobiles", []) if isinstance(at, dict) else None
    if not isinstance(mobiles, list) or not isinstance(at.get("isAtAll", False), bool):
        return 400102, "invalid at"
    missing = [m for m in mobiles if f"@{m}" not in md["text"]]
    if missing:
        return 400102, f"@{missing[0]} is in atMobiles but not in the text"
    return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            status, answer = 200, {"errcode": 40008, "errmsg": "content type must be application/json"}
        else:
            status, answer = self.server.robots.answer(parts.path, query, raw)
        if answer["errcode"]:
            kind = "wecom" if parts.path == WECOM_PATH else "dingtalk"
            self.server.robots.refused.append((kind, int(answer["errcode"])))
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # the test output stays quiet
        pass


class _Server(ThreadingHTTPServer):
    robots: RobotServer


@pytest.fixture
def robotserver(monkeypatch: pytest.MonkeyPatch) -> Iterator[RobotServer]:
    """A fresh server for one test, complaintctl pointed at it, no proxy in between."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.robots = RobotServer(port=int(httpd.server_address[1]))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        httpd.robots.env(monkeypatch)
        yield httpd.robots
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
