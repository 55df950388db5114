from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaintctl.policy.policy import Policy
from complaintctl.rules.finding import Finding


@dataclass(frozen=True)
class CheckContext:
    """What every rule sees: the case as it will be, as it was, the policy and the time."""

    path: str
    data: Mapping[str, Any]
    previous: Mapping[str, Any] | None
    policy: Policy
    now: datetime

    def finding(self, field: str, rule: str, message: str) -> Finding:
        return Finding(self.path, field, rule, message)
