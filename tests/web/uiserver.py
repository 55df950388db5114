"""A real `complaintctl ui` process for the tests: started on a free port of 127.0.0.1, its
printed address read (with a deadline), stopped after; plain HTTP requests with http.client,
which follows no redirect and sends exactly the headers given."""

from __future__ import annotations

import http.client
import os
import re
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

START_TIMEOUT = 120  # seconds: a cold start (uvicorn, starlette) on a busy two-core machine
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]+)")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class UI:
    root: Path
    port: int
    token: str
    proc: subprocess.Popen[str]
    cookie: str = ""
    csrf: str = ""
    printed: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def request(self, method: str, path: str, body: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None, cookie: bool = True, csrf: bool = True) -> Reply:
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if cookie and self.cookie:
            sent.setdefault("Cookie", self.cookie)
        data = None
        if body is not None:
            fields = dict(body)
            if csrf:
                fields.setdefault("csrf", self.csrf)
            data = urlencode(fields).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in sent.items():
                conn.putheader(k, v)
            if data is not None:
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            resp = conn.getresponse()
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()},
                         resp.read().decode("utf-8", "replace"))
        finally:
            conn.close()

    def get(self, path: str, **kw: object) -> Reply:
        return self.request("GET", path, **kw)  # type: ignore[arg-type]

    def post(self, path: str, body: Mapping[str, str], **kw: object) -> Reply:
        return self.request("POST", path, body, **kw)  # type: ignore[arg-type]

    def sign_in(self) -> None:
        """Trade the printed token for the cookie, as a browser does; read the page's CSRF token."""
        reply = self.get(f"/?token={self.token}", cookie=False)
        assert reply.status == 303, reply
        self.cookie = reply.headers["set-cookie"].split(";")[0]
        page = self.get("/new")
        assert page.status == 200, page.text
        found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert found, page.text
        self.csrf = found.group(1)

    def head(self) -> str:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=self.root, capture_output=True, text=True,
                              check=True, timeout=60).stdout.strip()


@contextmanager
def running(root: Path, env: Mapping[str, str] | None = None, port: int = 0) -> Iterator[UI]:
    """`complaintctl -C root ui --port PORT` as its own process, until the block ends."""
    environ = {**(env or os.environ), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "complaintctl", "-C", str(root), "ui", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environ,
                            stdin=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        printed, deadline = "", time.monotonic() + START_TIMEOUT
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        while not URL.search(printed):
            left = deadline - time.monotonic()
            assert left > 0 and proc.poll() is None, f"ui did not start: {printed}"
            if sel.select(timeout=min(left, 1.0)):
                line = proc.stdout.readline()
                printed += line
        found = URL.search(printed)
        assert found is not None
        ui = UI(root, int(found.group(1)), found.group(2), proc, printed=printed)
        sel.close()
        # keep reading what the server prints, so a full pipe never stalls it
        threading.Thread(target=_drain, args=(proc, ui), daemon=True).start()
        yield ui
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def _drain(proc: subprocess.Popen[str], ui: UI) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        ui.printed += line


def location_path(reply: Reply) -> str:
    return urlsplit(reply.headers.get("location", "")).path
