from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaintctl.model.identity import Identity
from complaintctl.policy.policy import Policy
from complaintctl.rules.finding import Finding


@dataclass(frozen=True)
class Commit:
    """Who makes a change and the policy in force before it (the ledger).

    `actor` is the commit's author (pre-commit: git's identity for the commit being made;
    pre-receive: each pushed commit's author); None when unknown or when each entry speaks for
    itself (a merge, whose new entries remote.merges has traced to their authors). `authority`
    is the policy before the change — the parent's, or the server's old tip — never one the
    change brings."""

    actor: Identity | None
    authority: Policy
    # Indices of timeline entries already judged in the commits that added them (a merge's
    # entries that come from its parents): replayed, not judged again.
    traced: frozenset[int] = frozenset()


@dataclass(frozen=True)
class CheckContext:
    """What every rule sees: the case as it will be, as it was, the policy and the time, and —
    when a change is being judged (the CLI, the hooks) — who makes it (`commit`)."""

    path: str
    data: Mapping[str, Any]
    previous: Mapping[str, Any] | None
    policy: Policy
    now: datetime
    commit: Commit | None = None
    # The change is a merge's: entries from another line may come between the
    # previous ones, in time order — all kept, in their order (rules.union.added).
    merge: bool = False

    def finding(self, field: str, rule: str, message: str) -> Finding:
        return Finding(self.path, field, rule, message)

    @property
    def ledger(self) -> bool:
        """The ledger rules apply: a change is judged and the policy before it switched them on."""
        return self.commit is not None and self.commit.authority.authority.ledger_since is not None
