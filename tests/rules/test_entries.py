"""Loose shapes (rules.entries, rules.validate.stray_file): a timeline entry with an action
complaintctl never records, or with keys its action never writes, and a case file committed
executable — each refused in one line naming the file, the field and the rule, by the
pre-commit hook and by the server for a `--no-verify` commit pushed by an identified pusher.
The honest twins pass; every entry the steps write fits the table."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from complaintctl.model.case import load_plain, timeline_entry
from complaintctl.rules.entries import COMMON, ENTRY_KEYS
from tests.conftest import SRC, Office
from tests.rules.test_decisions import committed_and_pushed, push_as, pushed_refused
from tests.rules.test_ledger import as_
from tests.violations import AT, edited, refused, rel

States = tuple[Office, dict[str, str]]


def both_hooks(office: Office, case_id: str, text: str, expect: str, monkeypatch: pytest.MonkeyPatch) -> None:
    line = f"{rel(office, case_id)}: {expect}"
    out = refused("commit", office, case_id, text, monkeypatch)
    assert line in out and out.count(rel(office, case_id)) == 1, out  # one line, naming file, field, rule
    office.git("reset", "-q", "--hard", "HEAD")
    pushed = pushed_refused(office, rel(office, case_id), text, "张敏")
    assert line in pushed, pushed


def test_an_entry_with_an_unknown_action_is_refused(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["in_progress"]
    n = len(load_plain(office.path(case_id).read_text(encoding="utf-8"), "case")["timeline"])
    text = edited(office, case_id, lambda d: d["timeline"].append(timeline_entry(AT, "张敏", "archive", note="归档")))
    both_hooks(office, case_id, text, f"timeline[{n}].action: R-WF: 'archive' 不是 complaintctl 记录的操作",
               monkeypatch)


def test_an_entry_with_a_key_its_action_never_writes_is_refused(states: States,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["in_progress"]
    n = len(load_plain(office.path(case_id).read_text(encoding="utf-8"), "case")["timeline"])
    text = edited(office, case_id, lambda d: d["timeline"].append(
        timeline_entry(AT, "张敏", "contact", note="已回电", extra={"on_time": True})))
    both_hooks(office, case_id, text, f"timeline[{n}].on_time: R-WF: contact 记录不含 'on_time'", monkeypatch)
    # the honest twin: the same contact as the CLI writes it
    honest = edited(office, case_id, lambda d: d["timeline"].append(
        timeline_entry(AT, "张敏", "contact", note="已回电")))
    committed_and_pushed(office, rel(office, case_id), honest, "张敏")


def test_an_executable_case_file_is_refused(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["in_progress"]
    path = rel(office, case_id)
    expect = f"{path}: (file): R-WF: 带有可执行权限(mode 100755)"
    office.git("update-index", "--chmod=+x", path)
    proc = office.git("commit", "-q", "-m", "chmod", check=False)
    assert proc.returncode != 0 and expect in proc.stderr, proc.stderr
    office.git("commit", "-q", "--no-verify", "-m", "chmod")
    before = office.git("ls-remote", "origin").stdout
    proc = push_as(office, "张敏")
    assert proc.returncode != 0 and expect in proc.stderr, proc.stderr
    assert office.git("ls-remote", "origin").stdout == before
    # the honest twin: the same case file, a plain record (100644), changed and pushed
    office.git("reset", "-q", "--hard", "origin/main")
    office.run("note", case_id, "已回电", "--contact")
    assert office.git("ls-files", "-s", path).stdout.startswith("100644")
    assert push_as(office, "张敏").returncode == 0


def _entries(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in data.get("timeline") or [] if isinstance(e, Mapping)]


def test_every_entry_the_steps_write_fits_the_table(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table in rules.entries is what the steps write: every entry of the every-state office
    (made through the CLI) and of the sample office (made by the generator through the steps)."""
    office, ids = states
    as_(monkeypatch, "王建国")
    office.run("reopen", ids["closed"], "--reason", "业主再次来电")
    files = [*sorted((office.root / "cases").rglob("*.yaml")), *sorted((SRC / "cases").rglob("*.yaml"))[:400]]
    seen: set[str] = set()
    for f in files:
        for e in _entries(load_plain(Path(f).read_text(encoding="utf-8"), str(f))):
            action = str(e.get("action"))
            seen.add(action)
            assert action in ENTRY_KEYS, (f, e)
            assert set(map(str, e)) <= COMMON | ENTRY_KEYS[action], (f, e)
    assert {"received", "assign", "plan", "resolve", "revisit", "close", "reopen", "invalid"} <= seen
