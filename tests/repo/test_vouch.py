"""The pre-commit hook spares only our own validator, and only for the exact bytes a command has
just judged (issue 12): a token naming HEAD, the code, the policy and each file's blob. Every
other hook still runs; anything not vouched for is judged; the server judges everything."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from complaintctl.errors import GitError
from complaintctl.repo import cache, transaction, vouch
from complaintctl.repo.git import blob_id
from complaintctl.repo.transaction import FileWrite
from complaintctl.repo.workspace import Workspace, open_workspace
from tests.conftest import Office

States = tuple[Office, dict[str, str]]


@pytest.fixture(autouse=True)
def code_as_on_disk() -> None:
    """The token names the code version the hook will compute from the files on disk now."""
    cache.code_version.cache_clear()


@contextmanager
def judged(ws: Workspace, files: dict[str, str]) -> Iterator[None]:
    """The token a transaction writes while it commits, for these texts (as if judged)."""
    witness = vouch.witness(ws)
    assert witness is not None
    with vouch.vouching(ws.git, witness, ws.git.rev_parse("HEAD"), {p: blob_id(t) for p, t in files.items()}):
        yield


def commit(office: Office, message: str = "hand edit") -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "commit", "-q", "-m", message], cwd=office.root, capture_output=True, text=True,
                          timeout=120)


def test_other_hooks_still_run_for_a_command(states: States) -> None:
    office, ids = states
    marker = office.root / "commit-msg-ran"
    hooks_dir = Path(office.git("rev-parse", "--git-path", "hooks").stdout.strip())
    hook = (hooks_dir if hooks_dir.is_absolute() else office.root / hooks_dir) / "commit-msg"  # where git looks
    hook.write_text(f"#!/bin/sh\necho ran >> {marker}\n", encoding="utf-8")
    hook.chmod(0o755)
    office.run("note", ids["in_progress"], "客户来电询问进度")
    office.new()
    assert marker.read_text(encoding="utf-8").count("ran") == 2  # never --no-verify
    assert not (Path(office.git("rev-parse", "--git-dir").stdout.strip()) / vouch.TOKEN).exists()


def test_a_token_spares_exactly_the_blob_it_names(states: States) -> None:
    """A token vouching for a broken file's blob lets that blob through the hook — which is why
    only a command that judged it may write one — while the server still refuses it."""
    office, ids = states
    ws = open_workspace(office.root)
    case = ids["in_progress"]
    path = office.path(case)
    rel = str(path.relative_to(office.root))
    broken = path.read_text(encoding="utf-8").replace("status: in_progress", "status: closed")
    path.write_text(broken, encoding="utf-8")
    office.git("add", rel)
    refused = commit(office)
    assert refused.returncode != 0 and "R-CL-1" in refused.stderr  # judged: closed without a revisit
    with judged(ws, {rel: broken}):
        assert commit(office).returncode == 0  # spared: the token named this very blob
    pushed = subprocess.run(["git", "push", "-q", "origin", "main"], cwd=office.root, capture_output=True,
                            text=True, timeout=120)
    assert pushed.returncode != 0 and "R-CL-1" in pushed.stderr  # the server judges everything


def test_a_token_for_other_bytes_other_head_or_policy_spares_nothing(states: States) -> None:
    office, ids = states
    ws = open_workspace(office.root)
    path = office.path(ids["in_progress"])
    rel = str(path.relative_to(office.root))
    good = path.read_text(encoding="utf-8")
    broken = good.replace("status: in_progress", "status: closed")
    path.write_text(broken, encoding="utf-8")
    office.git("add", rel)
    git_dir = Path(office.git("rev-parse", "--git-dir").stdout.strip())
    token = (office.root / git_dir / vouch.TOKEN) if not git_dir.is_absolute() else git_dir / vouch.TOKEN
    shell = token.with_name(vouch.SHELL_TOKEN)
    for spoil in ("bytes", "head", "policy", "code"):
        with judged(ws, {rel: good if spoil == "bytes" else broken}):
            data = json.loads(token.read_text(encoding="utf-8"))
            lines = shell.read_text(encoding="utf-8").split("\n")
            if spoil != "bytes":
                data[spoil] = "0" * 40
                # the hook script's token: the same line spoiled (the code: another interpreter)
                which = "python" if spoil == "code" else spoil
                lines = [f"{which} {'0' * 40}" if line.startswith(which + " ") else line for line in lines]
            token.write_text(json.dumps(data), encoding="utf-8")
            shell.write_text("\n".join(lines), encoding="utf-8")
            result = commit(office)
        assert result.returncode != 0 and "R-CL-1" in result.stderr, spoil
        assert not token.exists() and not shell.exists()


def test_the_hook_script_checks_a_command_token_without_starting_python(
        states: States, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """issue 12: `new` and the lifecycle commands commit without a second interpreter — the
    installed hook script compares the shell token with what git says is staged — while a hand
    edit, a token for other bytes, or anything more staged starts the Python hook and is judged."""
    office, ids = states
    started = tmp_path / "pythons"
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        f"import sys\nwith open({str(started)!r}, 'a') as f:\n    f.write(' '.join(sys.argv) + '\\n')\n",
        encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", f"{site}:{__import__('os').environ['PYTHONPATH']}")

    def pythons() -> int:
        return started.read_text(encoding="utf-8").count("\n") if started.exists() else 0

    office.new()
    office.run("note", ids["in_progress"], "客户来电询问进度")
    assert pythons() == 0  # judged by the command: the hook script ended it
    ws = open_workspace(office.root)
    path = office.path(ids["in_progress"])
    rel = str(path.relative_to(office.root))
    broken = path.read_text(encoding="utf-8").replace("status: in_progress", "status: closed")
    path.write_text(broken, encoding="utf-8")
    office.git("add", rel)
    refused = commit(office)  # a hand edit: no token, the Python hook judges and refuses
    assert refused.returncode != 0 and "R-CL-1" in refused.stderr and pythons() == 1
    with judged(ws, {rel: broken}):
        extra = office.root / "cases" / "notes.txt"
        extra.write_text("x\n", encoding="utf-8")
        office.git("add", "-f", str(extra.relative_to(office.root)))
        result = commit(office)  # one more file staged than the token names: judged in Python
    assert result.returncode != 0 and pythons() == 2


def test_a_token_is_used_once(states: States) -> None:
    office, ids = states
    ws = open_workspace(office.root)
    path = office.path(ids["in_progress"])
    rel = str(path.relative_to(office.root))
    broken = path.read_text(encoding="utf-8").replace("status: in_progress", "status: closed")
    path.write_text(broken, encoding="utf-8")
    office.git("add", rel)
    with judged(ws, {rel: broken}):
        subprocess.run([sys.executable, "-m", "complaintctl", "hook", "pre-commit"], cwd=office.root,
                       capture_output=True, timeout=120)  # spends it
        result = commit(office)
    assert result.returncode != 0 and "R-CL-1" in result.stderr


def test_blob_id_is_gits(tmp_path: Path) -> None:
    text = "id: SZ-2611-0001\nsubject: 漏水\n"
    (tmp_path / "f").write_text(text, encoding="utf-8")
    out = subprocess.run(["git", "hash-object", str(tmp_path / "f")], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == blob_id(text)


def test_the_transaction_vouches_for_exactly_the_blobs_it_stages(states: States) -> None:
    """The token is written by the transaction's commit path (repo/transaction): it names the
    blobs staged in the temporary index, so a judged write is spared, an unjudged one is not —
    and nothing is left behind either way."""
    office, ids = states
    ws = open_workspace(office.root)
    path = office.path(ids["in_progress"])
    rel = str(path.relative_to(office.root))
    good = path.read_text(encoding="utf-8")
    broken = good.replace("status: in_progress", "status: closed")
    head = office.git("rev-parse", "HEAD").stdout.strip()
    with pytest.raises(GitError, match="R-CL-2"):  # not judged: the hook judges it, and refuses
        transaction.commit_files(ws.root, ws.git, [FileWrite(rel, broken, good)], "unjudged\n")
    assert office.git("rev-parse", "HEAD").stdout.strip() == head
    assert path.read_text(encoding="utf-8") == good
    assert office.git("status", "--porcelain").stdout == ""
    witness = vouch.witness(ws)
    sha = transaction.commit_files(ws.root, ws.git, [FileWrite(rel, broken, good)], "judged\n", witness=witness)
    assert office.git("rev-parse", "HEAD").stdout.strip() == sha != head  # spared: the token named it
    assert office.git("status", "--porcelain").stdout == ""
    token = Path(office.git("rev-parse", "--absolute-git-dir").stdout.strip()) / vouch.TOKEN
    assert not token.exists()

