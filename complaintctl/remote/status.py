"""`complaintctl server status`: which offices have gone quiet, which pushes were refused.

An office whose last accepted push is older than the policy's `offline_window` (or that has
never pushed) is named: its unpushed work is getting close to what the server takes without
an approver (R-DL-7's late entries, docs/authority.md "Time"). Pushes refused today (in the
policy's time zone) are listed with who pushed and why, so HQ can call the office before
the work goes stale. All of it is read from the server's own push log (remote.pushlog).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from complaintctl.policy.policy import Policy
from complaintctl.remote.pushlog import Push


@dataclass(frozen=True)
class OfficeStatus:
    office: str
    name: str  # the policy's name for it
    last_push: datetime | None
    quiet: bool  # never pushed, or not within the offline window

    def quiet_for(self, now: datetime) -> timedelta | None:
        return None if self.last_push is None else now - self.last_push


@dataclass(frozen=True)
class ServerStatus:
    window: timedelta
    offices: tuple[OfficeStatus, ...]
    refused_today: tuple[Push, ...]

    @property
    def quiet(self) -> tuple[OfficeStatus, ...]:
        return tuple(o for o in self.offices if o.quiet)


def server_status(policy: Policy, pushes: Iterable[Push], now: datetime) -> ServerStatus:
    """Pure: the offices the policy lists (or its one office), judged at `now`."""
    window = policy.authority.offline_window
    names = dict(policy.offices) or {policy.office: policy.name}
    last: dict[str, datetime] = {}
    refused: list[Push] = []
    today = now.astimezone(policy.tz).date()
    for push in pushes:
        if push.accepted:
            for office in push.offices:
                if office not in last or push.at > last[office]:
                    last[office] = push.at
        elif push.at.astimezone(policy.tz).date() == today:
            refused.append(push)
    offices = tuple(
        OfficeStatus(code, str(names.get(code) or ""), last.get(code),
                     code not in last or now - last[code] > window)
        for code in sorted(names))
    return ServerStatus(window, offices, tuple(refused))
