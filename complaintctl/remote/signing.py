"""Signed commits. With `signing: required` in the server's policy, every pushed
commit carries an SSH signature by a key that `allowed_signers` — the file at the root of
the repository, as it is on the server's main (only the admin role may change it) — lists
for the commit's committer. Git checks the signatures (`ssh-keygen -Y verify`) for the whole
push in one `git log`; this module only reads its verdicts.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from complaintctl.policy.policy import Policy
from complaintctl.policy.trust import SIGNERS_FILE
from complaintctl.remote.access import RULE, person_for
from complaintctl.repo.git import CommitMeta, Identity
from complaintctl.rules.finding import Finding

HOW = ("sign with your ssh key: git config gpg.format ssh; git config user.signingkey ~/.ssh/id_ed25519.pub; "
       "git config commit.gpgsign true (complaintctl clone does this), then re-sign: git rebase -f --exec "
       "'git commit --amend --no-edit -S' origin/main")


@contextmanager
def signers_file(text: str | None) -> Iterator[Path]:
    """The server's allowed_signers in a temporary file, as git wants it (empty if none)."""
    fd, name = tempfile.mkstemp(prefix="complaintctl-signers-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as fh:  # the bytes as they came
            fh.write(text or "")
        yield Path(name)
    finally:
        os.unlink(name)


def check(meta: CommitMeta, policy: Policy) -> Finding | None:
    status = meta.signature
    if status == "G":
        if _same_person(policy, meta.signer, meta.committer):
            return None
        return _finding(f"signed by {meta.signer} (key {meta.key}), but committed by {meta.committer.name} "
                        f"<{meta.committer.email}>: a commit is signed by its committer's own key")
    if status == "N":
        return _finding(f"unsigned, and the policy says signing: required — {HOW}")
    if status == "U":
        return _finding(f"signed with key {meta.key}, which {SIGNERS_FILE} on the server's main does not list "
                        f"(the admin role adds `{meta.committer.email} <key>` to it)")
    if status == "B":
        return _finding("bad signature: the commit is not what its key signed")
    return _finding(f"the signature cannot be checked (git says {status or 'nothing'}; expired or revoked key?)")


def _same_person(policy: Policy, principal: str, committer: Identity) -> bool:
    if principal and principal == committer.email:
        return True
    person = person_for(policy, committer)
    return person is not None and principal in {person.email, person.name, person.login} - {""}


def _finding(message: str) -> Finding:
    return Finding("(commit)", "signature", RULE, message)
