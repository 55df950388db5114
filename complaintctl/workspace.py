"""A case repository opened for work: its root, its git, its policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from complaintctl.gitrepo import Git
from complaintctl.policy import Policy, load_policy


@dataclass(frozen=True)
class Workspace:
    root: Path
    git: Git
    policy: Policy


def open_workspace(path: Path) -> Workspace:
    g = Git.open(path)
    root = g.root
    return Workspace(root, g, load_policy(root))
