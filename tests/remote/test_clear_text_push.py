"""R-RT-5 on the server, without any key (remote.prereceive → rules.clear_text): with privacy
required, a `--no-verify` commit that writes a phone, a unit number or a plate into a clear
field, or a phone into its commit message, is refused in one line naming the file (or the
commit message), the field and the rule; its honest twin (dates, amounts, case IDs) is accepted.
The pre-commit hook and the CLI refuse the same through the same validator. The group is real:
offices SZ and GZ and hq on one server, real keys, the protected fields encrypted."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.model.case import timeline_entry
from tests.conftest import Office, make_bare_remote
from tests.privacy.fixtures import NOW, sync, world, world_template  # noqa: F401  (fixtures)
from tests.privacy.world import World
from tests.violations import edited

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("privacy-world")

HONEST = "2026-10-31 起电梯停运,已赔付1500元,见 SZ-2610-0001"


@pytest.fixture
def sz(world: World) -> tuple[Office, str]:  # noqa: F811
    """张敏's SZ clone with one encrypted case already on the server."""
    office = world.as_("zhangmin")
    case_id = office.new(contact="13912345678", name="欧阳娜娜")
    sync(world, "zhangmin")
    return office, case_id


def rel(office: Office, case_id: str) -> str:
    return office.path(case_id).relative_to(office.root).as_posix()


def push(office: Office) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GL_USER": "zhangmin"}  # the pusher, as gitolite names them
    return subprocess.run(["git", "push", "-q", "origin", "main"], cwd=office.root, capture_output=True, text=True,
                          timeout=120, env=env)


def commit_no_verify(office: Office, case_id: str, subject: str, message: str) -> None:
    """A new subject as `complaintctl edit` records it (with its ledger entry), committed past
    the pre-commit hook: only the server stands in the way."""
    def change(d: CommentedMap) -> None:
        d["intake"]["subject"] = subject
        d["timeline"].append(timeline_entry(datetime.fromisoformat(NOW), "张敏", "edit",
                                            note="hand edit: intake.subject", extra={"fields": ["intake.subject"]}))

    office.path(case_id).write_text(edited(office, case_id, change), encoding="utf-8")
    office.git("commit", "-q", "--no-verify", "-am", message)


def refused(office: Office) -> str:
    before = office.git("ls-remote", "origin").stdout
    proc = push(office)
    assert proc.returncode != 0, proc.stderr
    assert office.git("ls-remote", "origin").stdout == before  # the server is unchanged
    office.git("reset", "-q", "--hard", "origin/main")
    return proc.stderr


@pytest.mark.parametrize("leak", ["业主13512345678反映电梯故障", "12号楼3单元402漏水", "粤B12345长期占用车位"])
def test_a_clear_field_with_a_complainants_data_is_refused(sz: tuple[Office, str], leak: str) -> None:
    office, case_id = sz
    commit_no_verify(office, case_id, leak, "edit the subject")
    err = refused(office)
    lines = [line for line in err.splitlines() if "R-RT-5" in line]
    assert len(lines) == 1 and f"{rel(office, case_id)}: intake.subject: R-RT-5: " in lines[0], err
    # the honest twin: ordinary text, a date, an amount and a case ID
    commit_no_verify(office, case_id, HONEST, "edit the subject")
    proc = push(office)
    assert proc.returncode == 0, proc.stderr


def test_a_commit_message_with_a_phone_is_refused(sz: tuple[Office, str]) -> None:
    office, case_id = sz
    commit_no_verify(office, case_id, "电梯故障四天未修", f"{case_id}: 回电业主 135 1234 5678")
    err = refused(office)
    assert "(commit message): message: R-RT-5: " in err, err
    commit_no_verify(office, case_id, "电梯故障四天未修", f"{case_id}: 2026-10-31 回电,赔付1500元\n\nCase: {case_id}\n")
    proc = push(office)
    assert proc.returncode == 0, proc.stderr


def test_the_pre_commit_hook_and_the_cli_refuse_it_too(sz: tuple[Office, str]) -> None:
    office, case_id = sz
    text = office.path(case_id).read_text(encoding="utf-8")
    office.path(case_id).write_text(text.replace("subject: 电梯故障三天未修", "subject: 业主13512345678反映电梯故障"),
                                    encoding="utf-8")
    proc = office.git("commit", "-q", "-am", "edit the subject", check=False)
    assert proc.returncode != 0 and f"{rel(office, case_id)}: intake.subject: R-RT-5: " in proc.stderr, proc.stderr
    office.git("checkout", "-q", "--", ".")
    result = office.run("note", case_id, "已上门,B座1502业主不在", ok=False)
    assert result.exit_code == 1 and "R-RT-5" in result.output, result.output
    office.run("note", case_id, HONEST)


def test_without_privacy_the_same_push_is_accepted(office: Office, tmp_path: Path) -> None:
    case_id = office.new()
    make_bare_remote(tmp_path / "remote.git", office)
    text = office.path(case_id).read_text(encoding="utf-8")
    office.path(case_id).write_text(text.replace("subject: 电梯故障三天未修", "subject: 业主13512345678反映电梯故障"),
                                    encoding="utf-8")
    office.git("commit", "-q", "--no-verify", "-am", "回电业主 13512345678")
    proc = subprocess.run(["git", "push", "-q", "origin", "main"], cwd=office.root, capture_output=True, text=True,
                          timeout=120)
    assert "R-RT-5" not in proc.stderr, proc.stderr
