"""The shared repository's guard: `server init`, the pre-receive hook's refusals (served by a
real `git daemon`), access by the pusher's identity, and closed cases (R-CL-3)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from complaintctl.errors import InvalidInput
from complaintctl.remote.prereceive import parse_ref_updates
from tests.conftest import Office, set_identity
from tests.handling.test_lifecycle import full_life
from tests.remotes import clone, daemon_fixture, git, group_fixture, refs  # noqa: F401 (fixtures)

EXTEND = """  - at: 2026-11-22T10:00:00+08:00
    by: 刘洋
    action: extend
    clock: resolution
    until: 2026-11-30T18:00:00+08:00
    note: 等待电梯主板备件
"""


def push(root: Path, *args: str, pusher: str | None = None) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "COMPLAINTCTL_PUSHER"}
    if pusher:
        env["COMPLAINTCTL_PUSHER"] = pusher  # a local push runs the hook with our environment
    proc = subprocess.run(["git", "push", "origin", *args], cwd=root, capture_output=True, text=True, env=env)
    return proc.returncode, proc.stderr


# --- refusals through git daemon -----------------------------------------------------------

@pytest.fixture
def sz(daemon: Callable[[str | None], str], tmp_path: Path) -> Office:
    """The SZ office's clone, pushing as its server account zhangmin (office SZ, staff)."""
    return clone(daemon("zhangmin"), tmp_path / "sz")


def refused(clone_: Office, group: Path, *args: str) -> str:
    before = refs(group)
    code, err = push(clone_.root, *args)
    assert code != 0, err
    assert refs(group) == before  # the remote is unchanged
    return err


def test_commit_with_no_verify_is_refused_naming_commit_file_field_and_rule(sz: Office, group: Path) -> None:
    case_id = sz.new()
    sz.hand_edit(case_id, "subject: 电梯故障三天未修", "subject: ''")
    sz.git("commit", "-q", "--no-verify", "-am", "blank subject")
    sha = sz.git("rev-parse", "HEAD").stdout.strip()
    err = refused(sz, group, "main")
    rel = f"cases/2026/11/{case_id}.yaml"
    assert f"commit {sha[:10]}: {rel}: intake.subject: R-IN-1: 案件状态为“已受理”时必填" in err
    assert "推送被拒绝" in err


def test_force_push_and_deleting_main_are_refused(sz: Office, group: Path) -> None:
    sz.new(subject="第一件")
    assert sz.run("sync").exit_code == 0
    sz.git("reset", "-q", "--hard", "HEAD~1")
    sz.new(subject="改写历史")
    err = refused(sz, group, "--force", "main")
    assert "non-fast-forward update refused" in err
    err = refused(sz, group, ":main")
    assert "deleting main is refused" in err


def test_over_git_daemon_merges_branches_and_tags_are_judged(sz: Office, group: Path) -> None:
    """Issue 11's smoke subset over git://: a merge taking the root's tree, a new branch and a
    tag by staff are refused, each by name."""
    sz.new()
    assert sz.run("sync").exit_code == 0
    root = sz.git("rev-list", "--max-parents=0", "HEAD").stdout.strip()
    merge = sz.git("commit-tree", f"{root}^{{tree}}", "-p", "HEAD", "-p", root, "-m", "old tree").stdout.strip()
    err = refused(sz, group, f"{merge}:refs/heads/main")
    assert "R-CL-3: a merge may not drop a case file" in err
    assert "complaintctl.yaml: (file): ACCESS: pusher zhangmin (COMPLAINTCTL_PUSHER) = 张敏 只能修改 " \
           "cases/" in err
    sz.git("tag", "v1")
    err = refused(sz, group, "main:refs/heads/feature", "v1")
    assert "refs/heads/feature: ACCESS: creating a branch or tag other than main needs the admin role (hq)" in err
    assert "refs/tags/v1: ACCESS: creating a branch or tag" in err


def test_case_deletion_is_refused(sz: Office, group: Path) -> None:
    case_id = sz.new()
    sz.run("sync")
    sz.git("rm", "-q", f"cases/2026/11/{case_id}.yaml")
    sz.git("commit", "-q", "--no-verify", "-m", "remove a case")
    err = refused(sz, group, "main")
    assert f"cases/2026/11/{case_id}.yaml: (file): R-CL-3: 案件文件不得删除" in err


def test_office_may_not_change_another_offices_case(daemon: Callable[[str | None], str], sz: Office,
                                                     group: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    gz = clone(daemon("zhouhua"), tmp_path / "gz", "GZ")
    set_identity(monkeypatch, "周华", "zhouhua@example.com")  # GZ's clerk records GZ's case
    gz_case = gz.new()
    assert gz_case.startswith("GZ-")
    assert gz.run("sync").exit_code == 0
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    assert sz.run("sync").exit_code == 0
    sz.run("note", gz_case, "深圳来补充一句")  # the clone cannot know; the server does
    before = refs(group)
    result = sz.run("sync", ok=False)
    assert result.exit_code == 1
    assert "server refused the push" in result.output
    assert f"cases/2026/11/{gz_case}.yaml: id: ACCESS: pusher zhangmin (COMPLAINTCTL_PUSHER) = 张敏 " \
           "隶属 SZ 办公室,不能新建或修改 GZ 办公室的案件" in result.output
    assert refs(group) == before
    # and a GZ account may not record an SZ case either
    set_identity(monkeypatch, "周华", "zhouhua@example.com")
    gz.git("config", "complaintctl.office", "SZ")
    gz.new()
    assert "不能新建或修改 SZ 办公室的案件" in gz.run("sync", ok=False).output


# --- access with a local push (the hook inherits the pusher variable) -----------------------

def record_extension(office: Office, case_id: str, monkeypatch: pytest.MonkeyPatch,
                     who: tuple[str, str] = ("刘洋", "liuyang@example.com")) -> None:
    """An extension entry `by: 刘洋` (the vp), committed as `who`: the vp himself through the
    CLI, or anyone else by a hand edit (the CLI would refuse them, R-DL-2)."""
    set_identity(monkeypatch, *who)
    if who[0] == "刘洋":  # the deadlines work (issue 3) also moves the clock
        office.run("extend", case_id, "--clock", "dispatch", "--until", "2026-11-30", "--reason", "等待电梯主板备件")
    else:
        path = office.path(case_id)
        path.write_text(path.read_text(encoding="utf-8") + EXTEND, encoding="utf-8")
        # The client's validator refuses it (the ledger: `by:` is the committer; R-DL-2) ...
        proc = office.git("commit", "-q", "-am", f"{case_id}: extend", check=False)
        assert proc.returncode != 0 and f"R-WF: 记为 '刘洋',但提交人是 {who[0]}" in proc.stderr, proc.stderr
        # ... so it reaches the server only by --no-verify: the server must refuse it on its own.
        office.git("commit", "-q", "--no-verify", "-am", f"{case_id}: extend")
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")


def test_an_extension_needs_an_approver_as_its_author_and_as_its_pusher(office: Office, group: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11 §2: staff cannot push an approver's action — not in their own name (R-DL-2),
    not in the approver's (the commit's author is not the pusher)."""
    case_id = office.new()
    office.run("sync")
    record_extension(office, case_id, monkeypatch, ("张敏", "zhangmin@example.com"))
    code, err = push(office.root, "main", pusher="zhangmin")
    assert code != 0, err
    # The ledger judges the entry (its author, their roles) — once, not again by the access rules.
    assert "timeline[1].by: R-WF: 记为 '刘洋',但提交人是 张敏 <zhangmin@example.com>" in err, err
    assert "timeline[1].by: R-DL-2: 张敏 无权执行 extend:须具有制度规定的 vp 或 gm 角色" in err, err
    assert err.count("R-DL-2") == 1, err
    office.git("reset", "-q", "--hard", "origin/main")
    record_extension(office, case_id, monkeypatch)
    before = refs(group)
    code, err = push(office.root, "main", pusher="zhangmin")
    assert code != 0 and refs(group) == before
    assert "(commit): author: ACCESS: 刘洋 <liuyang@example.com> 既不是 pusher zhangmin (COMPLAINTCTL_PUSHER)" \
           " = 张敏,也不是 张敏 可代为推送的人(people[].acts_for)" in err, err
    code, err = push(office.root, "main", pusher="liuyang")  # the vice-president pushes it himself
    assert code == 0, err


def test_unknown_pusher_and_hq(office: Office, group: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    office.new()
    code, err = push(office.root, "main", pusher="mallory")
    assert code != 0 and "推送者 mallory (COMPLAINTCTL_PUSHER) 不在制度人员名单中" in err
    office.git("config", "complaintctl.office", "GZ")
    set_identity(monkeypatch, "周华", "zhouhua@example.com")
    office.new()  # a GZ case by GZ's clerk and an SZ case by SZ's, in one push: HQ relays both
    code, err = push(office.root, "main", pusher="sun")
    assert code == 0, err


def test_policy_changes_need_hq(office: Office, group: Path) -> None:
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("extend: [vp, gm]", "extend: [staff]"),
                      encoding="utf-8")
    office.git("commit", "-q", "-am", "let staff extend")
    code, err = push(office.root, "main", pusher="zhangmin")
    assert code != 0 and "complaintctl.yaml: (file): ACCESS: pusher zhangmin (COMPLAINTCTL_PUSHER) = 张敏 " \
        "只能修改 cases/;其以外的文件须由管理员角色(hq)修改" in err, err
    assert push(office.root, "main", pusher="sun")[0] == 0


def test_without_a_pusher_role_gated_changes_are_refused(office: Office, group: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11 §2: a local bare repository or git daemon names no pusher. Cases still flow
    (validated); whatever needs a role is refused, unless the policy trusts commit authors."""
    case_id = office.new()
    office.git("config", "complaintctl.office", "GZ")
    office.new()  # (nobody to hold to an office either)
    # a server set up without --allow-anonymous refuses every push that names nobody, saying how to fix it
    assert CliRunner().invoke(cli, ["server", "init", str(group)]).exit_code == 0
    code, err = push(office.root, "main")
    assert code != 0 and "(push): ACCESS: 本服务器没有推送者身份(GL_USER, GITEA_PUSHER_NAME, GL_USERNAME, " \
        "COMPLAINTCTL_PUSHER),且不接受匿名推送" in err and "--allow-anonymous" in err, err
    assert CliRunner().invoke(cli, ["server", "init", str(group), "--allow-anonymous"]).exit_code == 0
    assert git(group, "config", "complaintctl.allowAnonymous") == "true"  # the server's own config
    code, err = push(office.root, "main")
    assert code == 0, err
    office.git("config", "--unset", "complaintctl.office")
    record_extension(office, case_id, monkeypatch)
    code, err = push(office.root, "main")
    assert code != 0 and "`extend` 须具有以下角色之一:vp, gm;本次推送没有经过认证的推送者" in err
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "\ntrust_commit_authors: true\n", encoding="utf-8")
    office.git("commit", "-q", "-am", "this server has no logins: trust commit authors")
    code, err = push(office.root, "main")
    assert code != 0 and "complaintctl.yaml: (file): ACCESS: 只有管理员角色(hq)可以修改 " \
        "cases/ 以外的文件,而本次推送没有经过认证的推送者" in err
    code, err = push(office.root, "main", pusher="sun")  # the admin sets it
    assert code == 0, err
    office.new()  # now the extension's author (the vp) and a new case's author stand as the actors
    assert push(office.root, "main")[0] == 0
    record_extension(office, case_id, monkeypatch, ("张敏", "zhangmin@example.com"))
    code, err = push(office.root, "main")
    assert code != 0 and "R-DL-2: 张敏 无权执行 extend:须具有制度规定的 vp 或 gm 角色" in err, err
    office.git("reset", "-q", "--hard", "origin/main")
    policy.write_text(policy.read_text(encoding="utf-8") + "\nrequire_pusher: true\n", encoding="utf-8")
    office.git("commit", "-q", "-am", "require a pusher identity")
    assert push(office.root, "main", pusher="sun")[0] == 0
    office.new()
    code, err = push(office.root, "main")
    assert code != 0 and "服务器未提供推送者身份" in err
    assert push(office.root, "main", pusher="zhangmin")[0] == 0


# --- closed cases (shared validator: CLI, pre-commit, pre-receive) ---------------------------

def test_closed_case_changes_only_by_reopen(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = full_life(office, monkeypatch)
    result = office.run("note", case_id, "补一句", ok=False)
    assert result.exit_code == 1 and "status: R-CL-3: 案件已结案(已归档)" in result.output
    path = office.hand_edit(case_id, "root_cause: 备件库存不足", "root_cause: 改了")
    proc = office.git("commit", "-am", "hand edit of a closed case", check=False)
    assert proc.returncode != 0 and "R-CL-3" in proc.stderr
    office.git("checkout", "--", ".")
    set_identity(monkeypatch, "王建国", "wangjianguo@example.com")  # R-CL-3: a head reopens a closed case
    office.run("reopen", case_id, "--reason", "业主反映再次故障")
    assert "status: in_progress" in path.read_text(encoding="utf-8")


# --- server init and the hook's input --------------------------------------------------------

def test_server_init_creates_and_configures(tmp_path: Path) -> None:
    bare = tmp_path / "cases.git"
    run = CliRunner().invoke
    result = run(cli, ["server", "init", str(bare)], catch_exceptions=False)
    assert result.exit_code == 0 and result.output.startswith("created")
    hook = bare / "hooks" / "pre-receive"
    assert os.access(hook, os.X_OK) and "hook pre-receive" in hook.read_text(encoding="utf-8")
    assert git(bare, "config", "receive.denyNonFastForwards") == "true"
    assert git(bare, "config", "receive.denyDeletes") == "true"
    assert git(bare, "config", "complaintctl.python") == sys.executable
    assert run(cli, ["server", "init", str(bare)]).output.startswith("configured")  # idempotent
    hook.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    result = run(cli, ["server", "init", str(bare)])
    assert result.exit_code == 1 and "is not complaintctl's" in result.output
    assert run(cli, ["server", "init", str(bare), "--force"]).exit_code == 0
    result = run(cli, ["server", "init", str(bare), "--layout", "gitlab", "--command", "/opt/cc/bin/complaintctl"])
    gl = bare / "custom_hooks" / "pre-receive.d" / "complaintctl"
    assert result.exit_code == 0 and os.access(gl, os.X_OK)
    assert "COMPLAINTCTL=${COMPLAINTCTL:-/opt/cc/bin/complaintctl}" in gl.read_text(encoding="utf-8")
    assert run(cli, ["server", "init", str(bare), "--layout", "gitea"]).exit_code == 0
    assert (bare / "hooks" / "pre-receive.d" / "complaintctl").is_file()
    result = run(cli, ["server", "init", str(bare), "--layout", "gitolite"])  # (test_gitolite: the real one)
    assert result.exit_code == 1 and "is not a gitolite repository" in result.output
    worktree = tmp_path / "wt"
    git(tmp_path, "init", "-q", str(worktree))
    (worktree / "x").write_text("x", encoding="utf-8")
    result = run(cli, ["server", "init", str(worktree)])
    assert result.exit_code == 1 and "not a bare repository" in result.output


def test_ref_update_lines_are_typed_and_checked() -> None:
    zero, sha = "0" * 40, "a" * 40
    created, deleted = parse_ref_updates([f"{zero} {sha} refs/heads/main", f"{sha} {zero} refs/heads/x", ""])
    assert created.created and not created.deleted and deleted.deleted and not deleted.created
    with pytest.raises(InvalidInput):
        parse_ref_updates(["garbage"])


def test_first_sync_fills_a_new_shared_repository(office: Office, tmp_path: Path) -> None:
    bare = tmp_path / "new.git"
    assert CliRunner().invoke(cli, ["server", "init", str(bare)]).exit_code == 0
    office.git("remote", "add", "origin", str(bare))
    case_id = office.new()
    assert "推送 2 个提交" in office.run("sync").output
    assert git(bare, "rev-parse", "main") == office.git("rev-parse", "HEAD").stdout.strip()
    assert f"{case_id}: 已受理" in git(bare, "log", "-1", "--format=%s", "main")
    office.git("remote", "set-url", "origin", str(tmp_path / "nowhere.git"))
    result = office.run("sync", ok=False)
    assert result.exit_code == 1 and "git fetch origin failed" in result.output
