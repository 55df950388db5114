"""A case repository opened for work: its root, its git, its policy."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from complaintctl.errors import PolicyError
from complaintctl.policy.policy import Policy
from complaintctl.repo import cache
from complaintctl.repo.git import Git

if TYPE_CHECKING:
    from complaintctl.privacy.keyring import Keyring


@dataclass(frozen=True)
class Workspace:
    root: Path
    git: Git
    policy: Policy

    @cached_property
    def keyring(self) -> Keyring:
        """The keys this user holds here (R-RT-5): read on first use, once per command."""
        from complaintctl.privacy.keyring import Keyring

        return Keyring.open(self.root, self.git)


def open_workspace(path: Path) -> Workspace:
    g = Git.open(path)
    root = g.root
    cache.use(g.git_dir)  # policies read from git (HEAD's, for the ledger's authority) come from the cache too
    return Workspace(root, g, for_this_clone(cache.load_policy(root, g.git_dir), g.get_config(OFFICE_KEY)))


OFFICE_KEY = "complaintctl.office"


def for_this_clone(policy: Policy, office: str | None) -> Policy:
    """One shared repository, many offices: each clone numbers its new cases with its own
    code (`git config complaintctl.office GZ`), which the policy must list under offices:."""
    if not office or office == policy.office:
        return policy
    if office not in policy.offices:
        raise PolicyError(f"git config {OFFICE_KEY} is {office!r}, which the policy does not list under "
                          f"offices: ({', '.join(policy.offices) or 'none'})")
    return replace(policy, office=office)
