"""The one place complaintctl reads the wall clock.

Everything below the command layer takes `now` as a parameter. `COMPLAINTCTL_NOW`
(an ISO time, e.g. `2026-02-13T17:30:00+08:00`) pins the clock for the CLI — for tests and
for replaying a day; it is never needed in normal use. The hooks honour it only where the
repository's git configuration says `complaintctl.allowPinnedNow = true` (test fixtures):
time must be trustworthy where the record is judged.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo

from complaintctl.errors import InvalidInput
from complaintctl.model.reader import check_moment

ENV = "COMPLAINTCTL_NOW"
ALLOW_KEY = "complaintctl.allowPinnedNow"  # git config that lets the hooks honour ENV


def current(tz: tzinfo = UTC, allow_pinned: bool = True) -> datetime:
    pinned = os.environ.get(ENV, "").strip() if allow_pinned else ""
    if not pinned:
        return datetime.now(tz)
    try:
        moment = datetime.fromisoformat(pinned)
    except ValueError:
        raise InvalidInput(f"{ENV}: {pinned!r} is not an ISO date-time") from None
    why = check_moment(moment)
    if why:
        raise InvalidInput(f"{ENV}: {why}")
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz)
