"""The witness: the server's post-receive stamps what main accepted, nobody pushes stamps, a
clone with no shared remote stamps its own commits, and clients fetch the stamps with main."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from complaintctl.model import stamp as st
from complaintctl.repo import stamps
from complaintctl.repo.git import Git
from tests.conftest import Office, set_identity
from tests.remotes import clone, git, group_fixture, refs  # noqa: F401 (fixtures)

NOTES = stamps.NOTES_REF


def push(root: Path, *args: str, pusher: str | None = None) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "COMPLAINTCTL_PUSHER"}
    if pusher:
        env["COMPLAINTCTL_PUSHER"] = pusher  # a local push runs the hook with our environment
    proc = subprocess.run(["git", "push", "origin", *args], cwd=root, capture_output=True, text=True, env=env,
                          timeout=300)
    return proc.returncode, proc.stderr


def recorded(where: Path) -> dict[tuple[str, str], list[tuple[datetime, str, int]]]:
    """(case, digest) → [(recorded at, pusher, n)] from every stamp in `where`."""
    out: dict[tuple[str, str], list[tuple[datetime, str, int]]] = {}
    for _, note in stamps.read_notes(Git.open(where))[1]:
        for case, digest, n in note.entries:
            out.setdefault((case, digest), []).append((note.at, note.pusher, n))
    return out


def entry_digests(office: Office, case_id: str) -> list[tuple[str, str]]:
    """(action, digest) of each timeline entry of the case as the clone has it."""
    from complaintctl.model.case import load_plain

    data = load_plain(office.path(case_id).read_text(encoding="utf-8"), case_id)
    return [(str(e["action"]), st.entry_digest(e)) for e in data["timeline"]]


@pytest.fixture
def sz(office: Office, group: Path, monkeypatch: pytest.MonkeyPatch) -> Office:
    """The SZ office's clone of the group server, pushing as its server account zhangmin
    (office SZ, staff). A local push runs the server's hooks with our environment: the
    server's clock is COMPLAINTCTL_NOW at the time of each sync."""
    monkeypatch.setenv("COMPLAINTCTL_PUSHER", "zhangmin")
    return office


def test_server_init_installs_the_witness_and_each_push_is_stamped(sz: Office, group: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert os.access(group / "hooks" / "post-receive", os.X_OK)
    case_id = sz.new()
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T10:05:00+08:00")  # the server judges at sync time
    sz.run("sync")
    ((action, digest),) = entry_digests(sz, case_id)
    assert action == "received"
    ((at, pusher, n),) = recorded(group)[(case_id, digest)]
    assert (at, pusher, n) == (datetime.fromisoformat("2026-11-22T10:05:00+08:00"), "zhangmin", 1)
    # the clone fetched the stamps in the same fetch as main: its mirror equals the server's
    assert sz.git("rev-parse", NOTES).stdout == git(group, "rev-parse", NOTES) + "\n"
    # the next push stamps only what it adds
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T11:00:00+08:00")
    sz.run("note", case_id, "业主来电询问进度")
    sz.run("sync")
    seen = recorded(group)
    new = entry_digests(sz, case_id)[-1]
    assert seen[(case_id, new[1])] == [(datetime.fromisoformat("2026-11-22T11:00:00+08:00"), "zhangmin", 1)]
    assert len(seen[(case_id, digest)]) == 1  # the first entry was not stamped again


def test_no_push_may_write_stamps_not_even_hq(sz: Office, group: Path) -> None:
    case_id = sz.new()
    sz.run("sync")
    # a forged stamp that would make the entry look recorded a week earlier
    forged = st.render(st.Stamp(datetime.fromisoformat("2026-11-15T09:00:00+08:00"), "refs/heads/main", "0" * 40,
                                "zhangmin", tuple((case_id, d, 1) for _, d in entry_digests(sz, case_id))))
    sz.git("notes", "--ref", NOTES, "add", "-f", "-m", forged, "HEAD")
    before = refs(group)
    for pusher in ("zhangmin", "sun"):  # staff, and the admin role alike
        code, err = push(sz.root, f"{NOTES}:{NOTES}", "--force", pusher=pusher)
        assert code != 0, err
        assert f"{NOTES}: 记录时间注记只能由本服务器写入,任何推送都不得修改" in err, err
        assert refs(group) == before
    # a new notes ref under the namespace is refused too, and so is a deletion
    code, err = push(sz.root, f"{NOTES}:refs/notes/complaintctl/other", pusher="sun")
    assert code != 0 and "refs/notes/complaintctl/other" in err, err
    code, err = push(sz.root, f":{NOTES}", pusher="sun")
    assert code != 0 and refs(group) == before, err


def test_the_first_push_into_an_empty_server_may_bring_local_stamps(office: Office, tmp_path: Path) -> None:
    """An office that kept its own stamps (no shared remote) moves onto a new server."""
    case_id = office.new()  # no origin: the clone's post-commit is the witness
    local = recorded(office.root)
    ((_, digest),) = entry_digests(office, case_id)
    assert (case_id, digest) in local
    bare = tmp_path / "srv.git"
    result = CliRunner().invoke(cli, ["server", "init", str(bare), "--allow-anonymous"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    office.git("remote", "add", "origin", str(bare))
    code, err = push(office.root, "main", f"{NOTES}:{NOTES}")
    assert code == 0, err
    assert recorded(bare)[(case_id, digest)] == local[(case_id, digest)]
    # once main exists, the same push is refused
    office.git("notes", "--ref", NOTES, "add", "-f", "-m", "complaintctl-received 1", "HEAD~1")
    code, err = push(office.root, f"{NOTES}:{NOTES}")
    assert code != 0 and "记录时间注记只能由本服务器写入" in err, err


def test_a_clone_without_a_shared_remote_stamps_its_own_commits(office: Office,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T09:00:00+08:00")
    case_id = office.new()
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-23T09:30:00+08:00")
    # by hand, past the pre-commit hook: post-commit is not skipped by --no-verify
    office.hand_edit(case_id, "timeline:\n", "timeline:\n")
    path = office.path(case_id)
    path.write_text(path.read_text(encoding="utf-8") + "  - at: 2026-11-22T09:10:00+08:00\n    by: 张敏\n"
                    "    action: note\n    note: 已联系\n", encoding="utf-8")
    office.git("commit", "-q", "--no-verify", "-am", "a note by hand")
    seen = recorded(office.root)
    first, second = entry_digests(office, case_id)
    assert seen[(case_id, first[1])][0][0] == datetime.fromisoformat("2026-11-22T09:00:00+08:00")
    assert seen[(case_id, second[1])][0][0] == datetime.fromisoformat("2026-11-23T09:30:00+08:00")


def test_with_an_origin_the_clone_writes_no_stamp(sz: Office) -> None:
    sz.new()
    assert sz.git("notes", "--ref", NOTES, "show", "HEAD", check=False).returncode != 0


def test_a_gap_left_by_a_dead_witness_is_stamped_later_never_earlier(sz: Office, group: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first = sz.new()
    sz.run("sync")
    hook = group / "hooks" / "post-receive"
    text = hook.read_text(encoding="utf-8")
    hook.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")  # the witness died for one push
    sz.run("note", first, "业主来电")
    sz.run("sync")
    hook.write_text(text, encoding="utf-8")
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T15:00:00+08:00")
    sz.run("note", first, "再次来电")
    sz.run("sync")
    seen = recorded(group)
    gap, last = entry_digests(sz, first)[-2:]
    assert seen[(first, gap[1])][0][0] == datetime.fromisoformat("2026-11-22T15:00:00+08:00")
    assert seen[(first, last[1])][0][0] == datetime.fromisoformat("2026-11-22T15:00:00+08:00")


def test_stamps_survive_syncs_rebase_and_case_merge(sz: Office, group: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    a = sz
    case_id = a.new()
    a.run("sync")
    b = clone(str(group), tmp_path / "b")
    a.run("note", case_id, "甲:已联系业主")
    b.run("note", case_id, "乙:已派维修工")
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T12:00:00+08:00")
    a.run("sync")
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T13:00:00+08:00")
    b.run("sync")  # B's note is rebased or merged onto A's: A's stays stamped when it was
    a.run("sync")
    seen = recorded(group)
    by_note = {}
    from complaintctl.model.case import load_plain

    data = load_plain(b.path(case_id).read_text(encoding="utf-8"), case_id)
    for e in data["timeline"]:
        if e["action"] == "note":
            by_note[e["note"]] = seen[(case_id, st.entry_digest(e))]
    assert [x[0].hour for x in by_note["甲:已联系业主"]] == [4]  # 12:00+08:00, once
    assert [x[0].hour for x in by_note["乙:已派维修工"]] == [5]  # 13:00+08:00
    assert recorded(a.root) == seen  # both clones mirror the server's stamps
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
