from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One broken rule in one file: printed as `path: field: RULE: message`."""

    path: str
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.rule}: {self.message}"
