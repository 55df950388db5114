"""Reading cases: list (filters, --json, CJK columns aligned), show, history, and -C PATH."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from wcwidth import wcswidth

from complaintctl.cli import cli
from tests.conftest import NOW, Office, git_environment, set_identity
from tests.violations import hooks_off

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("queries")

States = tuple[Office, dict[str, str]]


@pytest.fixture(scope="module")
def listing(every_state_template: tuple[Path, dict[str, str]],
            tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, dict[str, str]]:
    """The every-state office plus a major staff-conduct case from October, for the filters."""
    base, ids = every_state_template
    root = tmp_path_factory.mktemp("listing") / "office"
    shutil.copytree(base / "office", root, symlinks=True)
    office = hooks_off(Office(root))
    with pytest.MonkeyPatch.context() as mp:
        git_environment(mp, tmp_path_factory.mktemp("home"))
        mp.setenv("COMPLAINTCTL_NOW", NOW)
        major = office.new("--received-at", "2026-10-08 10:00", "--severity", "major",
                           category="staff-conduct", subject="保安态度恶劣")
        office.run("assign", major, "--handler", "王建国", "--unit", "hr", "--copy", "王建国")
    return office, dict(ids, major=major)


def listed(office: Office, *args: str) -> list[str]:
    return [row["id"] for row in json.loads(office.run("list", "--json", *args).output)]


def test_list_filters(listing: States) -> None:
    office, ids = listing
    everything = listed(office)
    assert len(everything) == len(set(everything)) == len(ids)  # every case, once
    assert ids["major"] == everything[0]  # sorted by receipt
    assert listed(office, "--status", "closed") == [ids["closed"]]
    opened = set(listed(office, "--status", "open"))
    assert ids["received"] in opened and ids["waiting"] in opened and ids["major"] in opened
    assert not opened & {ids["closed"], ids["resolved"], ids["invalid"]}
    assert set(listed(office, "--status", "resolved", "--status", "invalid")) >= {ids["resolved"], ids["invalid"]}
    assert listed(office, "--category", "staff-conduct") == [ids["major"]]
    assert listed(office, "--unit", "hr") == [ids["major"]]
    assert listed(office, "--handler", "王建国") == [ids["major"]]
    assert listed(office, "--severity", "major") == [ids["major"]]
    assert listed(office, "--until", "2026-10-31") == [ids["major"]]
    assert ids["major"] not in listed(office, "--since", "2026-11-01")
    assert listed(office, "--since", "2026-10-08", "--until", "2026-10-08") == [ids["major"]]  # a whole day
    assert listed(office, "--category", "work-efficiency", "--status", "waiting") == [ids["waiting"]]


def test_list_json_rows(listing: States) -> None:
    office, ids = listing
    row = json.loads(office.run("list", "--json", "--severity", "major").output)[0]
    assert row == {"id": ids["major"], "status": "assigned", "received_at": "2026-10-08T10:00:00+08:00",
                   "category": "staff-conduct", "severity": "major", "unit": "hr", "handler": "王建国",
                   "subject": "保安态度恶劣", "path": "cases/2026/10/SZ-2610-0001.yaml"}


def test_list_aligns_chinese_columns(listing: States) -> None:
    """Chinese characters take two columns: every cell of a column starts at the same screen column."""
    office, _ = listing
    lines = office.run("list").output.splitlines()
    rule = lines[1]
    starts = [i for i, ch in enumerate(rule) if ch == "-" and (i == 0 or rule[i - 1] == " ")]
    rows = lines[2:-1]
    assert len(rows) > 5
    for line in rows:
        found, screen, text = [], 0, line
        while text:  # the screen column where each cell starts
            stripped = text.lstrip(" ")
            screen += len(text) - len(stripped)
            found.append(screen)
            cell = stripped.split("  ", 1)[0]
            screen += wcswidth(cell)
            text = stripped[len(cell):]
        assert set(found) <= set(starts), (line, found, starts)
    assert any("工程维修部" in line for line in rows)  # there is Chinese text before later columns


def test_show_table_and_json(listing: States) -> None:
    office, ids = listing
    data = json.loads(office.run("show", ids["closed"], "--json").output)
    assert data["id"] == ids["closed"] and data["status"] == "closed"
    assert data["closing"]["root_cause"] == "备件库存不足"
    assert data["intake"]["received_at"] == "2026-11-20T09:00:00+08:00"
    text = office.run("show", ids["closed"]).output
    assert "工作效率" in text and "工程维修部" in text and "备件库存不足" in text  # labels in the policy's language
    assert "已受理 → 已派单" in text  # the timeline


def test_history_shows_who_did_what(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = hooks_off(states[0]), states[1]
    case_id = ids["in_progress"]
    set_identity(monkeypatch, "李工", "ligong@example.com")
    office.run("note", case_id, "已联系厂家", "--contact")
    out = office.run("history", case_id).output
    assert "张敏 <zhangmin@example.com>" in out and "李工 <ligong@example.com>" in out
    assert f"{case_id}: 已受理 → 已派单" in out
    entries = json.loads(office.run("history", case_id, "--json").output)
    assert [e["author"] for e in entries] == ["张敏", "张敏", "张敏", "李工"]
    assert entries[-1]["subject"].startswith(f"{case_id}: 联系客户")


def test_dash_c_runs_elsewhere(listing: States, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = listing
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["-C", str(office.root), "show", ids["received"], "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["id"] == ids["received"]
    result = runner.invoke(cli, ["-C", str(office.root / "cases"), "list", "--json"])  # a subdirectory works too
    assert result.exit_code == 0 and len(json.loads(result.output)) == len(ids)
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 1 and "not a git repository — run `complaintctl init`" in result.output
