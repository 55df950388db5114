"""A command that has just judged the exact bytes it commits says so to the pre-commit hook, so
the hook does not judge them a second time in another interpreter.

Only our own validator is spared, and only for those bytes: the transaction that commits them
(repo/transaction) writes a token naming HEAD, the code version, the policy file's blob, git's
identity and the blob of each file it stages; `git commit` runs every hook as always (never
`--no-verify`), and complaintctl's pre-commit hook skips a staged case file only if its staged
blob is the one in the token, HEAD is unchanged, the policy file is not part of the commit and
the staged policy is the one judged with, and git's identity (the commit's author, as whom the
hook judges) is the one the command judged as. Anything else staged is judged as usual; the
token is used once. The server's pre-receive hook judges every pushed commit regardless.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from complaintctl.model import clock
from complaintctl.model.ids import is_case_path
from complaintctl.repo import cache
from complaintctl.repo.git import Change, Git, blob_id
from complaintctl.repo.workspace import Workspace

TOKEN = "complaintctl-vouched.json"
SHELL_TOKEN = "complaintctl-vouched.txt"  # the same promise, for the hook script itself (shell_token)
POLICY_FILE = "complaintctl.yaml"


@dataclass(frozen=True)
class Witness:
    """What a command judged by: the policy file's text and who it judged as."""

    policy_text: bytes
    author: tuple[str, str]


def _token(g: Git) -> Path:
    return g.own_git_dir / TOKEN


def _staged_blob(g: Git, path: str) -> str | None:
    code, out = g.plain("rev-parse", "-q", "--verify", f":{path}", ok=(0, 1))  # 1: not staged
    return out.decode().strip() if code == 0 else None


def witness(ws: Workspace) -> Witness | None:
    """The witness for a workspace's command, with the policy it judged by — or None (nothing is
    vouched for) if this clone numbers for another office (`git config complaintctl.office`),
    whose policy the hook, reading the policy file alone, would not use, or if the command's
    clock is pinned where the hook would not pin it."""
    try:
        text = (ws.root / POLICY_FILE).read_bytes()
        same = cache.load_policy(ws.root, ws.git.git_dir).office == ws.policy.office
    except (OSError, UnicodeDecodeError):
        return None
    if same and os.environ.get(clock.ENV, "").strip():
        # a pinned clock (COMPLAINTCTL_NOW): the hook uses it only where the repository allows it;
        # elsewhere it judges at the real time, which the command did not
        same = (ws.git.get_config(clock.ALLOW_KEY) or "").strip().lower() in ("true", "yes", "on", "1")
    if not same:
        return None
    me = ws.git.identity()
    return Witness(text, (me.name, me.email))


@contextmanager
def vouching(g: Git, by: Witness | None, head: str | None, blobs: Mapping[str, str],
             object_format: str = "sha1") -> Iterator[None]:
    """While a transaction commits: the token for `blobs` (path -> the blob id it stages), judged
    by `by`, on top of `head`. Removed afterwards, whatever happens."""
    if by is None or not blobs:
        yield
        return
    policy = blob_id(by.policy_text, object_format)
    token = {"head": head or "", "code": cache.code_version(), "policy": policy, "author": list(by.author),
             "files": dict(blobs)}
    path, text = _token(g), g.own_git_dir / SHELL_TOKEN
    cache.write_atomic(path, json.dumps(token).encode())
    if all(is_case_path(p) for p in blobs):
        cache.write_atomic(text, shell_token(head or "", policy, by.author, blobs).encode())
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        text.unlink(missing_ok=True)


def python_id(python: str = sys.executable) -> str:
    """An interpreter as the installed hook script (`PYTHON_ID`) and the shell token both name
    it: the binary it resolves to and the folder it is started from. A venv's `python` and
    `python3` are one install (one answer); `/usr/bin/python3.12` beside `python3.11` is another."""
    where = os.path.abspath(python)
    return f"{os.path.realpath(where)} {os.path.dirname(where)}"


def shell_token(head: str, policy: str, author: tuple[str, str], blobs: Mapping[str, str],
                python: str = sys.executable) -> str:
    """The token as the installed hook script checks it without starting Python: what
    it computes from git — HEAD, the staged policy blob, git's identity, and every staged change
    as `mode blob<TAB>path` — must be this text exactly, and the hook must run the interpreter
    that judged (`python`: the same installed complaintctl). Then every staged file is one this
    command judged byte for byte, and nothing else is staged; anything else (a policy change, a
    deletion, one more file, another person, another Python) runs the Python hook, which reads
    the JSON token as before."""
    lines = ["complaintctl-vouch 1", f"python {python_id(python)}", f"head {head}", f"policy {policy}",
             f"author {author[0]} <{author[1]}>"]
    lines += [f"100644 {blob}\t{p}" for p, blob in sorted(blobs.items())]
    return "\n".join(lines) + "\n"


def vouched(g: Git, changes: Iterable[Change]) -> set[str]:
    """The staged case files the hook may skip (see the module's docstring); the token is spent."""
    path = _token(g)
    (g.own_git_dir / SHELL_TOKEN).unlink(missing_ok=True)  # spent too: one promise, two spellings
    try:
        token = json.loads(path.read_bytes())
        os.unlink(path)
    except (OSError, ValueError):
        return set()
    changes = list(changes)
    if not isinstance(token, dict) or token.get("code") != cache.code_version():
        return set()
    if any(c.path == POLICY_FILE or c.status == "D" or c.path.startswith("materials/") for c in changes):
        return set()  # a policy change, a deletion (renumbering) or kept originals: judged as a whole
    code, out = g.plain("rev-parse", "-q", "--verify", "HEAD", ok=(0, 1))  # 1: no commit yet
    if (out.decode().strip() if code == 0 else "") != token.get("head"):
        return set()
    if _staged_blob(g, POLICY_FILE) != token.get("policy"):
        return set()
    me = g.identity()
    if token.get("author") != [me.name, me.email]:
        return set()
    files = token.get("files") or {}
    return {c.path for c in changes
            if is_case_path(c.path) and c.new_mode == "100644" and files.get(c.path) == c.new_blob}
