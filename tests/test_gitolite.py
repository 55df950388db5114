"""Issue 11 §2: the shared repository behind gitolite, over a real sshd on 127.0.0.1.

One session-scoped server: its own Unix user running gitolite (with the gitolite.conf that
docs/server.md shows for a group of two offices), sshd from a private config on a free port,
ssh keys for three people in two offices (SZ: 张敏 and the vice-president 刘洋; GZ: 周华) and
for the admin (孙总, role hq). `complaintctl server init --layout gitolite` installs the hook;
gitolite names the pusher in GL_USER. The smoke subset of test_trust's matrix runs over it.
Everything started is stopped (sshd by its PID) and removed (the user, its home)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import site
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SRC, Office, set_identity
from tests.group import NOW, build

SSHD = "/usr/sbin/sshd"
NEEDED = ("gitolite", "ssh", "ssh-keygen", "useradd", "userdel", "runuser")
KEYS = ("sun", "zhangmin", "liuyang", "zhouhua")  # the admin first: gitolite's own admin too


def _why_not() -> str | None:
    missing = [c for c in NEEDED if shutil.which(c) is None] + ([] if os.access(SSHD, os.X_OK) else [SSHD])
    if missing:
        return (f"gitolite3/openssh-server are not installed here ({', '.join(missing)} missing): .ci/run installs "
                "them with apt as root — this machine could not")
    if os.geteuid() != 0:
        return "creating gitolite's Unix user and running sshd need root (.ci/run runs as root)"
    return None


def conf_from_docs() -> str:
    """The gitolite.conf docs/server.md shows, exactly."""
    text = (SRC / "docs" / "server.md").read_text(encoding="utf-8")
    found = re.search(r"```\n(# gitolite\.conf.*?)```", text, re.DOTALL)
    assert found, "docs/server.md shows no gitolite.conf block"
    return found.group(1)


def _hook_command(user: str) -> str:
    """How the hook, running as gitolite's user, starts complaintctl: this Python if that user
    may run it, else the system's python3 (same version) with this checkout and our packages."""
    paths = os.pathsep.join([str(SRC), *site.getsitepackages()])
    for cmd in (f"{sys.executable} -m complaintctl",
                f"env PYTHONPATH={paths} /usr/bin/python{sys.version_info[0]}.{sys.version_info[1]} -m complaintctl"):
        probe = subprocess.run(["runuser", "-u", user, "--", "sh", "-c", f"cd / && {cmd} --version"],
                               capture_output=True, text=True, timeout=60)
        if probe.returncode == 0:
            return cmd
    pytest.skip(f"gitolite's user {user} can run no Python that imports complaintctl ({sys.executable} is not "
                "readable to other users, and no system python of the same version is)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*args: str, user: str | None = None, env: dict[str, str] | None = None) -> str:
    argv = ["runuser", "-u", user, "--", *args] if user else list(args)
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, cwd="/")
    assert proc.returncode == 0, f"{' '.join(argv)}: {proc.stdout}{proc.stderr}"
    return proc.stdout


@dataclass(frozen=True)
class Gitolite:
    url: str  # ssh://user@127.0.0.1:port/cases
    keys: Path

    def env(self, who: str) -> dict[str, str]:
        ssh = (f"ssh -F /dev/null -i {self.keys / who} -o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR "
               "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null")
        return {**os.environ, "GIT_SSH_COMMAND": ssh}


@pytest.fixture(scope="session")
def gitolite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gitolite]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    # Not under pytest's temporary folder: that is private to root, and gitolite's user lives here.
    base = Path(tempfile.mkdtemp(prefix="complaintctl-gitolite-"))
    base.chmod(0o755)
    user = f"cctest{secrets.token_hex(4)}"
    home = base / "home"
    pid: int | None = None
    created = False
    try:
        _run("useradd", "-m", "-d", str(home), "-s", "/bin/sh", user)
        created = True
        _run("usermod", "-p", "*", user)  # useradd makes it locked, and sshd refuses locked accounts
        keys = base / "keys"
        keys.mkdir()
        for who in KEYS:
            _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", str(keys / who))
        shutil.copy(keys / "sun.pub", home / "sun.pub")
        shutil.chown(home / "sun.pub", user)
        _run("env", f"HOME={home}", "gitolite", "setup", "-pk", str(home / "sun.pub"), user=user)
        gl = home / ".gitolite"
        for who in KEYS[1:]:
            shutil.copy(keys / f"{who}.pub", gl / "keydir" / f"{who}.pub")
        (gl / "conf" / "gitolite.conf").write_text(conf_from_docs(), encoding="utf-8")
        _run("chown", "-R", user, str(gl))
        _run("env", f"HOME={home}", "gitolite", "setup", user=user)  # compile; authorized_keys for every key
        repo = home / "repositories" / "cases.git"
        assert repo.is_dir(), "gitolite did not create the repository named in gitolite.conf"
        command = _hook_command(user)
        _run("env", f"HOME={home}", *command.split(), "server", "init", "--layout", "gitolite", str(repo),
             "--command", command, user=user)
        # The tests pin the clock (sshd's SetEnv COMPLAINTCTL_NOW); the hooks honour it only
        # where the repository allows it (issue 9) — a test server's setting, never a real one's.
        _run("git", "-C", str(repo), "config", "complaintctl.allowPinnedNow", "true", user=user)
        hook = (repo / "hooks" / "pre-receive").read_text(encoding="utf-8")
        _run("env", f"HOME={home}", "gitolite", "setup", user=user)  # gitolite leaves our hook alone
        assert (repo / "hooks" / "pre-receive").read_text(encoding="utf-8") == hook
        assert (repo / "hooks" / "update").is_symlink()
        port = _free_port()
        host_key = base / "host_key"
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key))
        config = base / "sshd_config"
        config.write_text("\n".join([
            f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}", f"PidFile {base / 'sshd.pid'}",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
            "StrictModes no",  # the temporary folders are not owned the way StrictModes wants
            f"AllowUsers {user}", f"SetEnv COMPLAINTCTL_NOW={NOW}", ""]), encoding="utf-8")
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)
        _run(SSHD, "-f", str(config), "-E", str(base / "sshd.log"))
        deadline = time.monotonic() + 10
        while pid is None:
            try:
                pid = int((base / "sshd.pid").read_text(encoding="utf-8"))
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            except (OSError, ValueError):
                pid = None
                assert time.monotonic() < deadline, (base / "sshd.log").read_text(encoding="utf-8", errors="replace")
                time.sleep(0.05)
        yield Gitolite(f"ssh://{user}@127.0.0.1:{port}/cases", keys)
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        if created:
            if shutil.which("pkill"):  # its leftover ssh sessions, if any
                subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True, timeout=30)
            subprocess.run(["userdel", "-r", user], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def filled(gitolite: Gitolite, tmp_path_factory: pytest.TempPathFactory) -> Gitolite:
    """The group's history pushed in by the admin: the very first push, validated only."""
    base = tmp_path_factory.mktemp("gitolite-group")
    with pytest.MonkeyPatch.context() as mp:
        build(base, mp)
        office = base / "office"
        subprocess.run(["git", "remote", "set-url", "origin", gitolite.url], cwd=office, check=True, timeout=60)
        proc = subprocess.run(["git", "push", "origin", "main"], cwd=office, capture_output=True, text=True,
                              env=gitolite.env("sun"), timeout=120)
        assert proc.returncode == 0, proc.stderr
    return gitolite


def ssh_clone(server: Gitolite, who: str, dest: Path, office: str | None = None) -> Office:
    env = server.env(who)
    args = [sys.executable, "-m", "complaintctl", "clone", server.url, str(dest),
            *(["--office", office] if office else [])]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    subprocess.run(["git", "config", "core.sshCommand", env["GIT_SSH_COMMAND"]], cwd=dest, check=True, timeout=60)
    return Office(dest)


def push(office: Office, *args: str, key: Gitolite | None = None, who: str = "") -> tuple[int, str]:
    """Push with the clone's own key, or with `who`'s."""
    ssh = ["-c", f"core.sshCommand={key.env(who)['GIT_SSH_COMMAND']}"] if key else []
    proc = office.git(*ssh, "push", "origin", *args, check=False)
    return proc.returncode, proc.stderr


def test_gitolite_names_the_pusher_and_the_hook_refuses_what_it_must(filled: Gitolite, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    sz = ssh_clone(filled, "zhangmin", tmp_path / "sz")
    gz_case = next(p.stem for p in (sz.root / "cases").rglob("GZ-*.yaml"))
    sz_case = sorted(p.stem for p in (sz.root / "cases").rglob("SZ-*.yaml"))[0]
    # office SZ's clerk may not touch GZ's case
    sz.run("note", gz_case, "深圳来补充一句")
    result = sz.run("sync", ok=False)
    assert f"{gz_case}.yaml: id: ACCESS: pusher zhangmin (GL_USER) = 张敏 隶属 SZ 办公室," \
           "不能新建或修改 GZ 办公室的案件" in result.output, result.output
    sz.git("reset", "-q", "--hard", "origin/main")
    # nor push a commit in the vice-president's name, nor write his approval in her own
    set_identity(monkeypatch, "刘洋", "liuyang@example.com")
    sz.run("extend", sz_case, "--clock", "dispatch", "--until", "2026-11-30", "--reason", "等待配件")
    code, err = push(sz, "main")
    assert code != 0 and "刘洋 <liuyang@example.com> 既不是 pusher zhangmin (GL_USER) = 张敏" in err, err
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    sz.git("commit", "-q", "--amend", "--no-edit", "--reset-author", "--no-verify")  # his approval, her commit
    code, err = push(sz, "main")
    assert code != 0 and "R-DL-2: 张敏 无权执行 extend:须具有制度规定的 vp 或 gm 角色" in err, err
    sz.git("reset", "-q", "--hard", "origin/main")
    # no new branch or tag, no force-push, no deletion of main
    sz.git("tag", "v1")
    code, err = push(sz, "main:refs/heads/feature", "v1")
    assert code != 0 and "refs/heads/feature: ACCESS: creating a branch or tag other than main needs the admin " \
        "role (hq); pusher zhangmin (GL_USER) = 张敏" in err and "refs/tags/v1: ACCESS: creating" in err
    sz.new(subject="第一件")
    assert sz.run("sync").exit_code == 0  # the honest path goes through
    sz.git("reset", "-q", "--hard", "HEAD~1")
    sz.new(subject="改写历史")
    code, err = push(sz, "--force", "main")
    assert code != 0 and "non-fast-forward update refused" in err
    code, err = push(sz, ":main")
    assert code != 0 and "deleting main is refused" in err


def test_gitolite_the_admin_and_the_other_office(filled: Gitolite, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    sz = ssh_clone(filled, "zhangmin", tmp_path / "sz")
    sz.git("branch", "archive")
    code, err = push(sz, "archive", key=filled, who="sun")  # the admin may make a branch
    assert code == 0, err
    code, err = push(sz, ":archive")
    assert code != 0 and "refs/heads/archive: ACCESS: deleting a branch or tag other than main needs the admin " \
        "role (hq); pusher zhangmin (GL_USER) = 张敏" in err, err
    # a merge that takes the root commit's tree (issue 11 §0), over ssh
    root = sz.git("rev-list", "--max-parents=0", "HEAD").stdout.strip()
    merge = sz.git("commit-tree", f"{root}^{{tree}}", "-p", "HEAD", "-p", root, "-m", "old tree").stdout.strip()
    code, err = push(sz, f"{merge}:refs/heads/main")
    assert code != 0 and "R-CL-3: a merge may not drop a case file" in err
    # GZ's own clerk records GZ's complaint, through gitolite, with GZ's key
    set_identity(monkeypatch, "周华", "zhouhua@example.com")
    sz.git("config", "complaintctl.office", "GZ")
    assert sz.new(subject="广州的投诉").startswith("GZ-")
    code, err = push(sz, "main", key=filled, who="zhouhua")
    assert code == 0, err
    code, err = push(sz, "main:refs/heads/gz-work", key=filled, who="zhouhua")
    assert code != 0 and "pusher zhouhua (GL_USER) = 周华 has roles staff" in err
