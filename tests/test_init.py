"""`complaintctl init`: a new office's repository, or an existing repository adopted."""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner

from complaintctl.cli import cli
from tests.conftest import Office


def init(path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["init", str(path), "--preset", "property", "--office", "SZ", *extra])
    return result.exit_code, result.output


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def test_init_creates_an_office(tmp_path: Path) -> None:
    code, out = init(tmp_path / "office")
    assert code == 0, out
    root = tmp_path / "office"
    tracked = set(git(root, "ls-files").split())
    assert tracked == {"complaintctl.yaml", "cases/.gitkeep", "hooks/pre-commit", "hooks/pre-receive",
                       "templates/case.schema.json"} | {p for p in tracked if p.startswith("templates/bulletin/")}
    assert git(root, "config", "core.hooksPath").strip() == "hooks"
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
    assert git(root, "log", "--format=%s").splitlines() == ["init office SZ (preset property)", "start"]
    status = git(root, "status", "--porcelain", "--untracked-files=all")
    assert "?? scratch.txt" in status and "?? templates/letterhead.txt" in status  # left alone
    assert git(root, "config", "core.hooksPath").strip() == "hooks"
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
