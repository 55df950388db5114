"""Fixtures for many offices and one remote: a multi-office policy, a bare repository set up
by `complaintctl server init`, served by a real `git daemon` on 127.0.0.1, and clones."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from tests.conftest import Office

NOW = "2026-11-22T10:00:00+08:00"
GROUP = """
offices:
  SZ: 深圳物业
  GZ: 广州物业
  HQ: 集团客户关系协调中心
"""
PEOPLE = """
  - {name: 周华, email: zhouhua@example.com, login: zhouhua, office: GZ, unit: customer-service, roles: [staff]}
  - {name: 孙总, email: sun@example.com, login: sun, office: HQ, unit: coordination-centre, roles: [hq, gm],
     acts_for: ["*"]}
"""


def git(cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if check:
        assert proc.returncode == 0, proc.stderr
    return (proc.stdout + proc.stderr).strip()


def cli_proc(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real program in its own process (what two users at once really are)."""
    return subprocess.run([sys.executable, "-m", "complaintctl", "-C", str(root), *args],
                          capture_output=True, text=True, env=env)


NEW_ARGS = ("new", "--channel", "phone", "--name", "王女士", "--contact", "13800138000",
            "--complainant-class", "owner", "--category", "work-efficiency", "--details", "电梯停运")


def refs(bare: Path) -> str:
    return git(bare, "for-each-ref", "--format=%(refname) %(objectname)")


def remote_cases(bare: Path) -> list[str]:
    out = git(bare, "ls-tree", "-r", "--name-only", "main", "--", "cases")
    return [p for p in out.splitlines() if p.endswith(".yaml")]


@pytest.fixture(name="group")
def group_fixture(office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The SZ office's repository made a group repository (SZ, GZ, HQ), served from a bare
    repository made by `complaintctl server init`. Returns the bare repository."""
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    policy = office.root / "complaintctl.yaml"
    text = policy.read_text(encoding="utf-8").replace("people:\n", GROUP + "\npeople:\n" + PEOPLE.lstrip("\n"))
    text = text.replace("email: zhangmin@example.com,", "email: zhangmin@example.com, login: zhangmin,")
    text = text.replace("email: liuyang@example.com,", "email: liuyang@example.com, login: liuyang,")
    policy.write_text(text, encoding="utf-8")
    office.git("commit", "-q", "-am", "group policy: offices SZ, GZ, HQ and server logins")
    bare = tmp_path / "srv" / "cases.git"
    # `git daemon` and these tests' local pushes name a pusher only when a test gives one: the
    # server takes anonymous pushes (role-gated changes still need a pusher, docs/server.md)
    result = CliRunner().invoke(cli, ["server", "init", str(bare), "--allow-anonymous"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    office.git("remote", "add", "origin", str(bare))
    office.git("push", "-q", "origin", "main")
    return bare


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(name="daemon")
def daemon_fixture(group: Path) -> Iterator[Callable[[str | None], str]]:
    """serve(pusher) -> git:// URL of the group repository, served by a real `git daemon`
    whose environment carries that pusher identity (COMPLAINTCTL_PUSHER), as ssh would."""
    procs: list[subprocess.Popen[bytes]] = []

    def serve(pusher: str | None) -> str:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "COMPLAINTCTL_PUSHER"}
        if pusher:
            env["COMPLAINTCTL_PUSHER"] = pusher
        base = group.parent
        proc = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}", f"--base-path={base}",
             "--export-all", "--enable=receive-pack", "--informative-errors", str(base)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        procs.append(proc)
        deadline = time.monotonic() + 10
        while True:  # ready when it accepts connections
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "git daemon did not start"
                time.sleep(0.02)
        return f"git://127.0.0.1:{port}/{group.name}"

    yield serve
    for proc in procs:  # the daemon and its per-connection children: its own process group
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def clone(url: str, dest: Path, office_code: str | None = None) -> Office:
    """An office's clone; hooks installed as `complaintctl clone` installs them (.git/hooks)."""
    git(dest.parent, "clone", "-q", url, str(dest))
    result = CliRunner().invoke(cli, ["-C", str(dest), "hook", "install"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if office_code:
        git(dest, "config", "complaintctl.office", office_code)
    return Office(dest)
