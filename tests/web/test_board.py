"""The board, the report, the bulletin and sync in the UI, against a real server on the
every-state office (its clock pinned): the same answers as `due`, `report`, `bulletin`, `sync`."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaintctl.web.syncing import Outcome, Syncer
from tests.conftest import Office
from tests.web.uiserver import UI, running


@pytest.fixture
def ui(states: tuple[Office, dict[str, str]]) -> Iterator[UI]:
    office, _ids = states
    with running(office.root) as server:  # COMPLAINTCTL_NOW is set: the server judges clocks then
        server.sign_in()
        yield server


def board_ids(text: str) -> set[str]:
    return set(re.findall(r'<td><a href="/case/([A-Z]+-\d{4}-\d{4})">', text))


def test_the_board_answers_as_due_does(ui: UI, states: tuple[Office, dict[str, str]]) -> None:
    office, _ids = states
    due = {v["id"] for v in json.loads(office.run("due", "--within", "7d", "--json").output)}
    assert due, "the every-state office has clocks due"
    page = ui.get("/board?within=7d")
    assert page.status == 200
    assert board_ids(page.text) == due
    assert "工程维修部" in page.text  # grouped by unit, in the office's words


def test_the_board_filters_like_list(ui: UI, states: tuple[Office, dict[str, str]]) -> None:
    office, ids = states
    engineering = board_ids(ui.get("/board?within=7d&unit=engineering").text)
    listed = {r["id"] for r in json.loads(office.run("list", "--unit", "engineering", "--json").output)}
    assert engineering and engineering <= listed
    assert ids["received"] not in engineering  # not yet dispatched to a unit
    overdue = ui.get("/board?within=7d&overdue=1").text
    late = {r["id"] for r in json.loads(office.run("list", "--overdue", "--json").output)}
    assert board_ids(overdue) == late
    assert board_ids(ui.get("/board?within=7d&handler=nobody").text) == set()


def test_the_report_page_holds_the_reports_figures(ui: UI, states: tuple[Office, dict[str, str]]) -> None:
    office, _ids = states
    page = ui.get("/report?period=2026-11")
    assert page.status == 200
    text = office.run("report", "--period", "2026-11").output
    title = text.splitlines()[0].strip()
    assert title in page.text
    refused = ui.get("/report?period=not-a-period")
    assert refused.status == 422 and 'id="refused"' in refused.text


def test_the_bulletin_page_is_the_bulletin_served_sandboxed(ui: UI, states: tuple[Office, dict[str, str]],
                                                            tmp_path: Path) -> None:
    office, _ids = states
    page = ui.get("/bulletin?period=2026-11")
    assert page.status == 200
    office.run("bulletin", "--period", "2026-11", "--out", str(tmp_path), "--format", "html")
    written = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    assert page.text == written
    assert "王女士" not in page.text  # complainants masked (R-RP-4), as published
    csp = page.headers["content-security-policy"]
    assert csp.startswith("sandbox") and "script-src" not in csp


def test_sync_on_demand_pushes_my_work(ui: UI, states: tuple[Office, dict[str, str]]) -> None:
    office, _ids = states
    office.new()
    mine = office.git("rev-parse", "HEAD").stdout.strip()
    reply = ui.post("/sync", {})
    assert reply.status == 303
    remote = office.git("remote", "get-url", "origin").stdout.strip()
    pushed = subprocess.run(["git", "rev-parse", "main"], cwd=remote, capture_output=True, text=True, timeout=60)
    assert pushed.stdout.strip() == mine
    page = ui.get("/mine").text
    assert 'id="sync-outcome"' in page and "1" in page.split('id="sync-outcome"', 1)[1].split("</span>", 1)[0]


def test_the_timer_syncs_until_stopped(tmp_path: Path) -> None:
    runs: list[Path] = []
    ran = threading.Event()

    def fake(root: Path) -> Outcome:
        runs.append(root)
        if len(runs) >= 2:
            ran.set()
        return Outcome("now", True, "ok")

    syncer = Syncer(tmp_path, fake)
    thread = syncer.every(0.05)
    assert ran.wait(30)
    syncer.stop.set()
    thread.join(30)
    assert not thread.is_alive() and syncer.last == Outcome("now", True, "ok")


def test_the_board_says_what_the_next_sweep_does(states: tuple[Office, dict[str, str]],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Upgrades and reminders (R-DL-6, R-DL-7): the board names the step `sweep` would take next."""
    office, _ids = states
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-12-15T10:00:00+08:00")  # weeks later: clocks overdue
    planned = json.loads(office.run("sweep", "--dry-run", "--json").output)["changes"]
    assert planned, "weeks later, sweep has reminders or upgrades to make"
    with running(office.root) as ui:
        ui.sign_in()
        page = ui.get("/board?within=7d").text
    shown = dict(re.findall(r'<td><a href="/case/([A-Z]+-\d{4}-\d{4})">.*?<td class="sweep">(.*?)</td>', page))
    assert shown and any(shown.values()), (planned, shown)
    for case_id, cell in shown.items():
        assert bool(cell) == (case_id in {c["id"] for c in planned}), (case_id, cell)
