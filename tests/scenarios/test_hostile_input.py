"""Issue 10: hostile input and faults lose nothing and crash nothing. One test (or more) per
numbered item of the issue, each reproducing what was reported, through the real CLI, the
real hooks and real git; every subprocess under a timeout."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Office
from tests.hostile import HOSTILE
from tests.violations import rel

States = tuple[Office, dict[str, str]]
T = 60  # seconds: no subprocess here may take longer (a hang fails the test, it does not stall it)


def run(cwd: Path, *args: str | bytes, env: dict[str, str] | None = None, timeout: float = T,
        input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, timeout=timeout, env=env, input=input)


def cli(office: Office, *args: str | bytes, timeout: float = T) -> subprocess.CompletedProcess[bytes]:
    """The real program in its own process, with real argv bytes."""
    return run(office.root, sys.executable, "-m", "complaintctl", *args, timeout=timeout)


def git(office: Office, *args: str, timeout: float = T) -> str:
    proc = run(office.root, "git", *args, timeout=timeout)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode()


def state(office: Office) -> tuple[str, str, str]:
    """HEAD, the index and the working tree: what a refused command must leave as it was."""
    return (git(office, "rev-parse", "HEAD"), git(office, "ls-files", "-s"),
            git(office, "status", "--porcelain", "--untracked-files=all"))


def one_line_error(proc: subprocess.CompletedProcess[bytes], code: int) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == code, (proc.returncode, err, proc.stdout.decode())
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    return err


# ---- item 1: invalid UTF-8 in an argument ----------------------------------------------------

def test_invalid_utf8_argument_is_refused_before_anything_is_written(states: States) -> None:
    office, ids = states
    before = state(office)
    proc = cli(office, "note", ids["in_progress"], b"\xff")
    err = one_line_error(proc, 2)
    assert "TEXT: not valid UTF-8 text (byte 0xff)" in err
    proc = cli(office, "new", "--channel", "phone", "--name", b"\xe7\x8e\x8b\xff", "--contact", "13800138000",
               "--complainant-class", "owner", "--category", "other", "--subject", "s", "--details", "d")
    assert "--name: not valid UTF-8 text" in one_line_error(proc, 2)
    proc = cli(office, "note", ids["in_progress"], "bell\x07")
    assert "control character U+0007" in one_line_error(proc, 2)
    assert state(office) == before
    # Tabs and newlines are fine where a field holds paragraphs.
    office.run("note", ids["in_progress"], "第一行\n\t第二行")


def test_a_committed_non_utf8_case_is_a_finding_and_reads_skip_it_aloud(states: States) -> None:
    office, ids = states
    path = office.path(ids["in_progress"])
    path.write_bytes(path.read_bytes().replace("更换主板".encode(), "更换主板".encode("gbk")))
    git(office, "commit", "-qam", "GBK save", "--no-verify")
    proc = cli(office, "validate")
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    assert f"{rel(office, ids['in_progress'])}: (file): R-WF: line".encode() in proc.stderr
    assert b"not UTF-8" in proc.stderr
    for args in (["list"], ["report", "--period", "2026-11"], ["register", "--week", "2026-W47"]):
        proc = cli(office, *args)
        assert proc.returncode == 0, proc.stderr.decode()
        assert f"警告:跳过 {rel(office, ids['in_progress'])}: ".encode() in proc.stderr
        assert b"not UTF-8" in proc.stderr
    proc = cli(office, "bulletin", "--period", "2026-11", "--out", str(office.root.parent / "b"))
    assert proc.returncode == 0 and b"not UTF-8" in proc.stderr, proc.stderr.decode()
    proc = cli(office, "show", ids["in_progress"])
    assert "not UTF-8" in one_line_error(proc, 1)


# ---- item 2: extreme dates -----------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["new", "--channel", "phone", "--name", "a", "--contact", "13800138000", "--complainant-class", "owner",
     "--category", "other", "--subject", "s", "--details", "d", "--received-at", "9999-12-31"],
    ["due", "--as-of", "0001-01-01T00:00:00+14:00"],
    ["sweep", "--as-of", "9999-12-31T23:59:59"],
    ["list", "--since", "0001-01-01"],
    ["report", "--period", "9999"],
    ["register", "--week", "9999-W52"],
    ["due", "--within", "99999999d"],
], ids=["new", "due", "sweep", "list", "report", "register", "within"])
def test_extreme_dates_are_usage_errors(states: States, args: list[str]) -> None:
    office, _ = states
    before = state(office)
    one_line_error(cli(office, *args), 2)
    assert state(office) == before


def test_extend_and_plan_refuse_dates_outside_the_range(states: States) -> None:
    office, ids = states
    before = state(office)
    one_line_error(cli(office, "extend", ids["in_progress"], "--until", "9999-12-31", "--reason", "x"), 2)
    one_line_error(cli(office, "plan", ids["in_progress"], "--resolver", "李工", "--measures", "m",
                       "--due", "2026-02-30"), 2)
    assert state(office) == before


# ---- item 3: amounts and shares --------------------------------------------------------------

def test_bad_amounts_are_refused_and_show_json_is_always_json(states: States) -> None:
    office, ids = states
    before = state(office)
    case_id = ids["in_progress"]
    for bad in (["--compensation", "-100"], ["--share", "5"], ["--loss", "nan"], ["--loss", "-inf"],
                ["--compensation", "1e400"]):
        err = one_line_error(cli(office, "resolve", case_id, "--outcome", "repair", "--summary", "x", *bad), 2)
        assert bad[0] in err
    assert state(office) == before
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "x", "--compensation", "100",
               "--share", "0.5", "--loss", "0")
    data = json.loads(cli(office, "show", case_id, "--json").stdout)  # strict JSON: no NaN
    assert data["resolution"]["share"] == 0.5
    # A NaN that got in with --no-verify: never printed, the file is named instead.
    office.hand_edit(case_id, "share: 0.5", "share: .nan")
    git(office, "commit", "-qam", "nan", "--no-verify")
    err = one_line_error(cli(office, "show", case_id, "--json"), 1)
    assert "not a finite number" in err


# ---- item 4: hostile hand-edited case files at every layer -------------------------------------

def _plant_hostile(office: Office, ids: dict[str, str]) -> dict[str, str]:
    """Each hostile edit in its own spare case file (conftest.clone_cases), plus stray files;
    returns path -> what its finding must say."""
    spare = [v for k, v in ids.items() if "#" in k and not k.startswith("invalid")]
    expected: dict[str, str] = {}
    for name, (edit, says) in HOSTILE.items():
        for case_id in list(spare):
            try:
                data = edit(office.path(case_id).read_text(encoding="utf-8"))
            except AssertionError:
                continue
            office.path(case_id).write_bytes(data)
            spare.remove(case_id)
            expected[rel(office, case_id)] = says
            break
        else:
            raise AssertionError(f"no spare case for {name}")
    for stray in ("cases/2026/11/notes.yml", "cases/2026/11/SZ-2611-0999.YAML"):
        (office.root / stray).write_text("garbage: [\n", encoding="utf-8")
        expected[stray] = "cases/ 下只能存放案件文件"
    return expected


def _assert_named(out: str, expected: dict[str, str], prefix: str = "") -> None:
    assert "Traceback" not in out and "internal error" not in out, out
    for path, says in expected.items():
        lines = [line for line in out.splitlines() if f"{prefix}{path}: " in line and "R-WF" in line]
        assert lines, f"{path} not named in:\n{out[:3000]}"
        assert any(says in line for line in lines), (path, says, lines)


def test_pre_commit_refuses_every_hostile_file_with_its_line(states: States) -> None:
    office, ids = states
    expected = _plant_hostile(office, ids)
    git(office, "add", "-A", "cases")
    start = time.monotonic()
    proc = run(office.root, "git", "commit", "-q", "-m", "hostile")
    assert time.monotonic() - start < 30
    assert proc.returncode == 1
    out = proc.stderr.decode()
    _assert_named(out, expected, "complaintctl: ")
    assert "line " in out


def test_pre_receive_validate_and_reads_handle_every_hostile_file(states: States) -> None:
    office, ids = states
    expected = _plant_hostile(office, ids)
    git(office, "add", "-A", "cases")
    git(office, "commit", "-qm", "hostile", "--no-verify")
    proc = run(office.root, "git", "push", "-q", "origin", "main")
    assert proc.returncode != 0
    _assert_named(proc.stderr.decode(), expected)
    proc = cli(office, "validate")
    assert proc.returncode == 1
    _assert_named(proc.stderr.decode(), expected)
    proc = cli(office, "list")
    assert proc.returncode == 0, proc.stderr.decode()
    err = proc.stderr.decode()
    for path in expected:
        assert f"警告:跳过 {path}: " in err, (path, err)


def test_reader_is_bounded_and_strict(states: States) -> None:
    """The limits come from the policy: a smaller timeline limit refuses a shorter timeline."""
    office, ids = states
    assert cli(office, "list").returncode == 0  # the read index caches every record
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "limits:\n  timeline_entries: 3\n", encoding="utf-8")
    proc = cli(office, "validate")
    assert b"more than 3 timeline entries (the policy's limits.timeline_entries)" in proc.stderr
    proc = cli(office, "list")  # not served from the cache filled under the old limits
    assert f"警告:跳过 {rel(office, ids['closed'])}: ".encode() in proc.stderr
    policy.write_text(policy.read_text(encoding="utf-8").replace("timeline_entries: 3", "timeline_entries: 0"),
                      encoding="utf-8")
    err = one_line_error(cli(office, "list"), 1)
    assert "limits.timeline_entries: expected a whole number from 1 to 100000" in err


# ---- item 5: symlinks and special files under cases/ --------------------------------------------

def test_symlinks_are_refused_by_the_hooks_and_never_followed(states: States, tmp_path: Path) -> None:
    office, ids = states
    secret = tmp_path / "secret.yaml"
    secret.write_text(office.path(ids["received"]).read_text(encoding="utf-8").replace("王女士", "SECRET"),
                      encoding="utf-8")
    link = office.root / "cases/2026/11/SZ-2611-0888.yaml"
    link.symlink_to(secret)
    git(office, "add", rel(office, "SZ-2611-0888"))
    proc = run(office.root, "git", "commit", "-q", "-m", "link")
    assert proc.returncode == 1 and "是符号链接".encode() in proc.stderr, proc.stderr.decode()  # the office's language
    git(office, "commit", "-qm", "link", "--no-verify")
    proc = run(office.root, "git", "push", "-q", "origin", "main")
    assert proc.returncode != 0 and "是符号链接".encode() in proc.stderr
    assert "symbolic link" in one_line_error(cli(office, "show", "SZ-2611-0888"), 1)
    proc = cli(office, "list", "--json")
    assert proc.returncode == 0 and b"SECRET" not in proc.stdout
    assert "警告:跳过 cases/2026/11/SZ-2611-0888.yaml".encode() in proc.stderr
    # A symlink to a FIFO (and a FIFO itself): nothing hangs.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link.unlink()
    link.symlink_to(fifo)
    os.mkfifo(office.root / "cases/2026/11/SZ-2611-0889.yaml")
    for args in (["validate"], ["list"], ["show", "SZ-2611-0888"], ["show", "SZ-2611-0889"], ["report",
                                                                                         "--period", "2026-11"]):
        proc = cli(office, *args, timeout=30)
        assert b"Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr.decode()
    assert "is not a regular file" in one_line_error(cli(office, "show", "SZ-2611-0889", timeout=30), 1)
    proc = cli(office, "validate", timeout=30)
    assert b"SZ-2611-0888.yaml: (file): R-WF: is a symbolic link" in proc.stderr


# ---- item 6: a person's own git beside the tool ---------------------------------------------------

@pytest.fixture
def status_loop(states: States) -> Iterator[None]:
    """A person running `git status` over and over in the same clone (it takes index.lock)."""
    office, _ = states
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            subprocess.run(["git", "status", "--porcelain"], cwd=office.root, capture_output=True, timeout=T)
            (office.root / ".git" / "index").touch()  # stale stat data: every status rewrites the index

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(T)


def test_new_beside_a_git_status_loop_never_fails(states: States, status_loop: None) -> None:
    office, _ = states
    for i in range(6):
        proc = cli(office, "new", "--channel", "phone", "--name", f"客户{i}", "--contact", "13800138000",
                   "--complainant-class", "owner", "--category", "other", "--subject", f"灯不亮 {i}",
                   "--details", "d")
        assert proc.returncode == 0, proc.stderr.decode()
    assert git(office, "status", "--porcelain") == ""


@pytest.mark.parametrize("held", ["index.lock", "refs/heads/main.lock"])
def test_a_lock_that_stays_is_reported_in_our_words(states: States, held: str) -> None:
    """Our commit goes through a temporary index, so a person's index.lock does not even stop it
    (the real index is brought up to date once the lock is gone); the branch's lock does."""
    office, ids = states
    lock = office.root / ".git" / held
    lock.write_text("", encoding="utf-8")
    env = {**os.environ, "COMPLAINTCTL_GIT_LOCK_WAIT": "1"}
    before = state(office)
    proc = run(office.root, sys.executable, "-m", "complaintctl", "note", ids["in_progress"], "x", env=env)
    if held == "index.lock":
        assert proc.returncode == 0, proc.stderr.decode()
        lock.unlink()
        proc = cli(office, "list")
        assert b"the index is up to date again" in proc.stderr, proc.stderr.decode()
        assert git(office, "status", "--porcelain", "--untracked-files=all") == ""
        return
    err = one_line_error(proc, 1)
    assert "main.lock stayed locked for 1 s" in err and "another git process" in err
    lock.unlink()
    assert state(office) == before
    # Held for a moment only: waited for, not an error.
    lock.write_text("", encoding="utf-8")
    threading.Timer(1.0, lock.unlink).start()
    proc = cli(office, "note", ids["in_progress"], "x")
    assert proc.returncode == 0, proc.stderr.decode()


def hooks_dir(office: Office) -> Path:
    """Where git runs this clone's hooks from (complaintctl installs them there)."""
    return office.root / git(office, "rev-parse", "--git-path", "hooks").strip()


def test_a_refused_commit_leaves_nothing_staged_and_no_orphan(states: States) -> None:
    office, ids = states
    hook = hooks_dir(office) / "pre-commit"  # an office's own, stricter pre-commit hook
    hook.write_text("#!/bin/sh\necho 'office hook: refused' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    before = state(office)
    for args in (["note", ids["in_progress"], "x"], ["new", "--channel", "phone", "--name", "a", "--contact",
                                                       "13800138000", "--complainant-class", "owner", "--category",
                                                       "other", "--subject", "s", "--details", "d"]):
        proc = cli(office, *args)
        assert proc.returncode == 1 and b"office hook: refused" in proc.stderr, proc.stderr.decode()
        assert state(office) == before


# ---- item 7: killed mid-commit, full disk -------------------------------------------------------------

def _slow_hook(office: Office, which: str, marker: Path) -> None:
    """A hook that hangs once armed (git runs post-commit even for --no-verify commits)."""
    armed = marker.with_name("armed")
    hook = hooks_dir(office) / which
    hook.write_text(f"#!/bin/sh\n[ -e '{armed}' ] || exit 0\ntouch '{marker}'\nsleep 60\n", encoding="utf-8")
    hook.chmod(0o755)
    armed.touch()


def _kill_during(office: Office, marker: Path, *args: str) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "complaintctl", *args], cwd=office.root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + T
        while not marker.exists():
            assert time.monotonic() < deadline and proc.poll() is None, "the hook never ran"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(T)


@pytest.mark.parametrize("which", ["pre-commit", "post-commit"])
def test_killed_during_the_commit_the_next_command_recovers(states: States, tmp_path: Path, which: str) -> None:
    office, ids = states
    marker = tmp_path / "hook-ran"
    _slow_hook(office, which, marker)
    head = git(office, "rev-parse", "HEAD")
    _kill_during(office, marker, "new", "--channel", "phone", "--name", "a", "--contact", "13800138000",
                 "--complainant-class", "owner", "--category", "other", "--subject", "被杀", "--details", "d")
    (tmp_path / "armed").unlink()  # the hook stays, disarmed
    proc = cli(office, "note", ids["in_progress"], "next command")
    assert proc.returncode == 0, proc.stderr.decode()
    err = proc.stderr.decode()
    found = re.search(r"recovered: an interrupted command had (not )?committed (SZ-2611-\d{4})", err)
    assert found, err
    case_id = found[2]
    if which == "pre-commit":  # killed before the commit: undone
        assert found[1] and "put back as it was" in err
        assert git(office, "rev-list", "--count", f"{head.strip()}..HEAD").strip() == "1"  # the note
        assert not office.path(case_id).exists()
    else:  # killed after the commit: finished
        assert not found[1] and "the index is up to date again" in err
        assert "被杀" in office.path(case_id).read_text(encoding="utf-8")
    assert git(office, "status", "--porcelain", "--untracked-files=all") == ""
    assert cli(office, "validate").returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True,
                          timeout=T)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=T)


def _fill(disk: Path, leave: int) -> Path:
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        chunk = b"\0" * 4096
        try:
            while True:
                fh.write(chunk)
        except OSError:
            pass
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    os.truncate(filler, max(0, os.path.getsize(filler) - max(0, leave - free)))
    return filler


# 16-128 KiB free: the read index's COMMIT found the disk full and SQLite rolled back by itself;
# the index's own ROLLBACK then failed ("cannot rollback - no transaction is active", exit 3).
@pytest.mark.parametrize("leave", [0, 16384, 65536, 131072])
def test_a_full_disk_leaves_nothing_behind(small_disk: Path, leave: int) -> None:
    root = small_disk / "office"
    proc = run(small_disk, sys.executable, "-m", "complaintctl", "init", str(root), "--preset", "property",
               "--office", "SZ")
    assert proc.returncode == 0, proc.stderr.decode()
    office = Office(root)
    new = ["new", "--channel", "phone", "--name", "a", "--contact", "13800138000", "--complainant-class", "owner",
           "--category", "other", "--subject", "满了", "--details", "d" * 3000]
    assert cli(office, *new).returncode == 0
    before = state(office)
    filler = _fill(small_disk, leave)
    proc = cli(office, *new)
    filler.unlink()
    err = proc.stderr.decode()
    if proc.returncode == 0:  # enough room once the read index moved to memory: recorded, nothing broken
        assert "已登记" in proc.stdout.decode() and state(office) != before
        assert git(office, "status", "--porcelain", "--untracked-files=all") == ""
        return
    assert proc.returncode == 1 and "Traceback" not in err and "内部错误" not in err, err
    assert "cannot rollback" not in err and len(err.strip().splitlines()) == 1, err
    assert "磁盘空间已满" in err, err  # in the office's language
    assert state(office) == before
    proc = cli(office, *new)
    assert proc.returncode == 0, proc.stderr.decode()
    assert git(office, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_broken_read_index_is_no_crash(states: States) -> None:
    """A file that is not a database where the read index lives: the index lives in memory for
    this run and the command works."""
    office, ids = states
    for p in (office.root / ".git" / "complaintctl").glob("index.sqlite*"):
        p.unlink()
    (office.root / ".git" / "complaintctl" / "index.sqlite").write_bytes(b"not a database " * 512)
    proc = cli(office, "list")
    assert proc.returncode == 0 and ids["received"] in proc.stdout.decode(), proc.stderr.decode()


def test_any_sqlite_error_of_the_read_index_is_a_one_line_refusal(states: States,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever SQLite says (here: a malformed database, raised where the index is opened), the
    command ends in the usual one-line refusal in the office's language (exit 1), not exit 3."""
    import sqlite3

    from complaintctl.repo import index

    office, ids = states

    def broken(*args: object, **kwargs: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(index, "open_index", broken)
    before = state(office)
    result = office.run("list", ok=False)
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [
        "错误:读取索引(.git/complaintctl/index.sqlite)出错:database disk image is malformed——它只保存由仓库导出的数据:"
        "删除该文件(会自动重建)后重新运行命令"], result.output
    assert state(office) == before


# ---- list | head ------------------------------------------------------------------------------------

def test_list_and_show_into_head_exit_quietly(tmp_path: Path) -> None:
    repo = tmp_path / "sample"  # the sample office in this repository: 300 cases
    subprocess.run(["git", "clone", "-q", str(Path(__file__).resolve().parents[2]), str(repo)], check=True,
                   timeout=T)
    for args in ("list", "show SZ-2610-0001", "list --json"):
        for _ in range(3):
            proc = subprocess.run(f"{sys.executable} -m complaintctl -C {repo} {args} | head -1; "
                                  "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash",
                                  capture_output=True, timeout=T)
            assert proc.returncode == 0, proc.stderr.decode()
            assert proc.stderr == b"", proc.stderr.decode()
