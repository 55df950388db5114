"""The one errors module: expected failures, turned into one-line messages at the CLI edge."""

from __future__ import annotations


class ComplaintError(Exception):
    """An error the user can cause and fix; shown as one line, exit code 1."""


class PolicyError(ComplaintError):
    """The policy file (complaintctl.yaml) is missing or wrong."""


class CaseNotFound(ComplaintError):
    """No case file for that ID."""


class InvalidInput(ComplaintError):
    """A command argument or a case field is not acceptable."""


class BadValue(InvalidInput):
    """A command-line value of the wrong type or out of range: a usage error, exit code 2."""

    exit_code = 2


class UnreadableCase(InvalidInput):
    """A case file outside the strict YAML subset (R-WF): each problem is (field, message),
    the message starting with its line."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        shown = "; ".join(f"{m} ({f})" if f and f != "(file)" else m for f, m in problems[:3])
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"{source}: not a valid case file (R-WF): {shown}{more}")


class RepoStateError(ComplaintError):
    """The repository is not in a state where a command may change it."""


class GitError(ComplaintError):
    """A git command failed."""


class ValidationFailed(ComplaintError):
    """One or more rule findings; every finding is reported, one per line."""

    def __init__(self, findings: list[object]) -> None:
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))


class SyncConflict(ComplaintError):
    """The same case was changed here and on the remote; nothing was merged."""


class PushRefused(ComplaintError):
    """The server's pre-receive hook (or its git config) refused the push."""
