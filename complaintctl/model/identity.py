"""Who acts: a person's name and e-mail as git records them (the commit's author)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    name: str
    email: str
