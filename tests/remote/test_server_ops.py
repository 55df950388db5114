"""Running the group's server: `server status` (quiet offices, pushes refused today) from the
server's own push log, and `server backup` / `server restore` of the whole record."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from complaintctl.remote import pushlog
from tests.conftest import Office
from tests.remotes import NOW, clone, daemon_fixture, git, group_fixture, refs  # noqa: F401 (fixtures)


def status(bare: Path, now: str) -> dict:
    env = {"COMPLAINTCTL_NOW": now}
    result = CliRunner().invoke(cli, ["server", "status", str(bare), "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def sz(daemon: Callable[[str | None], str], tmp_path: Path) -> Office:
    return clone(daemon("zhangmin"), tmp_path / "sz")


def test_status_names_quiet_offices_and_todays_refused_pushes(sz: Office, group: Path) -> None:
    sz.new(subject="电梯停运")
    assert sz.run("sync").exit_code == 0
    case_id = sz.new(subject="楼道漏水")
    sz.hand_edit(case_id, "subject: 楼道漏水", "subject: ''")
    sz.git("commit", "-q", "--no-verify", "-am", "blank subject")
    proc = subprocess.run(["git", "push", "origin", "main"], cwd=sz.root, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0

    st = status(group, NOW)
    offices = {o["office"]: o for o in st["offices"]}
    assert set(offices) == {"SZ", "GZ", "HQ"}
    assert offices["SZ"]["last_push"] is not None and not offices["SZ"]["quiet"]
    assert offices["GZ"]["quiet"] and offices["GZ"]["last_push"] is None  # never pushed
    [refused] = st["refused_today"]
    assert refused["pusher"] == "zhangmin" and refused["offices"] == ["SZ"]
    assert "R-IN-1" in refused["findings"][0]

    # Four days on (the presets' offline window is 72 h): SZ has gone quiet, and yesterday's
    # refusal is no longer today's.
    later = status(group, "2026-11-26T10:00:00+08:00")
    assert {o["office"]: o["quiet"] for o in later["offices"]}["SZ"] is True
    assert later["refused_today"] == []

    text = CliRunner().invoke(cli, ["server", "status", str(group)], env={"COMPLAINTCTL_NOW": NOW},
                              catch_exceptions=False).output
    assert "GZ" in text and "zhangmin" in text


def test_push_log_survives_a_torn_line(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    pushlog.record(tmp_path, pushlog.Push(at, True, "zhangmin", ("SZ",), ("refs/heads/main",)))
    with open(tmp_path / pushlog.LOG, "a", encoding="utf-8") as fh:
        fh.write('{"at": "2026-11-22T0')  # a server that died mid-line
    pushlog.record(tmp_path, pushlog.Push(at, False, "", ("GZ",), ("refs/heads/main",), ("x",), 1))
    got = list(pushlog.read(tmp_path))
    assert [(p.accepted, p.offices) for p in got] == [(True, ("SZ",))]  # the torn line took the next one with it
    assert pushlog.offices_of(["cases/2026/11/SZ-2611-0001.yaml", "materials/2026/11/GZ-2611-0001/a.pdf",
                               "cases/2026/11/GZ-2611-0002.yaml", "complaintctl.yaml"]) == ("GZ", "SZ")


def test_backup_and_restore_give_back_every_ref_the_settings_and_the_log(sz: Office, group: Path,
                                                                         tmp_path: Path) -> None:
    sz.new(subject="电梯停运")
    assert sz.run("sync").exit_code == 0
    git(group, "update-ref", "refs/notes/complaintctl/received", git(group, "rev-parse", "main"))  # another ref
    archive = tmp_path / "server.tgz"
    result = CliRunner().invoke(cli, ["server", "backup", str(group), str(archive)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600  # the whole record: its owner's alone

    restored = tmp_path / "restored.git"
    result = CliRunner().invoke(cli, ["server", "restore", str(archive), str(restored)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert refs(restored) == refs(group)
    assert git(restored, "config", "complaintctl.allowAnonymous") == "true"
    assert git(restored, "config", "receive.denyNonFastForwards") == "true"
    assert (restored / "hooks" / "pre-receive").read_text() == (group / "hooks" / "pre-receive").read_text()
    assert (restored / pushlog.LOG).read_bytes() == (group / pushlog.LOG).read_bytes()

    # The restored server judges pushes as the old one did: a bad commit is refused, good work lands.
    git(sz.root, "remote", "set-url", "origin", str(restored))
    case_id = sz.new(subject="楼道漏水")
    sz.hand_edit(case_id, "subject: 楼道漏水", "subject: ''")
    sz.git("commit", "-q", "--no-verify", "-am", "blank subject")
    proc = subprocess.run(["git", "push", "origin", "main"], cwd=sz.root, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "R-IN-1" in proc.stderr

    # Restoring over a repository that holds refs is refused, and changes nothing there.
    before = refs(group)
    result = CliRunner().invoke(cli, ["server", "restore", str(archive), str(group)])
    assert result.exit_code != 0 and "new or empty" in result.output
    assert refs(group) == before


def test_backup_refuses_what_is_not_a_server(office: Office, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["server", "backup", str(office.root), str(tmp_path / "x.tgz")])
    assert result.exit_code != 0 and "bare" in result.output
    assert not (tmp_path / "x.tgz").exists()
    junk = tmp_path / "junk.tgz"
    junk.write_bytes(b"not a tar")
    result = CliRunner().invoke(cli, ["server", "restore", str(junk), str(tmp_path / "r.git")])
    assert result.exit_code != 0 and "backup" in result.output
    assert not (tmp_path / "r.git").exists()
