"""The one shared validator: the CLI, the pre-commit hook and the pre-receive hook all call this."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from complaintctl.errors import InvalidInput, UnreadableCase
from complaintctl.i18n import N_, _
from complaintctl.model.case import as_datetime, decode, load_plain
from complaintctl.model.ids import CASES_PREFIX, is_case_path
from complaintctl.policy.policy import Policy
from complaintctl.rules import (
    archive,
    clear_text,
    closing,
    dates,
    deadlines,
    entries,
    fields,
    intake,
    ledger,
    lookups,
    privacy,
    receipts,
    recusal,
    transitions,
)
from complaintctl.rules.context import CheckContext, Commit
from complaintctl.rules.finding import Finding

Check = Callable[[CheckContext], Iterable[Finding]]
__all__ = ["CASES_PREFIX", "CHECKS", "all_findings", "check_case", "check_texts", "is_case_path", "settled_after",
           "stray_file", "unreadable_findings"]

CHECKS: list[Check] = [fields.check, intake.check, transitions.check, entries.check, recusal.check, dates.check,
                       closing.check, archive.check, deadlines.check, receipts.check, ledger.check, privacy.check,
                       clear_text.check, lookups.check]


def check_case(path: str, data: Mapping[str, Any], previous: Mapping[str, Any] | None,
               policy: Policy, now: datetime, commit: Commit | None = None, merge: bool = False) -> list[Finding]:
    """Every finding for one case file (as it will be) against its previous committed version;
    with `commit` (who changes it, under which policy) the ledger rules too (rules.ledger);
    `merge`: the change is a merge's (CheckContext.merge)."""
    ctx = CheckContext(path, data, previous, policy, now, commit, merge)
    out: list[Finding] = []
    for check in CHECKS:
        out.extend(check(ctx))
    return out


def check_texts(path: str, text: str | bytes | None, previous_text: str | bytes | None, policy: Policy,
                now: datetime, commit: Commit | None = None, merge: bool = False) -> list[Finding]:
    """The same, from file contents (bytes are decoded strictly: UTF-8 only); a deleted case
    file is itself a finding, and a file outside the strict YAML subset is one R-WF finding
    per problem, each naming its line. `merge`: the change is a merge's (CheckContext.merge)."""
    if text is None:
        return [Finding(path, "(file)", "R-CL-3", _("case files are never deleted (the record is kept)"))]
    try:
        data = load_plain(decode(text, path) if isinstance(text, bytes) else text, path, policy.limits)
    except UnreadableCase as exc:
        return unreadable_findings(path, exc)
    except InvalidInput as exc:
        return [Finding(path, "(file)", "R-WF", str(exc).split(": ", 1)[-1])]
    previous = None
    if previous_text is not None:
        try:
            old = decode(previous_text, path) if isinstance(previous_text, bytes) else previous_text
            previous = load_plain(old, path, policy.limits)
        except InvalidInput:
            previous = None  # the old version was broken; judge the new one on its own
    return check_case(path, data, previous, policy, now, commit, merge)


_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}")


def settled_after(data: Any) -> datetime | None:
    """The latest moment at which something happened to a case: every `at` and `…_at` field,
    anywhere in it (intake, timeline, resolution, revisit, closing). The rules read `now` only to
    ask whether such a moment is still in the future (R-IN-1, with dates.CLOCK_SKEW) — a clock's
    due time, a plan's limit or an extension's end may lie ahead without making a finding — so
    once `now` is past this moment a verdict no longer changes with time, which is what lets
    `validate` keep verdicts (tests/repo/test_cache.py checks the rules keep to it)."""
    latest: datetime | None = None
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        key, v = stack.pop()
        if isinstance(v, Mapping):
            stack.extend((str(k), x) for k, x in v.items())
        elif isinstance(v, list | tuple):
            stack.extend((key, x) for x in v)
        elif key == "at" or key.endswith("_at"):
            moment = None
            if isinstance(v, datetime | date) or isinstance(v, str) and _STAMP.match(v):
                moment = as_datetime(v, UTC)
            if moment is not None:
                # a time without an offset is read in the office's zone: allow for any zone
                if isinstance(v, date) and not isinstance(v, datetime) or moment.tzinfo is UTC:
                    moment += timedelta(days=1)
                latest = moment if latest is None or moment > latest else latest
    return latest


def unreadable_findings(path: str, exc: UnreadableCase) -> list[Finding]:
    return [Finding(path, field, "R-WF", message) for field, message in exc.problems]


_MODES = {"120000": N_("is a symbolic link: only regular case files belong under cases/"),
          "160000": N_("is a submodule: only regular case files belong under cases/"),
          # a record is data, never something to run: git keeps the executable bit (mode 100755)
          "100755": N_("is executable (mode 100755): a case file is a plain record — "
                       "`git update-index --chmod=-x PATH`")}
KEEP_FILES = (".gitkeep",)  # empty placeholders git needs to keep a folder


def stray_file(path: str, mode: str = "100644") -> Finding | None:
    """R-WF: under cases/ live only regular, non-executable case files named `….yaml` (not
    `.yml`, `.YAML`, symlinks, submodules or mode 100755); the readers would skip anything else,
    so it is refused."""
    if not path.startswith(CASES_PREFIX):
        return None
    if mode in _MODES:
        return Finding(path, "(file)", "R-WF", _(_MODES[mode]))
    if is_case_path(path) or path.rsplit("/", 1)[-1] in KEEP_FILES:
        return None
    return Finding(path, "(file)", "R-WF",
                   _("only case files (cases/YYYY/MM/OFFICE-YYMM-NNNN.yaml) belong under cases/: rename it to "
                     ".yaml or move it elsewhere"))


def all_findings(items: Iterable[list[Finding]]) -> Iterator[Finding]:
    for findings in items:
        yield from findings
