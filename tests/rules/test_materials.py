"""Kept originals (R-IN-1, issue 14): a case's attachments live at materials/YYYY/MM/ID/FILE,
come in with the case that lists their SHA-256, and never change or go — except that sync's
renumbering moves them with the case. Refused by pre-commit and, for a `--no-verify` commit,
by pre-receive; accepted when sync renumbers."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Office
from tests.mails import PHOTO, PHOTO_NAME, gbk_with_photo, write_eml
from tests.remotes import clone

NOW = "2026-11-22T17:30:00+08:00"
IMPORT = ("--yes", "--complainant-class", "owner", "--category", "work-efficiency")
KEPT = f"materials/2026/11/SZ-2611-0001/{PHOTO_NAME}"


def refused_everywhere(office: Office, change: Callable[[], None], expect: str) -> None:
    """The change is refused by the pre-commit hook and, committed with --no-verify, by the server."""
    head = office.git("rev-parse", "HEAD").stdout
    change()
    office.git("add", "-A")
    proc = office.git("commit", "-q", "-m", "by hand", check=False)
    assert proc.returncode != 0 and expect in proc.stderr, proc.stderr
    assert office.git("rev-parse", "HEAD").stdout == head
    office.git("commit", "-q", "--no-verify", "-m", "by hand")
    proc = office.git("push", "-q", "origin", "main", check=False)
    assert proc.returncode != 0 and "推送被拒绝" in proc.stderr and expect in proc.stderr, proc.stderr
    office.git("reset", "-q", "--hard", "origin/main")


@pytest.fixture
def kept(office: Office, bare_remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Office:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    office.run("import", str(write_eml(tmp_path / "a.eml", gbk_with_photo())), *IMPORT)
    office.git("push", "-q", "origin", "main")  # the server accepts a case with its original
    return office


def test_kept_originals_cannot_be_added_changed_or_removed_by_hand(kept: Office) -> None:
    root = kept.root
    (root / "materials").mkdir(exist_ok=True)
    refused_everywhere(kept, lambda: (root / "materials/notes.txt").write_text("x", encoding="utf-8"),
                       "materials/notes.txt: (file): R-IN-1: materials/ 只存放案件留存的原件")
    refused_everywhere(kept, lambda: (root / "materials/2026/11/SZ-2611-0001/later.jpg").write_bytes(PHOTO),
                       "原件须在登记案件 SZ-2611-0001 的同一次提交中留存")
    refused_everywhere(kept, lambda: (root / KEPT).write_bytes(PHOTO + b"edited"),
                       f"{KEPT}: (file): R-IN-1: 留存的原件不得修改")
    refused_everywhere(kept, lambda: (root / KEPT).unlink(),
                       f"{KEPT}: (file): R-IN-1: 留存的原件不得删除")
    case = root / "cases/2026/11/SZ-2611-0001.yaml"
    text = case.read_text(encoding="utf-8")
    refused_everywhere(kept, lambda: case.write_text(text.replace(f"size: {len(PHOTO)}", "size: 1"), encoding="utf-8"),
                       "intake.attachments: R-IN-1: 已被修改")
    # a hand-made case that says it keeps a file it does not bring, or brings another one
    copy = text.replace("SZ-2611-0001", "SZ-2611-0002").replace("<20261122091500.1234@", "<other@")
    refused_everywhere(kept, lambda: (root / "cases/2026/11/SZ-2611-0002.yaml").write_text(copy, encoding="utf-8"),
                       f"已列出 '{PHOTO_NAME}',但同一次提交中没有 materials/2026/11/SZ-2611-0002/{PHOTO_NAME}")

    def wrong_file() -> None:
        (root / "cases/2026/11/SZ-2611-0002.yaml").write_text(copy, encoding="utf-8")
        (root / "materials/2026/11/SZ-2611-0002").mkdir(parents=True)
        (root / f"materials/2026/11/SZ-2611-0002/{PHOTO_NAME}").write_bytes(b"not the photo")

    refused_everywhere(kept, wrong_file, "或大小与案件 SZ-2611-0002 的记录")


def test_sync_renumbering_moves_the_originals_with_the_case(office: Office, bare_remote: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    other = clone(str(bare_remote), tmp_path / "other")
    office.run("import", str(write_eml(tmp_path / "a.eml", gbk_with_photo())), *IMPORT)  # SZ-2611-0001, offline
    assert other.new(subject="另一位业主的投诉") == "SZ-2611-0001"
    other.run("sync")
    out = office.run("sync").output
    assert "已重新编号 SZ-2611-0001 → SZ-2611-0002" in out
    moved = f"materials/2026/11/SZ-2611-0002/{PHOTO_NAME}"
    tree = office.git("-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", "origin/main",
                      "materials").stdout.split()
    assert tree == [moved]  # the server's hook accepted the move
    served = subprocess.run(["git", "show", f"main:{moved}"], cwd=bare_remote, capture_output=True, timeout=60)
    assert served.stdout == PHOTO
    assert (office.root / moved).read_bytes() == PHOTO and not (office.root / KEPT).exists()
    assert office.show_json("SZ-2611-0002")["intake"]["attachments"][0]["file"] == PHOTO_NAME
    assert office.run("validate").exit_code == 0
