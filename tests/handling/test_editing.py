"""`edit` opens $EDITOR on the case file; the result is validated like any step and committed."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaintctl.model.case import SCHEMA_MODELINE
from tests.conftest import Office
from tests.violations import hooks_off, snapshot

States = tuple[Office, dict[str, str]]


def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """$EDITOR as a small shell script; $1 is the file click hands it."""
    path = tmp_path / "editor.sh"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(path))


def test_edit_commits_a_valid_change_keeping_comments(states: States, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = hooks_off(states[0]), states[1]
    case_id = ids["assigned"]
    editor(tmp_path, monkeypatch, "sed -i 's/^  location: .*/  location: 5栋1单元/' \"$1\"")
    result = office.run("edit", case_id)
    assert f"{case_id}:已更新(已派单)" in result.output
    text = office.path(case_id).read_text(encoding="utf-8")
    assert "location: 5栋1单元" in text
    assert text.startswith(f"# {SCHEMA_MODELINE}\n")
    assert "# R-RT-3: the person complained about" in text  # comments survive the round trip
    subject, author = office.git("log", "-1", "--format=%s|%an").stdout.strip().split("|")
    assert subject == f"{case_id}: 编辑 — 手工修改:投诉地点" and author == "张敏"  # the office's words
    assert office.show_json(case_id)["timeline"][-1]["note"] == "hand edit: intake.location"


def test_edit_may_not_change_what_rules_depend_on(states: States, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # The ledger (issue 9): a status change is a step (`wait`), never a bare edit.
    office, ids = hooks_off(states[0]), states[1]
    case_id = ids["in_progress"]
    before = snapshot(office)
    editor(tmp_path, monkeypatch, "sed -i 's/^status: in_progress/status: waiting/' \"$1\"")
    result = office.run("edit", case_id, ok=False)
    assert result.exit_code == 1
    assert "status: R-WF: 该项目是规则判定的依据:`edit` 只能修改自由文本" in result.output
    assert snapshot(office) == before


def test_edit_that_records_its_own_transition_is_recorded_once(states: States, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = hooks_off(states[0]), states[1]
    case_id = ids["waiting"]
    editor(tmp_path, monkeypatch, "\n".join([
        "sed -i 's/^status: waiting/status: in_progress/' \"$1\"",
        "cat >> \"$1\" <<'X'",
        "  - at: 2026-11-22 17:30:00+08:00",
        "    by: 张敏",
        "    action: resume",
        "    from: waiting",
        "    to: in_progress",
        "    note: 配件已到",
        "X"]))
    office.run("edit", case_id)
    data = office.show_json(case_id)
    assert data["status"] == "in_progress"
    assert [e.get("to") for e in data["timeline"]].count("in_progress") == 2  # plan, then the hand resume
    assert data["timeline"][-1]["action"] == "edit" and "to" not in data["timeline"][-1]


def test_edit_may_append_to_the_timeline_only(states: States, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = hooks_off(states[0]), states[1]
    case_id = ids["assigned"]
    editor(tmp_path, monkeypatch, "printf '  - at: 2026-11-22 17:30:00+08:00\\n    by: 张敏\\n    action: contact\\n"
                                  "    note: 已回电\\n' >> \"$1\"")
    office.run("edit", case_id)
    timeline = office.show_json(case_id)["timeline"]
    assert [e["action"] for e in timeline[-2:]] == ["contact", "edit"]


def test_edit_without_a_change_commits_nothing(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = hooks_off(states[0]), states[1]
    monkeypatch.setenv("EDITOR", "true")
    before = snapshot(office)
    assert office.run("edit", ids["assigned"]).output.strip() == f"{ids['assigned']}:无变化"
    assert snapshot(office) == before


def test_edit_refuses_broken_yaml(states: States, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = hooks_off(states[0]), states[1]
    editor(tmp_path, monkeypatch, "echo 'status: [unclosed' >> \"$1\"")
    before = snapshot(office)
    result = office.run("edit", ids["assigned"], ok=False)
    assert result.exit_code == 1 and "not a valid case file (R-WF)" in result.output
    assert snapshot(office) == before
