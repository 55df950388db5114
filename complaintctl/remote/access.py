"""Who may push what. The pusher comes from the git server, never from the
commit (anyone can set `git config user.name`), and is mapped to a person through the policy
already on the server's main — never through a policy the push brings.

Server variables, first one set wins:
  GL_USER              gitolite: the ssh key's owner, for every hook
  GITEA_PUSHER_NAME    Gitea / Forgejo (also GITEA_PUSHER_EMAIL)
  GL_USERNAME          GitLab (Gitaly passes it to server hooks)
  COMPLAINTCTL_PUSHER  plain ssh: a forced command in authorized_keys sets it per key
A person matches by `login`, then email, then name; a commit's author by email, then name.

- A pushed commit's author must be the pusher, or someone the pusher may act for
  (`people[].acts_for`, `"*"` for anyone).
- The admin role (`hq`) alone may touch anything outside `cases/` (the policy,
  `allowed_signers`, templates, hooks, …) and refs other than main (branches, tags) — but
  a case's kept originals (`materials/YYYY/MM/ID/FILE`) go with the case: its
  office's people add them, and the validator holds them (rules.materials).
- A case belongs to the office in its ID: a commit's author may change only their own
  office's cases (`people[].office`, default the policy's `office`); `hq` acts on all.
- An action the policy gates by role (`policy.authority.roles_for`: `approvals` and its
  defaults, e.g. `extend: [vp, gm]`, R-DL-2) needs someone the server knows: with the ledger
  on, the ledger judges the author's roles (rules/ledger.py, the one place that decides it, as
  in pre-commit); with it off, the author's roles are checked here.
- No authenticated pusher (a local bare repository, `git daemon`): validation still applies
  and so do the office-free case rules, but every role-gated change above is refused —
  unless the policy says `trust_commit_authors: true` (then each commit's author is taken
  at their word), or refused altogether with `require_pusher: true`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from complaintctl.i18n import N_, _
from complaintctl.model.ids import case_id_from_filename
from complaintctl.policy.policy import Person, Policy
from complaintctl.policy.trust import ADMIN, ANYONE
from complaintctl.repo.git import Identity
from complaintctl.rules import materials
from complaintctl.rules.finding import Finding

RULE = "ACCESS"
HQ = ADMIN  # today's name of the admin role
VARIABLES = ("GL_USER", "GITEA_PUSHER_NAME", "GL_USERNAME", "COMPLAINTCTL_PUSHER")
CASES = "cases/"
NO_PUSHER = N_("this push has no authenticated pusher ({variables}); role-gated changes need one, "
              "or `trust_commit_authors: true` in the policy")  # translated where it is said: no_pusher()


def no_pusher() -> str:
    return _(NO_PUSHER).format(variables=", ".join(VARIABLES))


@dataclass(frozen=True)
class Pusher:
    login: str
    email: str
    source: str  # the variable it came from

    def __str__(self) -> str:
        return f"{self.login} ({self.source})"


def pusher_from_env(env: Mapping[str, str]) -> Pusher | None:
    for var in VARIABLES:
        login = env.get(var, "").strip()
        if login:
            email = env.get("GITEA_PUSHER_EMAIL", "").strip() if var == "GITEA_PUSHER_NAME" else ""
            return Pusher(login, email, var)
    return None


@dataclass(frozen=True)
class Grant:
    """One person's rights: offices (None = all) and roles."""

    who: str  # as messages name them
    person: Person
    offices: frozenset[str] | None
    roles: tuple[str, ...]

    @property
    def admin(self) -> bool:
        return ADMIN in self.roles


@dataclass(frozen=True)
class Judge:
    """Who a push is judged as: an authenticated pusher, each commit's author (the policy
    trusts them), or nobody (role-gated changes refused)."""

    mode: str  # pusher | authors | anonymous
    pusher: Grant | None = None


def _grant(policy: Policy, p: Person, who: str) -> Grant:
    offices = None if ADMIN in p.roles else frozenset({p.office or policy.office})
    return Grant(who, p, offices, p.roles)


def grant_for(policy: Policy, pusher: Pusher) -> Grant | None:
    """None when the pusher is not one of the policy's people."""
    for p in policy.people:
        if pusher.login in (p.login, p.email, p.name) or (pusher.email and pusher.email == p.email):
            return _grant(policy, p, f"pusher {pusher} = {p.name}")
    return None


def person_for(policy: Policy, ident: Identity) -> Person | None:
    """A git identity's person: by e-mail first (names are typed by hand), then by name."""
    for p in policy.people:
        if ident.email and ident.email == p.email:
            return p
    for p in policy.people:
        if ident.name == p.name:
            return p
    return None


def author_grant(policy: Policy, author: Identity) -> Grant | None:
    p = person_for(policy, author)
    return _grant(policy, p, f"{p.name} (the commit's author)") if p else None


ANONYMOUS_KEY = "complaintctl.allowAnonymous"  # the server repository's own git config, never the policy
NO_IDENTITY = N_("this server gets no pusher identity ({variables}) and does not take anonymous pushes: serve it "
                 "through gitolite, Gitea, GitLab or a forced command setting COMPLAINTCTL_PUSHER (docs/server.md), "
                 "or — a local or NAS remote one office uses alone — run `complaintctl server init PATH "
                 "--allow-anonymous`")


def judge_for(policy: Policy, pusher: Pusher | None, allow_anonymous: bool = False) -> Judge | str:
    """How this push is judged, or why it is refused outright. Without a pusher identity the
    push is refused unless the server repository allows anonymous pushes (`allow_anonymous`,
    git config complaintctl.allowAnonymous, set by `server init --allow-anonymous`): then
    only what needs no role passes, or each author is trusted (`trust_commit_authors`)."""
    if pusher is not None:
        grant = grant_for(policy, pusher)
        if grant is None:
            return _("pusher {pusher} is not in the policy's people (match by people[].login, email or name; "
                     "the admin adds them: `complaintctl people add NAME --email … --unit … --role … --login …`)"
                     ).format(pusher=pusher)
        return Judge("pusher", grant)
    if policy.require_pusher:
        return _("no pusher identity from the server ({variables}) and the policy says require_pusher: true"
                 ).format(variables=", ".join(VARIABLES))
    if not allow_anonymous:
        return _(NO_IDENTITY).format(variables=", ".join(VARIABLES))
    return Judge("authors" if policy.trust.trust_commit_authors else "anonymous")


def check_author(policy: Policy, judge: Judge, author: Identity) -> Finding | None:
    """A commit pushed by someone else than its author needs the policy's leave (acts_for)."""
    if judge.mode == "anonymous":
        return None
    if judge.mode == "authors":
        if person_for(policy, author) is None:
            return Finding("(commit)", "author", RULE,
                           _("{author} is not in the policy's people (trust_commit_authors: the author is who acts; "
                             "the admin adds them: `complaintctl people add NAME --email … --unit … --role …`)")
                           .format(author=f"{author.name} <{author.email}>"))
        return None
    grant = judge.pusher
    assert grant is not None  # mode "pusher"
    person = person_for(policy, author)
    if person == grant.person:
        return None
    allowed = policy.trust.acts_for.get(grant.person.name, ())
    if ANYONE in allowed or (person is not None and set(allowed) & {person.name, person.email, person.login} - {""}):
        return None
    return Finding("(commit)", "author", RULE,
                   _("{author} is not the {who}, nor someone {name} may push for (people[].acts_for)")
                   .format(author=f"{author.name} <{author.email}>", who=grant.who, name=grant.person.name))


def actor(policy: Policy, judge: Judge, author: Identity) -> Grant | None:
    """Whose office and roles a commit's case changes are judged by: its author's (checked
    against the pusher by check_author); None when nobody is known."""
    if judge.mode == "anonymous":
        return None
    pusher = judge.pusher
    if pusher is not None and person_for(policy, author) == pusher.person:
        return pusher  # messages then name the pusher as the server authenticated them
    return author_grant(policy, author) or pusher


def check_path(path: str, admin: Grant | None, judge: Judge) -> Finding | None:
    """Deny by default: outside cases/ only the admin role may change anything — except a
    case's kept originals, materials/YYYY/MM/ID/FILE, which come with their case:
    the validator judges them (rules.materials), check_material their office."""
    if path.startswith(CASES) or materials.case_of(path) is not None or (admin is not None and admin.admin):
        return None
    if admin is None:
        why = (_("the commit's author is not in the policy's people (`complaintctl people add`)")
               if judge.mode == "authors" else no_pusher())
        return Finding(path, "(file)", RULE, _("only the admin role ({admin}) may change files outside cases/, "
                                               "and {why}").format(admin=ADMIN, why=why))
    return Finding(path, "(file)", RULE, _("{who} may change only cases/; files outside it need the admin "
                                           "role ({admin})").format(who=admin.who, admin=ADMIN))


def check_material(path: str, grant: Grant | None) -> list[Finding]:
    """A kept original belongs to the office in its case's ID, like the case file."""
    where = materials.case_of(path)
    if where is None or grant is None or grant.offices is None or where[0].office in grant.offices:
        return []
    mine = ", ".join(sorted(grant.offices))
    return [Finding(path, "(file)", RULE, _("{who} works for office {mine} and may not add or change office "
                                            "{office}'s materials (the admin role {admin} may)")
                    .format(who=grant.who, mine=mine, office=where[0].office, admin=ADMIN))]


def check_case(path: str, added: Sequence[tuple[int, Mapping[str, Any]]], grant: Grant | None,
               policy: Policy) -> list[Finding]:
    """A changed case file judged by its actor: their office, and the roles of the gated
    actions among `added` (the timeline entries this change adds, with their index)."""
    cid = case_id_from_filename(path.rsplit("/", 1)[-1])
    if cid is None:
        return []
    findings = []
    if grant is not None and grant.offices is not None and cid.office not in grant.offices:
        mine = ", ".join(sorted(grant.offices))
        findings.append(Finding(path, "id", RULE, _("{who} works for office {mine} and may not create or "
                                                    "change office {office}'s cases (the admin role {admin} may)")
                                .format(who=grant.who, mine=mine, office=cid.office, admin=ADMIN)))
    ledger = policy.authority.ledger_since is not None  # then rules.ledger judges the author's roles
    for i, entry in added:
        action = str(entry.get("action"))
        needed = policy.authority.roles_for(action)
        if not needed or (grant is not None and (ledger or set(grant.roles) & set(needed))):
            continue
        rule = "R-DL-2" if action == "extend" else RULE
        whose = (_("{who} has roles {roles}").format(who=grant.who, roles=", ".join(grant.roles) or "-")
                 if grant is not None else no_pusher())
        findings.append(Finding(path, f"timeline[{i}]", rule,
                                _("`{action}` needs one of the roles {needed}; {whose} (the entry says by: {by!r})")
                                .format(action=action, needed=", ".join(needed), whose=whose, by=entry.get("by"))))
    return findings
