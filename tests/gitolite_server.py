"""gitolite behind a real sshd on 127.0.0.1, set up and torn down in one place: used by
tests/test_gitolite.py (a pytest fixture) and benchmarks/fifty_offices.py (fifty offices).

`serve(...)` makes its own Unix user running gitolite (the first key is gitolite's admin),
gives the repository `cases` the gitolite.conf it is handed, optionally fills it with a
history before any hook exists (as an admin does before offices get access), installs
complaintctl's pre-receive hook with `server init --layout gitolite`, and runs sshd from a
private config (its own host key and pid file) on a free port. On leaving, sshd is stopped
by its PID, the user's leftover processes ended, the user and every file removed.
No pytest here: a test turns `Unavailable` into a skip, a benchmark into an error."""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import signal
import site
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1]
SSHD = "/usr/sbin/sshd"
NEEDED = ("gitolite", "ssh", "ssh-keygen", "useradd", "userdel", "usermod", "runuser")
TIMED = """#!/bin/sh
# times every server-side hook run: "hook-pre-receive START END EXIT" per line
start=$(date +%s.%N)
{command} "$@"
code=$?
echo "$1-$2 $start $(date +%s.%N) $code" >> {log}
exit $code
"""


class Unavailable(Exception):
    """gitolite/sshd cannot run here (not installed, not root, no Python for its user)."""


def why_not() -> str | None:
    missing = [c for c in NEEDED if shutil.which(c) is None] + ([] if os.access(SSHD, os.X_OK) else [SSHD])
    if missing:
        return (f"gitolite3/openssh-server are not installed here ({', '.join(missing)} missing): .ci/run installs "
                "them with apt as root — this machine could not")
    if os.geteuid() != 0:
        return "creating gitolite's Unix user and running sshd need root (.ci/run runs as root)"
    return None


def run(*args: str, user: str | None = None, timeout: float = 120) -> str:
    argv = ["runuser", "-u", user, "--", *args] if user else list(args)
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd="/")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {proc.stdout}{proc.stderr}")
    return proc.stdout


def hook_command(user: str) -> str:
    """How the hook, running as gitolite's user, starts complaintctl: this Python if that user
    may run it, else the system's python3 (same version) with this checkout and our packages."""
    paths = os.pathsep.join([str(SRC), *site.getsitepackages()])
    for cmd in (f"{sys.executable} -m complaintctl",
                f"env PYTHONPATH={paths} /usr/bin/python{sys.version_info[0]}.{sys.version_info[1]} -m complaintctl"):
        probe = subprocess.run(["runuser", "-u", user, "--", "sh", "-c", f"cd / && {cmd} --version"],
                               capture_output=True, text=True, timeout=60)
        if probe.returncode == 0:
            return cmd
    raise Unavailable(f"gitolite's user {user} can run no Python that imports complaintctl ({sys.executable} is "
                      "not readable to other users, and no system python of the same version is)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Gitolite:
    url: str  # ssh://user@127.0.0.1:port/cases
    keys: Path  # KEYS/<login> and KEYS/<login>.pub
    repo: Path  # the bare repository gitolite serves as `cases`
    sshd_pid: int
    hook_log: Path | None  # with timed=True: one line per hook run
    session_log: Path | None  # with timed=True: "WALL USER SYS" of each ssh session's gitolite-shell

    def ssh_command(self, who: str) -> str:
        return (f"ssh -F /dev/null -i {self.keys / who} -o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR "
                "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null")

    def env(self, who: str) -> dict[str, str]:
        return {**os.environ, "GIT_SSH_COMMAND": self.ssh_command(who)}

    def server_cpu_s(self) -> float:
        """CPU seconds the finished ssh sessions have used so far: gitolite-shell and everything it
        waited for (git upload-pack/receive-pack, the hook), not sshd's own encryption."""
        if self.session_log is None:
            return 0.0
        total = 0.0
        for line in self.session_log.read_text(encoding="utf-8").splitlines():
            parts = line.split()  # GNU time adds a line of its own when the command failed
            if len(parts) == 3 and all(re.fullmatch(r"[0-9.]+", x) for x in parts):
                total += float(parts[1]) + float(parts[2])
        return total


def _start_sshd(base: Path, user: str, env: Sequence[str]) -> tuple[int, int]:
    port = free_port()
    host_key = base / "host_key"
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key))
    config = base / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}", f"PidFile {base / 'sshd.pid'}",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
        "StrictModes no",  # the temporary folders are not owned the way StrictModes wants
        "MaxStartups 100:30:200",  # fifty offices may connect at once (the default starts refusing at 10)
        f"AllowUsers {user}", *(f"SetEnv {e}" for e in env), ""]), encoding="utf-8")
    Path("/run/sshd").mkdir(parents=True, exist_ok=True)
    run(SSHD, "-f", str(config), "-E", str(base / "sshd.log"))
    deadline = time.monotonic() + 10
    while True:
        try:
            pid = int((base / "sshd.pid").read_text(encoding="utf-8"))
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return pid, port
        except (OSError, ValueError) as exc:
            if time.monotonic() > deadline:
                log = (base / "sshd.log").read_text(encoding="utf-8", errors="replace")
                raise RuntimeError(f"sshd did not start: {log}") from exc
            time.sleep(0.05)


@contextmanager
def serve(logins: Sequence[str], conf: str, *, fill: Path | None = None, pinned_now: str | None = None,
          timed: bool = False) -> Iterator[Gitolite]:
    """gitolite over sshd on 127.0.0.1 serving `cases` with gitolite.conf `conf`; a key per
    login (the first is gitolite's admin). `fill`: a repository whose main goes in before the
    hook (never judged: the admin's first push). `pinned_now`: the server's clock pinned for
    tests (sshd's SetEnv COMPLAINTCTL_NOW and the repository's complaintctl.allowPinnedNow) —
    without it the hook reads the real clock, as a real server does. `timed`: the hook runs
    through a wrapper that logs each run's start, end and exit code (Gitolite.hook_log)."""
    reason = why_not() or (None if not timed or os.access("/usr/bin/time", os.X_OK) else "GNU time is not installed")
    if reason:
        raise Unavailable(reason)
    # Not under a private temporary folder: gitolite's user lives here and must read it.
    base = Path(tempfile.mkdtemp(prefix="complaintctl-gitolite-"))
    base.chmod(0o755)
    user = f"cctest{secrets.token_hex(4)}"
    home = base / "home"
    pid: int | None = None
    created = False
    try:
        run("useradd", "-m", "-d", str(home), "-s", "/bin/sh", user)
        created = True
        run("usermod", "-p", "*", user)  # useradd makes it locked, and sshd refuses locked accounts
        keys = base / "keys"
        keys.mkdir()
        for who in logins:
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", str(keys / who))
        admin = logins[0]
        shutil.copy(keys / f"{admin}.pub", home / f"{admin}.pub")
        shutil.chown(home / f"{admin}.pub", user)
        run("env", f"HOME={home}", "gitolite", "setup", "-pk", str(home / f"{admin}.pub"), user=user)
        gl = home / ".gitolite"
        for who in logins[1:]:
            shutil.copy(keys / f"{who}.pub", gl / "keydir" / f"{who}.pub")
        (gl / "conf" / "gitolite.conf").write_text(conf, encoding="utf-8")
        run("chown", "-R", user, str(gl))
        run("env", f"HOME={home}", "gitolite", "setup", user=user)  # compile; authorized_keys for every key
        repo = home / "repositories" / "cases.git"
        if not repo.is_dir():
            raise RuntimeError("gitolite did not create the repository named in gitolite.conf")
        if fill is not None:  # a fetch runs no hook: the history was judged as it was made
            source = fill / ".git" if (fill / ".git").is_dir() else fill  # root's: git asks to trust it
            run("git", "-C", str(repo), "fetch", "-q", "--no-tags",
                f"--upload-pack=git -c safe.directory={source} upload-pack", str(fill), "main:main",
                user=user, timeout=1800)
        command = hook_command(user)
        log: Path | None = None
        if timed:
            log = base / "hooks.log"
            log.touch()
            shutil.chown(log, user)
            wrapper = base / "timed-complaintctl"
            wrapper.write_text(TIMED.format(command=command, log=shlex.quote(str(log))), encoding="utf-8")
            wrapper.chmod(0o755)
            command = str(wrapper)
        run("env", f"HOME={home}", *shlex.split(command), "server", "init", "--layout", "gitolite", str(repo),
            "--command", command, user=user)
        if pinned_now:
            # The hooks honour COMPLAINTCTL_NOW only where the repository allows it — a test
            # server's setting, never a real one's.
            run("git", "-C", str(repo), "config", "complaintctl.allowPinnedNow", "true", user=user)
        hook = (repo / "hooks" / "pre-receive").read_text(encoding="utf-8")
        run("env", f"HOME={home}", "gitolite", "setup", user=user)
        if (repo / "hooks" / "pre-receive").read_text(encoding="utf-8") != hook:  # docs/server.md says it won't
            raise RuntimeError("gitolite setup replaced complaintctl's pre-receive hook")
        sessions: Path | None = None
        if timed:  # each key's forced command under GNU time (sshd's children are not all reaped)
            sessions = base / "sessions.log"
            sessions.touch()
            shutil.chown(sessions, user)
            keys_file = home / ".ssh" / "authorized_keys"
            text = keys_file.read_text(encoding="utf-8")
            timed_text = re.sub(r'command="(\S*gitolite-shell) ',
                                lambda m: f'command="/usr/bin/time -a -o {sessions} -f \'%e %U %S\' {m.group(1)} ',
                                text)
            if timed_text == text:
                raise RuntimeError(f"no gitolite-shell forced command in {keys_file}")
            keys_file.write_text(timed_text, encoding="utf-8")
        pid, port = _start_sshd(base, user, [f"COMPLAINTCTL_NOW={pinned_now}"] if pinned_now else [])
        yield Gitolite(f"ssh://{user}@127.0.0.1:{port}/cases", keys, repo, pid, log, sessions)
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
            if shutil.which("pkill"):  # its leftover ssh sessions, if any: only the user we made
                subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True, timeout=30)
            subprocess.run(["userdel", "-r", user], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)
