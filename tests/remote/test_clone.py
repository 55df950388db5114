"""`complaintctl clone`: an office's working clone of the shared repository, hooks live."""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner

from complaintctl.cli import cli
from tests.conftest import Office, make_bare_remote


def _clone(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["clone", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_clone_installs_the_hooks_so_a_bad_hand_edit_is_refused(office: Office, bare_remote: Path,
                                                                  tmp_path: Path) -> None:
    case_id = office.new()
    office.git("push", "-q", "origin", "main")
    code, out = _clone(str(bare_remote), str(tmp_path / "sz"))
    assert code == 0, out
    clone = Office(tmp_path / "sz")
    assert clone.git("config", "core.hooksPath", check=False).returncode == 1  # git's own .git/hooks
    hook = (clone.root / ".git" / "hooks" / "pre-commit").read_text(encoding="utf-8")
    assert "-m complaintctl hook pre-commit" in hook
    clone.hand_edit(case_id, "channel: phone", "channel: carrier-pigeon")
    refused = clone.git("commit", "-qam", "hand edit", check=False)
    assert refused.returncode != 0 and "intake.channel: R-DEF-4" in refused.stderr
    clone.git("checkout", "--", ".")
    assert clone.new(subject="二次投诉").endswith("-0002")  # numbering continues from the shared cases


def test_clone_with_an_office_the_policy_does_not_list_leaves_nothing(bare_remote: Path, tmp_path: Path) -> None:
    code, out = _clone(str(bare_remote), str(tmp_path / "gz"), "--office", "GZ")
    assert code == 1 and "offices:" in out and "GZ" in out
    assert not (tmp_path / "gz").exists()


def test_clone_of_something_that_is_not_a_case_repository_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(plain)], check=True)
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(plain), str(work)], check=True, capture_output=True)
    (work / "README").write_text("hello\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(work), "add", "README"], check=True)
    subprocess.run(["git", "-C", str(work), "commit", "-qm", "x"], check=True)
    subprocess.run(["git", "-C", str(work), "push", "-q", "origin", "main"], check=True)
    code, out = _clone(str(plain), str(tmp_path / "dest"))
    assert code == 1 and "no policy file" in out
    assert not (tmp_path / "dest").exists()


def test_clone_for_another_office_numbers_its_cases_with_that_code(office: Office, tmp_path: Path) -> None:
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "\noffices:\n  SZ: 深圳\n  GZ: 广州\n", encoding="utf-8")
    office.git("commit", "-qam", "offices SZ and GZ")
    bare_remote = make_bare_remote(tmp_path / "remote.git", office)  # (the policy is the admin's to push)
    code, out = _clone(str(bare_remote), str(tmp_path / "gz"), "--office", "GZ")
    assert code == 0, out
    clone = Office(tmp_path / "gz")
    assert clone.git("config", "complaintctl.office").stdout.strip() == "GZ"
    assert clone.new().startswith("GZ-")
