"""A command that has just judged the exact bytes it commits says so to the pre-commit hook, so
the hook does not judge them a second time in another interpreter (issue 12).

Only our own validator is spared, and only for those bytes: the command writes a token
naming HEAD, the code version, the policy file's blob and each case file's blob it judged;
`git commit` runs every hook as always (never `--no-verify`), and complaintctl's pre-commit
hook skips a staged case file only if its staged blob is the one in the token, HEAD is
unchanged, the policy file is not part of the commit and the staged policy is the one
judged with, and git's identity (the commit's author, as whom the hook judges) is the one the
command judged as. Anything else staged is judged as usual; the token is used once. The
server's pre-receive hook judges every pushed commit regardless.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from complaintctl.model import clock
from complaintctl.repo import cache
from complaintctl.repo.git import Change, Git
from complaintctl.repo.workspace import Workspace

TOKEN = "complaintctl-vouched.json"
POLICY_FILE = "complaintctl.yaml"


def blob_id(text: str) -> str:
    """The id git gives these bytes as a blob (SHA-1 repositories)."""
    raw = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()


def _token(g: Git) -> Path:
    return g.own_git_dir / TOKEN


def _staged_blob(g: Git, path: str) -> str | None:
    code, out = g.plain("rev-parse", "-q", "--verify", f":{path}")
    return out.decode().strip() if code == 0 else None


@contextmanager
def vouching(g: Git, files: Mapping[str, str], policy_text: str) -> Iterator[None]:
    """While committing: the token for `files` (path -> the text judged), judged with the policy
    `policy_text`. Removed afterwards, whatever happens."""
    code, out = g.plain("rev-parse", "-q", "--verify", "HEAD")
    me = g.identity()
    token = {"head": out.decode().strip() if code == 0 else "", "code": cache.code_version(),
             "policy": blob_id(policy_text), "author": [me.name, me.email],
             "files": {p: blob_id(t) for p, t in files.items()}}
    path = _token(g)
    cache.write_atomic(path, json.dumps(token).encode())
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def judged(ws: Workspace, files: Mapping[str, str]) -> Iterator[None]:
    """`vouching` for a workspace's command, with the policy it judged by — unless this clone
    numbers for another office (`git config complaintctl.office`), whose policy the hook,
    reading the policy file alone, would not use."""
    policy_file = ws.root / POLICY_FILE
    try:
        text = policy_file.read_text(encoding="utf-8")
        same = cache.load_policy(ws.root, ws.git.git_dir).office == ws.policy.office
    except (OSError, UnicodeDecodeError):
        same = False
    if same and os.environ.get(clock.ENV, "").strip():
        # a pinned clock (COMPLAINTCTL_NOW): the hook uses it only where the repository allows it;
        # elsewhere it judges at the real time, which the command did not
        allowed = (ws.git.get_config(clock.ALLOW_KEY) or "").strip().lower() in ("true", "yes", "on", "1")
        same = allowed
    if not files or not same:
        yield
        return
    with vouching(ws.git, files, text):
        yield


def vouched(g: Git, changes: Iterable[Change]) -> set[str]:
    """The staged case files the hook may skip (see the module's docstring); the token is spent."""
    path = _token(g)
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
    code, out = g.plain("rev-parse", "-q", "--verify", "HEAD")
    if (out.decode().strip() if code == 0 else "") != token.get("head"):
        return set()
    if _staged_blob(g, POLICY_FILE) != token.get("policy"):
        return set()
    me = g.identity()
    if token.get("author") != [me.name, me.email]:
        return set()
    files = token.get("files") or {}
    return {c.path for c in changes if files.get(c.path) == c.new_blob}
