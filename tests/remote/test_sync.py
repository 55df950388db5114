"""`complaintctl sync` against a real `git daemon`: concurrency, renumbering, conflicts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from complaintctl.model.case import load_plain
from tests.conftest import Office
from tests.remotes import NEW_ARGS, cli_proc, clone, daemon_fixture, git, group_fixture, refs, remote_cases  # noqa: F401 (fixtures)


def _work(root: Path, tag: str, count: int, env: dict[str, str] | None = None) -> list[str]:
    out = []
    for i in range(count):
        p = cli_proc(root, *NEW_ARGS, "--subject", f"{tag}-{i}", env=env)
        assert p.returncode == 0, p.stderr
        out.append(p.stdout.split()[0])
    p = cli_proc(root, "sync", env=env)
    assert p.returncode == 0, p.stderr
    return out


def test_three_clones_create_concurrently_and_every_case_reaches_the_remote(
        daemon: Callable[[str | None], str], group: Path, tmp_path: Path) -> None:
    url = daemon("sun")  # an HQ account that relays every office's commits (acts_for: ["*"])
    clones = [clone(url, tmp_path / "sz-a"), clone(url, tmp_path / "sz-b"), clone(url, tmp_path / "gz", "GZ")]
    gz_staff = {**os.environ, "GIT_AUTHOR_NAME": "周华", "GIT_AUTHOR_EMAIL": "zhouhua@example.com",
                "GIT_COMMITTER_NAME": "周华", "GIT_COMMITTER_EMAIL": "zhouhua@example.com"}  # GZ's own staff
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(_work, c.root, c.root.name, 2, gz_staff if c.root.name == "gz" else None)
                   for c in clones]
        local_ids = [f.result() for f in futures]
    for c in clones:  # whoever synced first has not seen the others yet
        p = cli_proc(c.root, "sync", env=gz_staff if c.root.name == "gz" else None)
        assert p.returncode == 0, p.stderr
    paths = remote_cases(group)
    ids = [Path(p).stem for p in paths]
    assert len(ids) == 6 and len(set(ids)) == 6, ids
    subjects = set()
    for p in paths:
        data = load_plain(git(group, "show", f"main:{p}"), p)
        assert data["id"] == Path(p).stem
        subjects.add(data["intake"]["subject"])
    assert subjects == {f"{c.root.name}-{i}" for c in clones for i in range(2)}  # nothing lost
    assert sorted(i for i in ids if i.startswith("GZ-")) == ["GZ-2611-0001", "GZ-2611-0002"]
    assert sorted(i for i in ids if i.startswith("SZ-")) == [f"SZ-2611-000{n}" for n in range(1, 5)]
    assert len(local_ids) == 3
    for c in clones:  # every clone ends on the remote's main
        assert git(c.root, "rev-parse", "HEAD") == git(group, "rev-parse", "main")
        assert c.run("validate").output.strip() == "6 个案件文件全部有效"


def test_sync_renumbers_an_offline_duplicate_and_rewrites_references(
        daemon: Callable[[str | None], str], group: Path, tmp_path: Path) -> None:
    url = daemon("zhangmin")  # a correction is role-gated: the server must know who pushes it
    a, b = clone(url, tmp_path / "a"), clone(url, tmp_path / "b")
    first_a = a.new(subject="A 的投诉")
    assert a.run("sync").exit_code == 0
    first_b = b.new(subject="B 的投诉")
    second_b = b.new(subject="B 的重复投诉")
    assert first_a == first_b == "SZ-2611-0001" and second_b == "SZ-2611-0002"
    # R-AS-5: B's second case repeats its first — a reference sync must carry along. The link
    # is an authorised correction (issue 9), unless intake already made it.
    path = b.path(second_b)
    if "SZ-2611-0001" not in path.read_text(encoding="utf-8"):
        b.run("correct", second_b, "--field", "assessment.repeat_of", "--value", "SZ-2611-0001",
              "--reason", "同一业主再次投诉")
    result = b.run("sync")
    assert "已重新编号 SZ-2611-0001 → SZ-2611-0003" in result.output
    assert "已更新引用它的案件 SZ-2611-0002" in result.output
    # the renumbering is a visible commit with trailers
    log = git(group, "log", "--format=%s", "main")
    assert "改号 SZ-2611-0001 → SZ-2611-0003" in log.splitlines()
    body = git(group, "log", "--format=%B", "--grep=^Renumbered-From:", "main")
    assert "Renumbered-From: SZ-2611-0001" in body and "Reference-Updated: SZ-2611-0002" in body
    # both complaints are on the remote, each under its own number, nothing lost
    def remote(cid: str) -> dict[str, object]:
        return load_plain(git(group, "show", f"main:cases/2026/11/{cid}.yaml"), cid)
    assert remote("SZ-2611-0001")["intake"]["subject"] == "A 的投诉"  # type: ignore[index]
    moved = remote("SZ-2611-0003")
    assert moved["id"] == "SZ-2611-0003" and moved["intake"]["subject"] == "B 的投诉"  # type: ignore[index]
    assert moved["timeline"][-1]["action"] == "renumber"  # type: ignore[index]
    assert moved["timeline"][-1]["old_id"] == "SZ-2611-0001"  # type: ignore[index]
    assert remote("SZ-2611-0002")["assessment"]["repeat_of"] == ["SZ-2611-0003"]  # type: ignore[index]
    assert b.run("validate").output.strip() == "3 个案件文件全部有效"
    assert a.run("sync").output.startswith("同步:快进合并")
    assert not b.path("SZ-2611-0003").read_text(encoding="utf-8").count("SZ-2611-0001 —")


def test_notes_on_one_case_in_two_clones_are_both_kept(
        daemon: Callable[[str | None], str], group: Path, tmp_path: Path) -> None:
    """Issue 11 §4 over git daemon: the same case changed in two clones is merged, not refused
    (tests/test_sync_merge.py has the conflicts and the race)."""
    url = daemon(None)
    a = clone(url, tmp_path / "a")
    case_id = a.new()
    a.run("sync")
    b = clone(url, tmp_path / "b")
    a.run("note", case_id, "A: 已联系业主")
    a.run("sync")
    b.run("note", case_id, "B: 已派工程部")
    assert b.run("sync").output.startswith("同步:已合并")
    rel = f"cases/2026/11/{case_id}.yaml"
    text = git(group, "show", f"main:{rel}")
    assert text.index("A: 已联系业主") < text.index("B: 已派工程部")  # the same second: the remote's first
    assert b.git("status", "--porcelain").stdout == ""
    assert a.run("sync").output.startswith("同步:快进合并")


def test_eight_processes_number_new_cases_distinctly(office: Office) -> None:
    env = {**os.environ, "COMPLAINTCTL_NOW": "2026-11-22T10:00:00+08:00"}
    procs = [subprocess.Popen([sys.executable, "-m", "complaintctl", "-C", str(office.root), *NEW_ARGS,
                               "--subject", f"并发 {i}"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(8)]
    outs = [p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    ids = [out.split()[0] for out, _ in outs]
    assert sorted(ids) == [f"SZ-2611-{n:04d}" for n in range(1, 9)]
    log = office.git("log", "--format=%s").stdout
    assert sorted(line.split(":")[0] for line in log.splitlines() if ": 已受理 — 并发" in line) == sorted(ids)
    assert office.git("status", "--porcelain").stdout == ""
    assert len(list((office.root / "cases" / "2026" / "11").glob("*.yaml"))) == 8


def test_sync_retries_when_another_office_pushes_first(
        daemon: Callable[[str | None], str], group: Path, tmp_path: Path) -> None:
    url = daemon(None)
    a, b = clone(url, tmp_path / "a"), clone(url, tmp_path / "b")
    assert a.new(subject="A 抢先") == b.new(subject="B 的") == "SZ-2611-0001"
    # A race, made certain: just before B's push goes out, A's push lands (once).
    hooks = tmp_path / "b-hooks"
    hooks.mkdir()
    shutil.copy2(b.root / ".git" / "hooks" / "pre-commit", hooks / "pre-commit")
    (hooks / "pre-push").write_text(
        "#!/bin/sh\ncat >/dev/null\n"
        f"if [ ! -e '{tmp_path}/raced' ]; then touch '{tmp_path}/raced'\n"
        f"  env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE git -C '{a.root}' push -q origin main >&2 || exit 1\n"
        "fi\n", encoding="utf-8")
    (hooks / "pre-push").chmod(0o755)
    b.git("config", "core.hooksPath", str(hooks))
    result = b.run("sync")
    assert (tmp_path / "raced").exists()
    assert "(尝试 2 次)" in result.output
    assert "已重新编号 SZ-2611-0001 → SZ-2611-0002" in result.output
    assert sorted(Path(p).stem for p in remote_cases(group)) == ["SZ-2611-0001", "SZ-2611-0002"]


def test_backoff_waits_with_full_jitter_up_to_two_seconds() -> None:
    from complaintctl.remote.sync import Backoff

    asked: list[tuple[float, float]] = []
    backoff = Backoff(uniform=lambda lo, hi: asked.append((lo, hi)) or hi)
    assert [backoff.delay(k) for k in (1, 2, 3, 4, 5, 9)] == [0.2, 0.4, 0.8, 1.6, 2.0, 2.0]
    assert all(lo == 0.0 for lo, _ in asked)  # full jitter: anywhere from no wait at all


def test_sync_backs_off_after_each_lost_race_and_gives_up_only_past_its_budget(
        daemon: Callable[[str | None], str], group: Path, tmp_path: Path) -> None:
    """Every push of B loses to a push of A (a pre-push hook pushes A first): B waits a jittered,
    growing time after each loss, and stops only when the next wait would overrun its budget —
    with its case kept, unpushed, and every push of A on the remote."""
    import pytest

    from complaintctl.errors import RepoStateError
    from complaintctl.model.clock import current
    from complaintctl.remote.sync import Backoff, sync
    from complaintctl.repo.git import Identity
    from complaintctl.repo.workspace import open_workspace

    url = daemon(None)
    a, b = clone(url, tmp_path / "a"), clone(url, tmp_path / "b")
    mine = b.new(subject="B 的")
    hooks = tmp_path / "b-hooks"
    hooks.mkdir()
    shutil.copy2(b.root / ".git" / "hooks" / "pre-commit", hooks / "pre-commit")
    (hooks / "pre-push").write_text(
        "#!/bin/sh\ncat >/dev/null\n"
        f"env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE sh -c \"git -C '{a.root}' commit -q --allow-empty "
        f"--no-verify -m 'A again' && git -C '{a.root}' push -q origin main\" >&2 || exit 1\n", encoding="utf-8")
    (hooks / "pre-push").chmod(0o755)
    b.git("config", "core.hooksPath", str(hooks))
    slept: list[float] = []
    clock = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    backoff = Backoff(budget=1.0, sleep=sleep, clock=lambda: clock[0], uniform=lambda lo, hi: hi)
    ws = open_workspace(b.root)
    with pytest.raises(RepoStateError, match="kept moving: gave up after 3 attempts"):
        sync(ws, current(ws.policy.tz), Identity("张敏", "zhangmin@example.com"), backoff=backoff)
    assert slept == [0.2, 0.4]  # the third wait (0.8 s) would pass the 1 s budget
    pushed_by_a = git(a.root, "rev-parse", "main")
    assert git(group, "rev-parse", "main") == pushed_by_a  # every push of A landed
    assert (b.root / "cases" / "2026" / "11").glob("*.yaml") and b.path(mine).exists()  # nothing lost
