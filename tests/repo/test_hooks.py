"""The git hooks from hooks/: pre-commit judges what is staged, pre-receive every pushed commit.
Both print every finding (file, field, rule) before failing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.model.case import timeline_entry
from tests.conftest import ACCUSED, NOW, Office
from tests.violations import break_every_rule, edited, rel, remote_refs

States = tuple[Office, dict[str, str]]
BARE_PATH = "/usr/bin:/bin"  # no venv: `complaintctl` is not on it
AT_NOW = datetime.fromisoformat(NOW)


def two_bad_files(office: Office, ids: dict[str, str]) -> list[str]:
    """Break two cases by hand (three findings); return their paths."""
    a, b = ids["in_progress"], ids["assigned"]
    office.path(a).write_text(edited(office, a, lambda d: d["routing"].__setitem__("handler", ACCUSED)),
                              encoding="utf-8")

    def two(d: CommentedMap) -> None:
        d["assessment"]["category"] = "elevator"
        d["intake"]["first_receiver"] = "李工"

    office.path(b).write_text(edited(office, b, two), encoding="utf-8")
    paths = [rel(office, a), rel(office, b)]
    office.git("add", *paths)
    return paths


def assert_all_findings(out: str, paths: list[str], prefix: str = "") -> None:
    assert f"{prefix}{paths[0]}: routing.handler: R-RT-3:" in out
    assert f"{prefix}{paths[1]}: assessment.category: R-DEF-3:" in out
    assert f"{prefix}{paths[1]}: intake.first_receiver: R-IN-2:" in out
    # the ledger (issue 9): neither change is explained by a timeline entry
    assert f"{prefix}{paths[0]}: routing.handler: R-RT-2: 已被修改('李工' → '{ACCUSED}'),但没有说明该修改的" in out
    assert f"{prefix}{paths[1]}: assessment.category: R-DEF-3: 已被修改" in out
    assert "被拒绝 — 5 项问题" in out


def test_pre_commit_prints_every_finding_in_every_file(states: States) -> None:
    office, ids = states
    paths = two_bad_files(office, ids)
    proc = office.git("commit", "-q", "-m", "two hand edits", check=False)
    assert proc.returncode == 1
    assert_all_findings(proc.stderr, paths, "complaintctl: ")


def test_the_hook_command_says_what_git_commit_runs(states: States) -> None:
    """One hook (repo.precommit.hook): `git commit` runs it without click (__main__), and
    `complaintctl hook pre-commit` through click; the same findings, words and exit code."""
    office, ids = states
    paths = two_bad_files(office, ids)
    proc = office.git("commit", "-q", "-m", "two hand edits", check=False)
    result = office.run("hook", "pre-commit", ok=False)
    assert (result.exit_code, proc.returncode) == (1, 1)
    assert result.stderr == proc.stderr
    assert_all_findings(result.stderr, paths, "complaintctl: ")


def test_pre_receive_prints_every_finding_of_a_no_verify_commit(states: States) -> None:
    office, ids = states
    paths = two_bad_files(office, ids)
    office.git("commit", "-q", "--no-verify", "-m", "two hand edits")
    sha = office.git("rev-parse", "HEAD").stdout.strip()
    before = remote_refs(office)
    proc = office.git("push", "origin", "main", check=False)
    assert proc.returncode != 0
    assert_all_findings(proc.stderr, paths, f"complaintctl: commit {sha[:10]}: ")
    assert remote_refs(office) == before


def test_pre_commit_refuses_every_rule_in_one_commit(states: States) -> None:
    """One file per broken rule, one `git commit`: the hook names every file, field and rule."""
    office, ids = states
    expected = break_every_rule(office, ids)
    head = office.git("rev-parse", "HEAD").stdout
    proc = office.git("commit", "-q", "-m", "hand edits", check=False)
    assert proc.returncode == 1
    missing = [line for line in expected if f"complaintctl: {line}" not in proc.stderr]
    assert not missing, (missing, proc.stderr)
    assert f"提交被拒绝 — {len(proc.stderr.splitlines()) - 1} 项问题" in proc.stderr
    assert office.git("rev-parse", "HEAD").stdout == head


def test_pre_receive_refuses_every_rule_in_one_push(states: States) -> None:
    """The same, committed with --no-verify: the server's pre-receive refuses the push."""
    office, ids = states
    expected = break_every_rule(office, ids)
    office.git("commit", "-q", "--no-verify", "-m", "hand edits")
    sha = office.git("rev-parse", "HEAD").stdout.strip()
    before = remote_refs(office)
    proc = office.git("push", "origin", "main", check=False)
    assert proc.returncode != 0
    missing = [line for line in expected if f"complaintctl: commit {sha[:10]}: {line}" not in proc.stderr]
    assert not missing, (missing, proc.stderr)
    assert remote_refs(office) == before


def test_pre_receive_checks_every_commit_not_just_the_tip(states: States) -> None:
    office, ids = states
    case_id = ids["assigned"]
    path = office.path(case_id)
    good = path.read_text(encoding="utf-8")
    path.write_text(edited(office, case_id, lambda d: d["intake"].__setitem__("first_receiver", "李工")),
                    encoding="utf-8")
    office.git("commit", "-q", "--no-verify", "-am", "bad")
    bad_sha = office.git("rev-parse", "HEAD").stdout.strip()
    path.write_text(good, encoding="utf-8")
    office.git("commit", "-q", "--no-verify", "-am", "put it back")
    proc = office.git("push", "origin", "main", check=False)
    assert proc.returncode != 0
    assert f"commit {bad_sha[:10]}: {rel(office, case_id)}: intake.first_receiver: R-IN-2" in proc.stderr
    # and on a new branch (old sha all zeros) as well
    proc = office.git("push", "origin", "main:refs/heads/feature", check=False)
    assert proc.returncode != 0 and f"commit {bad_sha[:10]}" in proc.stderr


def test_pre_commit_judges_the_staged_blob_not_the_working_tree(states: States) -> None:
    office, ids = states
    case_id = ids["assigned"]
    path = office.path(case_id)
    good = path.read_text(encoding="utf-8")
    bad = edited(office, case_id, lambda d: d["intake"].__setitem__("first_receiver", "李工"))
    path.write_text(bad, encoding="utf-8")
    office.git("add", rel(office, case_id))
    path.write_text(good, encoding="utf-8")  # the working tree is fine, the index is not
    proc = office.git("commit", "-q", "-m", "sneaky", check=False)
    assert proc.returncode == 1 and "intake.first_receiver: R-IN-2" in proc.stderr
    office.git("reset", "-q")
    note = edited(office, case_id, lambda d: d["timeline"].append(
        timeline_entry(AT_NOW, "张敏", "contact", note="已电话告知进度")))
    path.write_text(note, encoding="utf-8")
    office.git("add", rel(office, case_id))
    path.write_text(bad, encoding="utf-8")  # now the index is fine, the working tree is not
    office.git("commit", "-q", "-m", "contact")


def test_a_valid_hand_edit_goes_through_commit_and_push(states: States) -> None:
    office, ids = states
    case_id = ids["waiting"]
    office.path(case_id).write_text(edited(office, case_id, lambda d: d["timeline"].append(
        timeline_entry(AT_NOW, "张敏", "contact", note="客户同意等待配件"))), encoding="utf-8")
    office.git("commit", "-q", "-am", "contact by hand")
    office.git("push", "-q", "origin", "main")
    assert office.git("status", "--porcelain").stdout == ""
    assert office.git("rev-parse", "HEAD").stdout == office.git("rev-parse", "origin/main").stdout


def test_hooks_work_when_complaintctl_is_not_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`init` run by a Python whose bin/ is not on PATH; later commits from a shell without it:
    the hook in .git/hooks names that Python itself."""
    monkeypatch.delenv("COMPLAINTCTL")
    monkeypatch.setenv("PATH", BARE_PATH)
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    assert shutil.which("complaintctl") is None
    env = dict(os.environ)
    root = tmp_path / "office"
    proc = subprocess.run([sys.executable, "-m", "complaintctl", "init", str(root), "--preset", "property",
                           "--office", "SZ"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    office = Office(root)
    case_id = office.new()
    path = office.path(case_id)
    path.write_text(edited(office, case_id, lambda d: d["intake"].__setitem__("first_receiver", "李工")),
                    encoding="utf-8")
    office.git("add", rel(office, case_id))
    proc = office.git("commit", "-q", "-m", "hand edit", check=False)
    assert proc.returncode == 1
    assert "intake.first_receiver: R-IN-2" in proc.stderr  # the hook ran complaintctl, not "not installed"
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text(hook.read_text(encoding="utf-8").replace(sys.executable, str(tmp_path / "gone" / "python")),
                    encoding="utf-8")
    proc = office.git("commit", "-q", "-m", "hand edit", check=False)
    assert proc.returncode == 1 and "未安装 complaintctl" in proc.stderr  # the office's language (issue 13)
    policy = root / "complaintctl.yaml"  # the shell reads the work tree's policy
    policy.write_text(policy.read_text(encoding="utf-8").replace("language: zh", "language: en"), encoding="utf-8")
    proc = office.git("commit", "-q", "-m", "hand edit", check=False)
    assert proc.returncode == 1 and "complaintctl is not installed" in proc.stderr
    assert "differs from what this complaintctl" in office.run("validate", ok=False).output


def test_a_hook_pushed_into_the_repository_never_runs(office: Office, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11 §1: a commit that adds hooks/pre-commit (the folder offices used to run) reaches
    an office (only the admin may push one now, test_trust); the office's next commit runs
    complaintctl's installed hook, not the script that arrived."""
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    pwned = tmp_path / "PWNED"
    (office.root / "hooks").mkdir()
    (office.root / "hooks" / "pre-commit").write_text(f"#!/bin/sh\ntouch '{pwned}'\nexit 0\n", encoding="utf-8")
    (office.root / "hooks" / "pre-commit").chmod(0o755)
    office.git("add", "hooks")
    office.git("commit", "-q", "--no-verify", "-m", "a hook for everyone (as if pulled)")
    assert (office.root / "hooks" / "pre-commit").is_file()
    case_id = office.new()
    office.hand_edit(case_id, "channel: phone", "channel: carrier-pigeon")
    proc = office.git("commit", "-qam", "hand edit", check=False)
    assert proc.returncode == 1 and "intake.channel: R-DEF-4" in proc.stderr  # our hook judged it
    assert not pwned.exists()
    office.git("checkout", "--", ".")
    office.git("config", "core.hooksPath", "hooks")  # an old clone, set up the way offices used to be
    assert "core.hooksPath=hooks:git 运行的钩子位于工作区" in office.run("validate").output
    assert "已取消 core.hooksPath=hooks" in office.run("hook", "install").output
    assert "warning" not in office.run("validate").output
    office.new(subject="再一件")  # commits through the installed hook
    assert not pwned.exists()


def test_a_hooks_folder_set_for_every_repository_does_not_switch_ours_off(office: Office, tmp_path: Path) -> None:
    """A user-wide core.hooksPath (a tool's, a company's) would make git skip .git/hooks."""
    global_config = Path(os.environ["GIT_CONFIG_GLOBAL"])
    global_config.write_text(global_config.read_text(encoding="utf-8") + f"[core]\n\thooksPath = {tmp_path}\n",
                             encoding="utf-8")
    assert "不是 complaintctl 安装的" in office.run("validate").output
    out = office.run("hook", "install").output
    assert f"已在此处设置 core.hooksPath={office.root / '.git' / 'hooks'}" in out
    assert "warning" not in office.run("validate").output
    office.hand_edit(office.new(), "channel: phone", "channel: carrier-pigeon")
    proc = office.git("commit", "-qam", "hand edit", check=False)
    assert proc.returncode == 1 and "R-DEF-4" in proc.stderr


def test_the_pre_commit_frameworks_hook_is_noted_and_left_in_place(office: Office) -> None:
    """README: an office may run the validator through the pre-commit framework, which then owns
    .git/hooks/pre-commit; `validate` notes it and `hook install` leaves it alone."""
    hook = office.root / ".git" / "hooks" / "pre-commit"
    framework = "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nexit 0\n"
    hook.write_text(framework, encoding="utf-8")
    out = office.run("validate").output
    assert "pre-commit 框架" in out and "hook install" not in out
    installed = office.run("hook", "install").output
    assert "pre-commit 框架" in installed
    assert hook.read_text(encoding="utf-8") == framework
    assert not (hook.parent / "pre-commit.before-complaintctl").exists()
