"""Renumbering is for sync's own clashes only (R-IN-5, remote.renumbers, rules.receipts): a
hand-made renumbering of a case already on the server is refused by pre-receive, one that
changes office, year or month by every layer (the validator: CLI, pre-commit, pre-receive and
`validate` of what is committed). The honest twin — sync renumbering an offline duplicate
against a real server with an authenticated pusher — is
tests/remote/test_sync.py::test_sync_renumbers_an_offline_duplicate_and_rewrites_references."""

from __future__ import annotations

import pytest

from complaintctl.model.case import dump_document, load_document, timeline_entry
from complaintctl.model.ids import parse_case_id
from tests.conftest import Office
from tests.rules.test_decisions import push_as
from tests.violations import AT, remote_refs

States = tuple[Office, dict[str, str]]


def renumbered_by_hand(office: Office, old: str, new: str) -> None:
    """What sync's renumbering commits, made with plain git and --no-verify: the old file
    removed, the case under its new ID with a last `renumber` entry."""
    doc = load_document(office.path(old).read_text(encoding="utf-8"), "case")
    doc["id"] = new
    doc["timeline"].append(timeline_entry(AT, "张敏", "renumber", extra={"old_id": old, "new_id": new},
                                          note="编号冲突"))
    target = office.root / parse_case_id(new).relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_document(doc).replace(f"Complaint {old} —", f"Complaint {new} —", 1), encoding="utf-8")
    office.git("rm", "-q", "--", parse_case_id(old).relpath)
    office.git("add", "--", parse_case_id(new).relpath)
    office.git("commit", "-q", "--no-verify", "-m", f"renumber {old} → {new}")


def refused_push(office: Office) -> str:
    refs = remote_refs(office)
    proc = push_as(office, "张敏")
    assert proc.returncode != 0 and "推送被拒绝" in proc.stderr, proc.stderr
    assert remote_refs(office) == refs
    return proc.stderr


def test_a_closed_case_on_the_server_is_not_renumbered(states: States) -> None:
    office, ids = states
    old = ids["closed"]
    new = old[:-4] + "0900"  # same office and month: only the server knows it is not sync's clash
    renumbered_by_hand(office, old, new)
    out = refused_push(office)
    assert f"{parse_case_id(old).relpath}: id: R-IN-5: 此案件已在服务器上(refs/heads/main" in out, out


def test_a_renumbering_to_another_month_and_year_is_refused_everywhere(states: States) -> None:
    office, ids = states
    old = ids["closed"]
    new = "SZ-2510-" + old[-4:]
    n = len(load_document(office.path(old).read_text(encoding="utf-8"), "case")["timeline"])
    renumbered_by_hand(office, old, new)
    relpath = parse_case_id(new).relpath
    expect = f"{relpath}: timeline[{n}]"
    out = refused_push(office)
    assert f"{expect}.new_id: R-IN-5: 重新编号须保持办公室、年份和月份不变({old} → {new})" in out, out
    assert f"{relpath}: id: R-IN-5: {new} 的编号月份为 202510" in out, out
    # committed past the hooks: `validate` names it too
    found = office.run("validate", ok=False)
    assert found.exit_code == 1 and f"{expect}.new_id: R-IN-5" in found.output, found.output
    # and the pre-commit hook refuses the same commit
    office.git("reset", "-q", "--soft", "HEAD~1")
    proc = office.git("commit", "-q", "-m", "renumber", check=False)
    assert proc.returncode != 0 and f"{expect}.new_id: R-IN-5" in proc.stderr, proc.stderr


def test_a_renumbering_merged_in_from_an_older_commit_is_refused(states: States) -> None:
    """The same move made on a branch from an older commit (where the case already was as the
    server has it) and merged with the server's main: the push as a whole removes the case."""
    office, ids = states
    old = ids["closed"]
    new = old[:-4] + "0901"
    office.git("switch", "-q", "-c", "side", "HEAD~1")  # before the spare copies: the case as it is
    renumbered_by_hand(office, old, new)
    office.git("switch", "-q", "main")
    office.git("merge", "-q", "--no-verify", "--no-edit", "side")
    assert not office.path(old).exists()
    out = refused_push(office)
    assert "refs/heads/main " in out and f"{parse_case_id(old).relpath}: id: R-IN-5: 此案件已在服务器上" in out, out


def test_a_copy_of_a_case_whose_intake_was_edited_since_is_refused(
        states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    """The case on the server, its intake edited and pushed; then, on a branch from before the
    edit, the case removed and added under a new number (a `renumber` entry, as sync writes),
    merged with main so the server's file stays: the removed version's intake is no longer the
    one the server holds, but it is still the server's complaint."""
    office, ids = states
    old = ids["assigned"]
    new = old[:-4] + "0902"
    relpath = parse_case_id(old).relpath
    monkeypatch.setenv("EDITOR", "sed -i s/电梯故障停运/电梯故障停运两天/")
    office.run("edit", old)
    assert "电梯故障停运两天" in office.path(old).read_text(encoding="utf-8")
    assert push_as(office, "张敏").returncode == 0
    office.git("switch", "-q", "-c", "side", "HEAD~1")  # before the edit
    renumbered_by_hand(office, old, new)
    office.git("switch", "-q", "main")
    office.git("merge", "-q", "--no-commit", "--no-ff", "side", check=False)
    office.git("checkout", "origin/main", "--", relpath)  # the server's file stays where it is
    office.git("checkout", "side", "--", parse_case_id(new).relpath)  # the copy as the branch made it
    office.git("add", "--", relpath, parse_case_id(new).relpath)
    office.git("commit", "-q", "--no-verify", "--no-edit")
    assert office.path(old).exists() and office.path(new).exists()
    out = refused_push(office)
    assert f"{relpath}: id: R-IN-5: 此案件已在服务器上" in out, out
