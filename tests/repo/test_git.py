"""The git module on a real repository: large stagings that no argument list could carry."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from complaintctl.repo.git import Git


def _repo(tmp_path: Path) -> Git:
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True, timeout=60)
    return Git.open(tmp_path)


def test_commits_thousands_of_paths_and_a_huge_message(tmp_path: Path) -> None:
    # A sweep over 10,000 cases stages thousands of files in one commit whose message has a
    # Case: trailer per case: far past the kernel's argument limits (2 MiB, 128 KiB per arg).
    g = _repo(tmp_path)
    deep = tmp_path / ("d" * 200) / ("e" * 200)
    deep.mkdir(parents=True)
    paths = []
    for i in range(4000):
        name = f"{i:05d}" + "f" * 190 + ".yaml"
        (deep / name).write_text(f"n: {i}\n", encoding="utf-8")
        paths.append(str((deep / name).relative_to(tmp_path)))
    assert sum(len(p) + 1 for p in paths) > 2 * 1024 * 1024
    message = "sweep: 4000 cases\n\n" + "".join(f"Case: SZ-2610-{i:04d}\n" for i in range(4000)) + "x" * 140_000
    sha = g.add_and_commit(paths, message)
    out = subprocess.run(["git", "show", "--stat", "--format=%B", sha], cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout
    assert "Case: SZ-2610-3999" in out and "4000 files changed" in out


def test_unstage_puts_back_many_paths(tmp_path: Path) -> None:
    g = _repo(tmp_path)
    (tmp_path / "keep").write_text("k\n", encoding="utf-8")
    g.add_and_commit(["keep"], "first")
    names = [f"{i:04d}-" + "g" * 200 for i in range(200)]
    for n in names:
        (tmp_path / n).write_text("x\n", encoding="utf-8")
    subprocess.run(["git", "add", "--", *names], cwd=tmp_path, check=True)
    g.unstage(names)
    assert g.staged_paths() == []


PACKAGE = Path(__file__).resolve().parents[2] / "complaintctl"
RUNNER = PACKAGE / "repo" / "git" / "runner.py"


def _broken(g: Git, tmp_path: Path) -> Git:
    """The same repository with its .git pointing nowhere: every git call there fails (128)."""
    gone = tmp_path / "moved-away"
    (tmp_path / ".git").rename(gone)
    (tmp_path / ".git").write_text(f"gitdir: {tmp_path / 'nowhere'}\n", encoding="utf-8")
    return g


def test_only_the_git_runner_starts_git() -> None:
    # Every git call goes through repo/git/runner.py, where its exit status is checked; a module
    # that starts another program (a browser printing a PDF) never names git.
    starters = ("subprocess", "os.system", "os.popen", "os.exec", "os.spawn", "pty.spawn")
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path != RUNNER and any(s in text for s in starters) and re.search(r"""["']git["']""", text):
            found.append(str(path.relative_to(PACKAGE)))
    assert found == []


def test_cat_file_stream_checks_gits_exit_status(tmp_path: Path) -> None:
    from complaintctl.errors import GitError

    g = _repo(tmp_path)
    (tmp_path / "a.txt").write_text("A\n", encoding="utf-8")
    g.add_and_commit(["a.txt"], "first")
    blob = g.ls_blobs("a.txt")["a.txt"]
    assert list(g.cat_file_batch([blob, "0" * 40])) == [(blob, b"A\n", 2), ("0" * 40, None, 0)]
    # git failing is no "missing object": the stream ends in a GitError, not in silence
    _broken(g, tmp_path)
    with pytest.raises(GitError, match="cat-file"):
        list(g.cat_file_batch([blob]))


def test_show_tells_absent_from_a_failing_git(tmp_path: Path) -> None:
    from complaintctl.errors import GitError

    g = _repo(tmp_path)
    assert g.show("HEAD", "a.txt") is None  # no commit yet
    (tmp_path / "a.txt").write_text("A\n", encoding="utf-8")
    g.add_and_commit(["a.txt"], "first")
    (tmp_path / "a.txt").write_text("B\n", encoding="utf-8")
    subprocess.run(["git", "add", "a.txt"], cwd=tmp_path, check=True, timeout=60)
    assert (g.show("HEAD", "a.txt"), g.show(":", "a.txt"), g.show("HEAD", "b.txt")) == ("A\n", "B\n", None)
    _broken(g, tmp_path)
    with pytest.raises(GitError):
        g.show("HEAD", "a.txt")
    with pytest.raises(GitError):
        g.has_head()


def test_fast_import_failure_is_a_git_error(tmp_path: Path) -> None:
    from complaintctl.errors import GitError

    g = _repo(tmp_path)
    with pytest.raises(GitError, match="fast-import"), g.fast_import() as stream:
        stream.write(b"not a fast-import command\n")
    assert not g.has_head()
