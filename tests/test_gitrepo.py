"""The git module on a real repository: large stagings that no argument list could carry."""

from __future__ import annotations

import subprocess
from pathlib import Path

from complaintctl.repo.git import Git


def _repo(tmp_path: Path) -> Git:
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
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
