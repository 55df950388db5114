"""The one shared validator: the CLI, the pre-commit hook and the pre-receive hook all call this."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.model.case import load_plain
from complaintctl.policy.policy import Policy
from complaintctl.rules import archive, closing, dates, deadlines, fields, ledger, recusal, transitions
from complaintctl.rules.context import CheckContext, Commit
from complaintctl.rules.finding import Finding

Check = Callable[[CheckContext], Iterable[Finding]]
CHECKS: list[Check] = [fields.check, transitions.check, recusal.check, dates.check, closing.check,
                       archive.check, deadlines.check, ledger.check]


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


def check_texts(path: str, text: str | None, previous_text: str | None, policy: Policy,
                now: datetime, commit: Commit | None = None, merge: bool = False) -> list[Finding]:
    """The same, from file contents; a deleted case file is itself a finding."""
    if text is None:
        return [Finding(path, "(file)", "R-CL-3", "case files are never deleted (the record is kept)")]
    try:
        data = load_plain(text, path)
    except InvalidInput as exc:
        return [Finding(path, "(file)", "R-WF", str(exc).split(": ", 1)[-1])]
    previous = None
    if previous_text is not None:
        try:
            previous = load_plain(previous_text, path)
        except InvalidInput:
            previous = None  # the old version was broken; judge the new one on its own
    return check_case(path, data, previous, policy, now, commit, merge)


def is_case_path(path: str) -> bool:
    return path.startswith("cases/") and path.endswith(".yaml")


def all_findings(items: Iterable[list[Finding]]) -> Iterator[Finding]:
    for findings in items:
        yield from findings
