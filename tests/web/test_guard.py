"""The UI's door, against a real `complaintctl ui` process: loopback only, the printed token
traded for an HttpOnly SameSite=Strict cookie, the Host header checked (DNS rebinding), a CSRF
token on every POST. Each refusal is a plain HTTP request, and nothing behind it is written."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.conftest import Office
from tests.web.uiserver import UI, location_path, running

INTAKE = {"channel": "phone", "name": "周先生", "contact": "13911112222", "complainant_class": "owner",
          "category": "work-efficiency", "subject": "单元门禁失灵", "details": "刷卡无反应", "severity": "general"}


@pytest.fixture
def ui(office: Office) -> Iterator[UI]:
    with running(office.root) as server:
        yield server


def test_it_prints_a_loopback_address_with_a_token_and_who_it_acts_as(ui: UI) -> None:
    assert f"http://127.0.0.1:{ui.port}/?token=" in ui.printed
    assert len(ui.token) >= 32
    assert "张敏 <zhangmin@example.com>" in ui.printed


def own_address() -> str | None:
    """This machine's address on its network (no packet is sent), if it has one besides loopback."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def test_it_listens_on_loopback_only(ui: UI) -> None:
    with socket.create_connection(("127.0.0.1", ui.port), timeout=30):
        pass
    address = own_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback to try")
    with pytest.raises(OSError), socket.create_connection((address, ui.port), timeout=10):
        pass


def test_without_the_cookie_nothing_is_shown(ui: UI, office: Office) -> None:
    case_id = office.new()
    for path in ("/", "/mine", "/board", "/new", f"/case/{case_id}", "/static/ui.js"):
        reply = ui.get(path)
        assert reply.status == 403, (path, reply)
        assert case_id not in reply.text and "王女士" not in reply.text
        assert "set-cookie" not in reply.headers


def test_a_wrong_token_gets_no_cookie(ui: UI) -> None:
    reply = ui.get("/?token=" + "x" * 43, cookie=False)
    assert reply.status == 403
    assert "set-cookie" not in reply.headers


def test_the_token_becomes_an_httponly_strict_cookie_and_leaves_the_url(ui: UI) -> None:
    reply = ui.get(f"/mine?token={ui.token}", cookie=False)
    assert reply.status == 303
    assert location_path(reply) == "/mine" and ui.token not in reply.headers["location"]
    cookie = [part.strip() for part in reply.headers["set-cookie"].split(";")]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    name_value = cookie[0]
    assert ui.token not in name_value  # the cookie is its own secret, not the printed token
    page = ui.get("/mine", headers={"Cookie": name_value})
    assert page.status == 200 and "张敏" in page.text
    assert ui.get("/mine", headers={"Cookie": name_value + "x"}).status == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost",
                                  "127.0.0.1.nip.io:{port}", "[::1]:{port}", ""])
def test_another_host_header_is_refused(ui: UI, host: str) -> None:
    """DNS rebinding: a page on another name that resolves to 127.0.0.1 reaches the port, but its
    requests name that other host; they get no answer, with the cookie or the token."""
    ui.sign_in()
    named = host.format(port=ui.port)
    assert ui.get("/mine", headers={"Host": named}).status == 421
    assert ui.get(f"/?token={ui.token}", headers={"Host": named}, cookie=False).status == 421


def test_localhost_by_name_is_this_server(ui: UI) -> None:
    ui.sign_in()
    assert ui.get("/mine", headers={"Host": f"localhost:{ui.port}"}).status == 200


def test_a_post_without_the_csrf_token_writes_nothing(ui: UI, office: Office) -> None:
    ui.sign_in()
    before = ui.head()
    assert ui.post("/new", INTAKE, csrf=False).status == 403
    assert ui.post("/new", {**INTAKE, "csrf": "not-the-token"}).status == 403
    assert ui.post("/new", INTAKE, headers={"Origin": "http://evil.example"}).status == 403
    assert ui.post("/new", INTAKE, headers={"Origin": "null"}).status == 403  # a sandboxed frame, a data: page
    assert ui.post("/new", INTAKE, cookie=False).status == 403  # the token alone is not enough
    assert ui.post("/new/check", INTAKE, csrf=False).status == 403
    assert ui.head() == before
    assert not list((office.root / "cases").rglob("*.yaml"))
    # the same form with the token is recorded: the refusals above were the guard's
    done = ui.post("/new", INTAKE, headers={"Origin": f"http://127.0.0.1:{ui.port}"})
    assert done.status == 200, done.text
    assert ui.head() != before


def test_the_csrf_token_may_come_as_a_header(ui: UI) -> None:
    ui.sign_in()
    reply = ui.post("/new/check", {"subject": "电梯着火"}, csrf=False, headers={"X-CSRF-Token": ui.csrf})
    assert reply.status == 200


def test_every_form_on_a_page_carries_the_csrf_token(ui: UI, office: Office) -> None:
    case_id = office.new()
    ui.sign_in()
    for path in ("/new", f"/case/{case_id}"):
        page = ui.get(path).text
        forms = page.count('method="post"')
        assert forms >= 1
        assert page.count(f'name="csrf" value="{ui.csrf}"') == forms
