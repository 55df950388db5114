"""Fixtures: real temporary git repositories, a fixed git identity, the real CLI entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintctl.cli import cli

SRC = Path(__file__).resolve().parent.parent


def set_identity(monkeypatch: pytest.MonkeyPatch, name: str, email: str) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, name)
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, email)


@pytest.fixture(autouse=True)
def git_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the developer's $HOME config; hooks run this checkout's code."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    monkeypatch.setenv("COMPLAINTCTL", f"{sys.executable} -m complaintctl")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))


class Office:
    """A case repository made by `complaintctl init`, driven through the real CLI."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def run(self, *args: str, ok: bool = True, input: str | None = None) -> Result:
        result = self.runner.invoke(cli, ["-C", str(self.root), *args], input=input, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True)
        if check:
            assert proc.returncode == 0, proc.stderr
        return proc

    def path(self, case_id: str) -> Path:
        from complaintctl.ids import parse_case_id

        return self.root / parse_case_id(case_id).relpath

    def new(self, *extra: str, **fields: str) -> str:
        """Record a complaint; return its ID."""
        args = {
            "channel": "phone", "name": "王女士", "contact": "13800138000", "complainant-class": "owner",
            "category": "work-efficiency", "subject": "电梯故障三天未修", "details": "3栋电梯停运三天",
            "location": "3栋2单元",
        }
        args.update({k.replace("_", "-"): v for k, v in fields.items()})
        argv = [x for k, v in args.items() for x in (f"--{k}", v)]
        result = self.run("new", *argv, *extra)
        return result.output.split()[0]


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    root = tmp_path / "office"
    result = CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    yield Office(root)


@pytest.fixture
def bare_remote(tmp_path: Path, office: Office) -> Path:
    """A bare repository with complaintctl's pre-receive hook installed, as on a server."""
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text((SRC / "hooks" / "pre-receive").read_text(encoding="utf-8"), encoding="utf-8")
    hook.chmod(0o755)
    office.git("remote", "add", "origin", str(bare))
    office.git("push", "-q", "origin", "main")
    return bare
