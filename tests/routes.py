"""Hand edits of a case file, tried by every way a change can enter the record.

`edit` is the CLI (`complaintctl edit` with $EDITOR), `commit` is a plain `git commit`
through the installed pre-commit hook, `push` is a `git commit --no-verify` pushed to a
bare repository whose pre-receive hook comes from hooks/. Each must refuse a bad edit,
name file, field and rule, and leave the record as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.case import dump_document, load_document
from tests.conftest import Office

ROUTES = ("edit", "commit", "push")
HAND_ROUTES = ("commit", "push")  # for changes `edit` cannot make (new files, moves)


def edited(office: Office, case_id: str, change: Callable[[CommentedMap], Any]) -> str:
    """The case file's text after `change` (which edits the round-trip document in place)."""
    path = office.path(case_id)
    doc = load_document(path.read_text(encoding="utf-8"), str(path))
    change(doc)
    return dump_document(doc)


def snapshot(office: Office) -> tuple[str, str]:
    return office.git("rev-parse", "HEAD").stdout.strip(), office.git("status", "--porcelain").stdout


def remote_head(office: Office) -> str:
    url = office.git("remote", "get-url", "origin").stdout.strip()
    return office.git("--git-dir", url, "rev-parse", "main").stdout.strip()


def refused(route: str, office: Office, relpath: str, text: str, monkeypatch: pytest.MonkeyPatch,
            case_id: str = "") -> str:
    """Try to record `text` at `relpath` by `route`; assert it is refused; return what was said."""
    before = snapshot(office)
    if route == "edit":
        replacement = office.root.parent / "replacement.yaml"
        replacement.write_text(text, encoding="utf-8")
        monkeypatch.setenv("EDITOR", f"cp {replacement}")
        result = office.run("edit", case_id, ok=False)
        assert result.exit_code == 1, result.output
        assert "not committed" in result.output, result.output  # the CLI's own validator spoke, not the hook
        assert snapshot(office) == before, "a refused edit must leave the repository as it was"
        return result.output
    path = office.root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    office.git("add", "--", relpath)
    if route == "commit":
        proc = office.git("commit", "-q", "-m", "hand edit", check=False)
        assert proc.returncode != 0, "the pre-commit hook let a bad case file through"
        assert "commit refused" in proc.stderr, proc.stderr
        assert office.git("rev-parse", "HEAD").stdout.strip() == before[0]
        return proc.stderr
    assert route == "push", route
    office.git("commit", "-q", "--no-verify", "-m", "hand edit")
    remote_before = remote_head(office)
    proc = office.git("push", "-q", "origin", "main", check=False)
    assert proc.returncode != 0, "the pre-receive hook let a bad case file through"
    assert "push refused" in proc.stderr, proc.stderr
    assert remote_head(office) == remote_before
    return proc.stderr


def accepted(route: str, office: Office, relpath: str, text: str, monkeypatch: pytest.MonkeyPatch,
             case_id: str = "") -> None:
    """The same routes for a good edit: it must go through."""
    if route == "edit":
        replacement = office.root.parent / "replacement.yaml"
        replacement.write_text(text, encoding="utf-8")
        monkeypatch.setenv("EDITOR", f"cp {replacement}")
        office.run("edit", case_id)
        return
    (office.root / relpath).write_text(text, encoding="utf-8")
    office.git("add", "--", relpath)
    if route == "commit":
        office.git("commit", "-q", "-m", "hand edit")
        return
    office.git("commit", "-q", "--no-verify", "-m", "hand edit")
    office.git("push", "-q", "origin", "main")


def rel(path: Path, office: Office) -> str:
    return path.relative_to(office.root).as_posix()
