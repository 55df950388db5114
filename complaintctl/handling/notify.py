"""`complaintctl notify`: tell people what the rules say they must be told.

The outbox is derived from the repository (rules.notices, a pure function of each case and
`now`), so it survives any crash: a notice is sent — by e-mail (handling.smtp) or to the group
robot the policy names for the person or their unit (handling.robots: WeCom, DingTalk) — then
recorded as a `notify` timeline entry by the system account, committed — one commit for the
run — and pushed like any office's work (remote.sync), so a second run here or in another clone
sends nothing twice. A notice whose message the server or service did not take stays pending,
and the run says so. Sending comes before recording: a crash between the two sends that notice
again next time (at least once, never lost). With a remote, the clone syncs first, so notices
recorded elsewhere count.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from complaintctl.errors import RepoStateError, SyncConflict, ValidationFailed
from complaintctl.handling import lifecycle, robots, smtp
from complaintctl.model.case import dump_document, load_plain, timeline_entry
from complaintctl.policy.authority import SYSTEM
from complaintctl.policy.notifications import EMAIL
from complaintctl.policy.policy import Policy
from complaintctl.remote import sync as syncing
from complaintctl.repo import index, messages, store, transaction
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import mailtexts
from complaintctl.rules import notices
from complaintctl.rules.notices import Notice
from complaintctl.rules.validate import check_case


@dataclass(frozen=True)
class Outgoing:
    """One notice for one person."""

    notice: Notice
    recipient: str
    address: str  # "" when the policy gives the person no email
    message: mailtexts.Message  # a robot's message is the group's: no greeting, nothing of the complainant
    channel: str = EMAIL  # EMAIL or the robot the policy names for the person or their unit
    mobile: str = ""  # the person's mobile, @-mentioned by a robot

    @property
    def reachable(self) -> bool:
        return self.channel != EMAIL or bool(self.address)


@dataclass(frozen=True)
class NotifyResult:
    due: tuple[Outgoing, ...]
    sent: tuple[Outgoing, ...] = ()
    failed: tuple[tuple[Outgoing, str], ...] = ()
    commit: str | None = None
    synced: str = ""  # how the clone met its remote after recording ("" without a remote)
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unaddressed(self) -> tuple[Outgoing, ...]:
        return tuple(o for o in self.due if not o.reachable)


def outbox(cases: Iterable[Mapping[str, Any]], policy: Policy, now: datetime) -> list[Outgoing]:
    """Every message due at `now`, one per notice and recipient (pure)."""
    out = []
    for data in cases:
        for n in notices.pending(data, policy, now):
            group: mailtexts.Message | None = None
            for name in n.recipients:
                person = policy.person(name)
                channel = policy.channel_of(name)
                if channel == EMAIL:
                    message = mailtexts.render(n, data, policy, name)
                else:
                    group = group or mailtexts.render_robot(n, data, policy)
                    message = group
                out.append(Outgoing(n, name, person.email if person else "", message, channel,
                                    person.mobile if person else ""))
    return out

ROBOTS_POSTED = "robots-posted.json"  # when each robot was last posted to (its 20 a minute)

Send = Callable[[list[Outgoing]], tuple[list[Outgoing], list[tuple[Outgoing, str]]]]


def smtp_sender(policy: Policy, env: Mapping[str, str]) -> Send:
    """Send through the office's SMTP server; a failure of the whole session fails every message."""
    cfg = smtp.config(policy, env)

    def send(items: list[Outgoing]) -> tuple[list[Outgoing], list[tuple[Outgoing, str]]]:
        sent: list[Outgoing] = []
        failed: list[tuple[Outgoing, str]] = []
        if not items:
            return sent, failed
        try:
            with smtp.Mailer(cfg) as mailer:
                for o in items:
                    msg = smtp.message(cfg, o.recipient, o.address, o.message.subject, o.message.body,
                                       {"X-Complaintctl-Case": o.notice.case_id,
                                        "X-Complaintctl-Notice": f"{o.notice.kind} timeline[{o.notice.ref}]"})
                    try:
                        mailer.send(msg)
                        sent.append(o)
                    except smtp.SmtpFailure as exc:
                        failed.append((o, str(exc)))
        except smtp.SmtpFailure as exc:
            failed.extend((o, str(exc)) for o in items if o not in sent)
        return sent, failed

    return send


def sender(policy: Policy, env: Mapping[str, str], git_config: robots.Lookup,
           clock: robots.Clock = time.time, memory: Path | None = None) -> Send:
    """Send each message by its channel: e-mail through SMTP, one post per notice and robot
    naming and @-mentioning that robot's recipients. Every channel in use is configured before
    anything goes out, so a missing setting refuses the run and sends nothing."""
    def send(items: list[Outgoing]) -> tuple[list[Outgoing], list[tuple[Outgoing, str]]]:
        email = [o for o in items if o.channel == EMAIL]
        posts: dict[tuple[str, int, str, str], list[Outgoing]] = {}
        for o in items:
            if o.channel != EMAIL:
                posts.setdefault((o.notice.case_id, o.notice.ref, o.notice.kind, o.channel), []).append(o)
        mail = smtp_sender(policy, env) if email else None
        hub = robots.Robots(policy, {o.channel for o in items if o.channel != EMAIL}, env, git_config, clock,
                            memory=memory)
        sent, failed = mail(email) if mail else ([], [])
        for group in posts.values():
            try:
                hub.post(group[0].channel, group[0].message, [o.recipient for o in group],
                         [o.mobile for o in group if o.mobile])
                sent.extend(group)
            except robots.RobotFailure as exc:
                failed.extend((o, str(exc)) for o in group)
        return sent, failed

    return send


def sender_for(ws: Workspace, env: Mapping[str, str]) -> Send:
    """The clone's sender: robot keys from its git config, recent posts remembered in its .git."""
    return sender(ws.policy, env, ws.git.get_config, memory=ws.git.git_dir / "complaintctl" / ROBOTS_POSTED)


def run(ws: Workspace, now: datetime, actor: Identity, send: Send | None, dry_run: bool = False,
        remote: str = "origin", branch: str = "main") -> NotifyResult:
    """Send what is due and record it; `send` None with dry_run."""
    policy = ws.policy
    if not policy.notifications.enabled:
        raise RepoStateError("notifications are off: the policy has no notifications.since (docs/notify.md)")
    if not dry_run and SYSTEM not in policy.roles_of(actor.name, actor.email):
        system = [f"{p.name} <{p.email}>" for p in policy.people if SYSTEM in p.roles]
        raise RepoStateError(f"notify records its notices as the system account, and {actor.name} is not one: run "
                             f"it with that git identity ({', '.join(system) or 'none in the policy: add one'})")
    has_remote = ws.git.remote_url(remote) is not None
    if has_remote and not dry_run:
        syncing.sync(ws, now, actor, remote, branch)  # notices recorded in other clones count
    due = outbox((r.data for r in index.load_records(ws)), policy, now)
    if dry_run or send is None:
        return NotifyResult(tuple(due))
    sent, failed = send([o for o in due if o.reachable])
    warnings: list[str] = []
    commit = record(ws, sent, now, actor) if sent else None
    how = ""
    if commit and has_remote:
        try:
            how = syncing.sync(ws, now, actor, remote, branch).how
        except SyncConflict:
            # Someone changed one of these cases meanwhile: record the same notices again on
            # top of their version (our commit is the only one not yet pushed: sync ran first).
            ws.git.reset_hard(f"{commit}^")
            ws.git.delete_branches_at(syncing.CONFLICT_PREFIX, commit)
            syncing.sync(ws, now, actor, remote, branch)
            still = _still_due(ws, sent, now)
            commit = record(ws, still, now, actor) if still else None
            how = syncing.sync(ws, now, actor, remote, branch).how if commit else "up to date"
            warnings.append(f"a case changed on {remote} meanwhile: {len(still)} of {len(sent)} sent notice(s) "
                            "recorded again on top of it")
    return NotifyResult(tuple(due), tuple(sent), tuple(failed), commit, how, tuple(warnings))


def _still_due(ws: Workspace, sent: list[Outgoing], now: datetime) -> list[Outgoing]:
    keep = []
    for o in sent:
        data = load_plain(store.load_case(ws, o.notice.case_id).text, o.notice.case_id)
        if any(n.kind == o.notice.kind and n.ref == o.notice.ref and o.recipient in n.recipients
               for n in notices.pending(data, ws.policy, now)):
            keep.append(o)
    return keep


def entries_for(sent: list[Outgoing]) -> dict[str, list[tuple[Notice, list[str]]]]:
    """case ID -> [(notice, the people it reached)], in the order sent."""
    grouped: dict[tuple[str, str, int], tuple[Notice, list[str]]] = {}
    for o in sent:
        key = (o.notice.case_id, o.notice.kind, o.notice.ref)
        grouped.setdefault(key, (o.notice, []))[1].append(o.recipient)
    out: dict[str, list[tuple[Notice, list[str]]]] = {}
    for (case_id, _, _), item in grouped.items():
        out.setdefault(case_id, []).append(item)
    return out


def entry(notice: Notice, people: list[str], now: datetime, actor: Identity, language: str) -> CommentedMap:
    what = mailtexts.text(language, notice.kind)
    return timeline_entry(now, actor.name, notices.NOTIFY,
                          extra={"notice": notice.kind, "ref": notice.ref, "recipients": list(people)},
                          note=f"{what} → {', '.join(people)} ({notice.rule})")


def record(ws: Workspace, sent: list[Outgoing], now: datetime, actor: Identity) -> str:
    """One commit: each case gets a `notify` entry per notice sent, judged as the hooks will."""
    writes: list[store.FileWrite] = []
    with transaction.writing(ws.root, ws.git):
        ws.git.ensure_ready_to_commit()
        commit = lifecycle.commit_for(ws, actor)
        findings: list[object] = []
        for case_id, items in entries_for(sent).items():
            loaded = store.load_case(ws, case_id)
            previous = load_plain(loaded.text, loaded.relpath, ws.policy.limits)
            doc = loaded.doc
            for notice, people in items:
                doc["timeline"].append(entry(notice, people, now, actor, ws.policy.language))
            text = dump_document(doc)  # the exact text committed is judged
            findings.extend(check_case(loaded.relpath, load_plain(text, loaded.relpath, ws.policy.limits), previous,
                                       ws.policy, now, commit))
            writes.append(store.FileWrite(loaded.relpath, text, loaded.text))
        if findings:
            raise ValidationFailed(findings)
        # one transaction (repo/transaction): a refusal, a kill or a full disk leaves nothing behind
        return store.commit_files(ws, writes, commit_message(ws.policy, sent, now), judged=True)


def commit_message(policy: Policy, sent: list[Outgoing], now: datetime) -> str:
    return messages.notified(policy, now, [(o.notice.case_id, o.notice.kind, o.recipient) for o in sent])
