"""`complaintctl init`: a new office's repository, or an existing repository adopted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from tests.conftest import NOW, Office, set_identity
from tests.violations import hooks_off

ROOT = Path(__file__).resolve().parents[2]


def init(path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["init", str(path), "--preset", "property", "--office", "SZ", *extra])
    return result.exit_code, result.output


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def assert_hooks_installed(root: Path) -> None:
    """Issue 11 §1: the hook git runs lives in .git/hooks and runs the installed complaintctl."""
    assert subprocess.run(["git", "config", "core.hooksPath"], cwd=root).returncode == 1
    hook = root / ".git" / "hooks" / "pre-commit"
    assert f"PYTHON={sys.executable}\n" in hook.read_text(encoding="utf-8") and os.access(hook, os.X_OK)
    assert not (root / "hooks").exists()


def test_init_creates_an_office(tmp_path: Path) -> None:
    code, out = init(tmp_path / "office")
    assert code == 0, out
    root = tmp_path / "office"
    tracked = set(git(root, "ls-files").split())
    assert tracked == {"complaintctl.yaml", "cases/.gitkeep", "templates/case.schema.json",
                       "templates/complaintctl.schema.json", ".gitattributes"} | {p for p in tracked
                                                                 if p.startswith(("templates/bulletin/",
                                                                                  "templates/form/"))}
    assert "templates/form/form.html.j2" in tracked  # the office's copy of the case form
    assert_hooks_installed(root)
    assert "office: SZ" in (root / "complaintctl.yaml").read_text(encoding="utf-8")
    assert git(root, "status", "--porcelain") == ""
    code, out = init(tmp_path / "office")
    assert code == 1 and "already a case repository" in out


def test_init_adopts_an_existing_repository(tmp_path: Path) -> None:
    root = tmp_path / "existing"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("our office\n", encoding="utf-8")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "start")
    (root / "templates").mkdir()
    (root / "templates" / "letterhead.txt").write_text("draft\n", encoding="utf-8")  # untracked, not ours
    (root / "scratch.txt").write_text("wip\n", encoding="utf-8")
    code, out = init(root)
    assert code == 0, out
    assert git(root, "log", "--format=%s").splitlines() == ["建立办公室 SZ(预设 property)", "start"]
    status = git(root, "status", "--porcelain", "--untracked-files=all")
    assert "?? scratch.txt" in status and "?? templates/letterhead.txt" in status  # left alone
    assert_hooks_installed(root)
    office = Office(root)
    case_id = office.new()
    assert case_id == "SZ-" + case_id.split("-", 1)[1] and office.path(case_id).is_file()


def test_init_refuses_a_repository_with_staged_changes(tmp_path: Path) -> None:
    root = tmp_path / "busy"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.txt").write_text("a\n", encoding="utf-8")
    git(root, "add", "a.txt")
    code, out = init(root)
    assert code == 1 and "other changes are staged (a.txt)" in out
    assert not (root / "complaintctl.yaml").exists()


def test_init_names_the_known_presets(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "o"), "--preset", "zoo", "--office", "SZ"])
    assert result.exit_code == 1 and "unknown preset 'zoo' (known: " in result.output and "property" in result.output
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "o"), "--preset", "property", "--office", "sz"])
    assert result.exit_code == 1 and "office code 'sz' must be 2-8 capital letters" in result.output


def test_every_preset_makes_an_office_that_takes_a_valid_case(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from jsonschema import Draft202012Validator

    from complaintctl.model.case import load_plain, to_plain
    from complaintctl.policy.policy import load_policy
    from complaintctl.repo.office import presets

    schema = Draft202012Validator(json.loads((ROOT / "templates" / "case.schema.json").read_text(encoding="utf-8")))
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    assert {"realestate", "property", "hotel", "lawfirm", "factory"} <= set(presets())
    for preset in presets():
        root = tmp_path / preset
        result = CliRunner().invoke(cli, ["init", str(root), "--preset", preset, "--office", "HQ"])
        assert result.exit_code == 0, (preset, result.output)
        policy = load_policy(root)
        office = hooks_off(Office(root))
        # the ledger (issue 9): the preset's own dispatcher records and dispatches, to its own staff
        dispatcher = next(p for p in policy.people if "dispatcher" in p.roles)
        staff = next(p for p in policy.people if "staff" in p.roles and p.name != dispatcher.name)
        set_identity(monkeypatch, dispatcher.name, dispatcher.email)
        case_id = office.new(channel=next(iter(policy.channels)),
                             complainant_class=next(iter(policy.complainant_classes)),
                             category=next(iter(policy.categories)))
        office.run("assign", case_id, "--handler", staff.name, "--unit", staff.unit)  # R-RT-1: their own unit
        path = office.path(case_id)
        data = to_plain(load_plain(path.read_text(encoding="utf-8"), str(path)))
        assert [e.message for e in schema.iter_errors(data)] == [], preset
        assert office.run("validate").stdout.strip() == "1 个案件文件全部有效"


def test_init_leaves_nothing_behind_when_its_commit_fails(tmp_path: Path) -> None:
    root = tmp_path / "guarded"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    hook = root / ".git" / "hooks" / "pre-commit"  # the repository's own hook, before init takes over
    hook.write_text("#!/bin/sh\necho 'house rules: no' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    code, out = init(root)
    assert code == 1 and "house rules: no" in out
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (root / "complaintctl.yaml").exists()
    assert "house rules" in hook.read_text(encoding="utf-8")  # not switched over


def test_init_moves_a_foreign_pre_commit_hook_aside_and_says_so(tmp_path: Path) -> None:
    root = tmp_path / "hooked"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    hook.chmod(0o755)
    code, out = init(root)
    assert code == 0, out
    aside = root / ".git" / "hooks" / "pre-commit.before-complaintctl"
    assert f"hooks: moved the existing pre-commit hook to {aside}" in out
    assert aside.read_text(encoding="utf-8") == "#!/bin/sh\nexit 0\n"
    assert_hooks_installed(root)
