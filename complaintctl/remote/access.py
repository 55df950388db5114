"""Who may push what (issue 5): the pusher's identity comes from the git server, never from
the commit (anyone can set `git config user.name`), and is mapped through the policy.

Server variables, first one set wins:
  COMPLAINTCTL_PUSHER  plain ssh: a forced command in authorized_keys sets it per key
  GITEA_PUSHER_NAME    Gitea / Forgejo (also GITEA_PUSHER_EMAIL)
  GL_USERNAME          GitLab (Gitaly passes it to server hooks)
A person matches by `login`, then email, then name. An office may create and change only
cases with its own office code (`people[].office`, default the policy's `office`); role
`hq` acts on all offices and alone may change the policy. Extensions (`action: extend`,
R-DL-2) need one of the pusher's roles in `approvals.extend`. With no identity the access
rules are skipped (a local bare repository, tests) unless the policy says
`require_pusher: true`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from complaintctl.model.ids import case_id_from_filename
from complaintctl.policy.policy import POLICY_FILE, Policy
from complaintctl.rules.finding import Finding

RULE = "ACCESS"
HQ = "hq"


@dataclass(frozen=True)
class Pusher:
    login: str
    email: str
    source: str  # the variable it came from

    def __str__(self) -> str:
        return f"{self.login} ({self.source})"


def pusher_from_env(env: Mapping[str, str]) -> Pusher | None:
    if env.get("COMPLAINTCTL_PUSHER", "").strip():
        return Pusher(env["COMPLAINTCTL_PUSHER"].strip(), "", "COMPLAINTCTL_PUSHER")
    if env.get("GITEA_PUSHER_NAME", "").strip():
        return Pusher(env["GITEA_PUSHER_NAME"].strip(), env.get("GITEA_PUSHER_EMAIL", "").strip(),
                      "GITEA_PUSHER_NAME")
    if env.get("GL_USERNAME", "").strip():
        return Pusher(env["GL_USERNAME"].strip(), "", "GL_USERNAME")
    return None


@dataclass(frozen=True)
class Grant:
    """What one pusher may do: offices (None = all) and roles."""

    who: str
    offices: frozenset[str] | None
    roles: tuple[str, ...]


def grant_for(policy: Policy, pusher: Pusher) -> Grant | None:
    """None when the pusher is not one of the policy's people."""
    for p in policy.people:
        if pusher.login in (p.login, p.email, p.name) or (pusher.email and pusher.email == p.email):
            offices = None if HQ in p.roles else frozenset({p.office or policy.office})
            return Grant(f"{pusher} = {p.name}", offices, p.roles)
    return None


def check_change(path: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None,
                 grant: Grant, policy: Policy) -> list[Finding]:
    """Findings for one changed file in a pushed commit, judged by the pusher's grant."""
    if path == POLICY_FILE:
        if HQ not in grant.roles:
            return [Finding(path, "(file)", RULE, f"pusher {grant.who} may not change the policy "
                            f"(only role {HQ})")]
        return []
    cid = case_id_from_filename(path.rsplit("/", 1)[-1])
    if cid is None:
        return []
    findings = []
    if grant.offices is not None and cid.office not in grant.offices:
        mine = ", ".join(sorted(grant.offices))
        findings.append(Finding(path, "id", RULE, f"pusher {grant.who} works for office {mine} and may "
                                f"not create or change office {cid.office}'s cases (HQ role {HQ} may)"))
    allowed = policy.approvals.get("extend", ())
    before = len(old.get("timeline") or []) if old else 0
    timeline = (new or {}).get("timeline")
    for i, entry in enumerate(timeline if isinstance(timeline, list) else []):
        if i >= before and isinstance(entry, Mapping) and entry.get("action") == "extend" \
                and not set(grant.roles) & set(allowed):
            findings.append(Finding(path, f"timeline[{i}]", "R-DL-2",
                                    f"an extension needs approval by {', '.join(allowed) or 'nobody'}; "
                                    f"the pusher {grant.who} has roles {', '.join(grant.roles) or 'none'} "
                                    f"(the entry says by: {entry.get('by')!r})"))
    return findings
