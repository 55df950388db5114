"""`complaintctl keys`: an office's keys made, re-wrapped and rotated by hq, each change one
commit of keys/<OFFICE>/ (docs/design/encrypted-fields.md; R-RT-5). The server lets only hq
change keys/ (remote.access: deny by default outside cases/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.policy.policy import Person, Policy
from complaintctl.policy.trust import ADMIN, SIGNERS_FILE
from complaintctl.privacy import officekeys
from complaintctl.privacy.keyring import Keyring
from complaintctl.privacy.officekeys import OfficeKeys, Recipient
from complaintctl.repo import messages, transaction
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace, open_workspace


@dataclass(frozen=True)
class KeysChange:
    office: str
    epoch: int
    recipients: tuple[str, ...]
    commit: str
    revoke: tuple[str, ...] = ()  # what else to take away from people who left (rotate)


@dataclass(frozen=True)
class Reader:
    office: str
    epoch: int
    retired: bool
    recipients: tuple[str, ...]
    missing: tuple[str, ...]  # the office's people and hq with no key listed: they read nothing


def _hq_only(policy: Policy, actor: Identity, what: str) -> None:
    if ADMIN not in policy.roles_of(actor.name, actor.email):
        raise InvalidInput(_("keys {what}: only the admin role ({admin}) manages office keys (R-RT-5)")
                           .format(what=what, admin=ADMIN))


def _office(policy: Policy, office: str) -> str:
    if office != policy.office and office not in policy.offices:
        raise InvalidInput(_("OFFICE: {office} is not an office of this policy ({known})")
                           .format(office=office, known=", ".join(sorted({policy.office, *policy.offices}))))
    return office


def _recipients(policy: Policy, office: str) -> list[Recipient]:
    to = officekeys.recipients(policy, office)
    if not policy.privacy.recovery:
        raise InvalidInput(_("the policy has no privacy.recovery key: add one (an age key, age1…, kept "
                             "offline) before making office keys"))
    if len(to) < 2:
        raise InvalidInput(_("nobody of office {office} or hq has a people[].key: list at least one "
                             "(`complaintctl people set NAME --key …`)").format(office=office))
    return to


def _commit(ws: Workspace, files: dict[str, bytes], message: str) -> str:
    with transaction.writing(ws.root, ws.git):
        ws.git.ensure_ready_to_commit()
        writes = []
        for path, data in files.items():
            old = ws.root / path
            before = old.read_text(encoding="utf-8") if old.is_file() else None  # armored: text
            writes.append(transaction.FileWrite(path, data, before))
        return transaction.commit_files(ws.root, ws.git, writes, message)


def _held(ws: Workspace, office: str, what: str) -> dict[int, OfficeKeys]:
    keyring = Keyring.open(ws.root, ws.git)
    held = keyring.office_keys(office)
    epochs = officekeys.epochs(ws.root, office)
    lost = [e for e in epochs if e not in held]
    if lost:
        raise InvalidInput(_("keys {what}: your key does not open {office}'s epoch(s) {epochs} — run it with "
                             "COMPLAINTCTL_IDENTITY set to a key they are wrapped to (an hq key, or the "
                             "recovery key)").format(what=what, office=office, epochs=", ".join(map(str, lost))))
    return held


def init(ws: Workspace, office: str, now: datetime, actor: Identity) -> KeysChange:
    """Epoch 1 of an office's keys."""
    policy = ws.policy
    _hq_only(policy, actor, "init")
    _office(policy, office)
    if officekeys.epochs(ws.root, office):
        raise InvalidInput(_("office {office} already has keys: use `complaintctl keys rewrap` or "
                             "`complaintctl keys rotate`").format(office=office))
    to = _recipients(policy, office)
    keys = officekeys.new_keys(office, 1)
    sha = _commit(ws, officekeys.epoch_files(keys, to, actor.name, now),
                  messages.keys(policy, office, "init", 1, len(to), ()))
    return KeysChange(office, 1, tuple(r.name for r in to), sha)


def rewrap(ws: Workspace, office: str, now: datetime, actor: Identity) -> KeysChange:
    """Every epoch of the office wrapped again to the people now entitled (added or removed
    people, a changed key); the keys themselves stay, so no case changes."""
    policy = ws.policy
    _hq_only(policy, actor, "rewrap")
    _office(policy, office)
    held = _held(ws, office, "rewrap")
    if not held:
        raise InvalidInput(_("office {office} has no keys yet: run `complaintctl keys init {office}`")
                           .format(office=office))
    to = _recipients(policy, office)
    files: dict[str, bytes] = {}
    newest = max(held)
    for epoch, keys in held.items():
        old = officekeys.read_manifest((ws.root / officekeys.manifest_path(office, epoch)).read_text(encoding="utf-8"))
        files.update(officekeys.epoch_files(keys, to, actor.name, now, _when(old.get("retired"))))
    sha = _commit(ws, files, messages.keys(policy, office, "rewrap", newest, len(to), ()))
    return KeysChange(office, newest, tuple(r.name for r in to), sha)


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)) if value else None


def rotate(ws: Workspace, office: str, now: datetime, actor: Identity, left: tuple[str, ...] = ()) -> KeysChange:
    """A new epoch for the office (new cases use it) and the old ones re-wrapped for the people
    still entitled; what a leaver already held cannot be taken back, so the rest to revoke is listed."""
    policy = ws.policy
    _hq_only(policy, actor, "rotate")
    _office(policy, office)
    held = _held(ws, office, "rotate")
    if not held:
        raise InvalidInput(_("office {office} has no keys yet: run `complaintctl keys init {office}`")
                           .format(office=office))
    to = _recipients(policy, office)
    epoch = max(held) + 1
    files: dict[str, bytes] = {}
    for old_epoch, keys in held.items():
        manifest = officekeys.read_manifest(
            (ws.root / officekeys.manifest_path(office, old_epoch)).read_text(encoding="utf-8"))
        files.update(officekeys.epoch_files(keys, to, actor.name, now, _when(manifest.get("retired")) or now))
    fresh = officekeys.new_keys(office, epoch)
    files.update(officekeys.epoch_files(fresh, to, actor.name, now))
    sha = _commit(ws, files, messages.keys(policy, office, "rotate", epoch, len(to), [("Left", n) for n in left]))
    revoke = []
    for name in left:
        revoke.append(_("{name}: their key on the git server (gitolite: keydir/{name}.pub, or the server's "
                        "account)").format(name=name))
        revoke.append(_("{name}: their line in {file}, if they sign commits").format(name=name, file=SIGNERS_FILE))
    if not left:
        revoke.append(_("the leaver's key on the git server (gitolite keydir/) and their line in {file}")
                      .format(file=SIGNERS_FILE))
    return KeysChange(office, epoch, tuple(r.name for r in to), sha, tuple(revoke))


def who(ws: Workspace) -> list[Reader]:
    """Who can read what: each office's epochs and the names they are wrapped to (from the clear
    manifests: no key needed), and who of its people and hq lists no key."""
    policy = ws.policy
    rows = []
    for office in officekeys.offices(ws.root):
        entitled = [p.name for p in policy.people
                    if (officekeys.home_office(policy, p.office) == office or ADMIN in p.roles)
                    and "system" not in p.roles]
        for epoch in officekeys.epochs(ws.root, office):
            path = ws.root / officekeys.manifest_path(office, epoch)
            manifest = officekeys.read_manifest(path.read_text(encoding="utf-8")) if path.is_file() else {}
            names = tuple(str(r.get("name")) for r in manifest.get("recipients") or [] if isinstance(r, dict))
            rows.append(Reader(office, epoch, bool(manifest.get("retired")), names,
                               tuple(n for n in entitled if n not in names)))
    return rows


def rotate_after_leaving(ws: Workspace, person: Person, now: datetime, actor: Identity) -> list[KeysChange]:
    """`people remove`: the offices whose keys `person` could open get a new epoch, wrapped under
    the policy as it is now (without them): their home office's, every office's for hq."""
    fresh = open_workspace(ws.root)  # the policy just committed, without them
    home = officekeys.home_office(ws.policy, person.office)
    offices = officekeys.offices(ws.root) if ADMIN in person.roles else [home]
    return [rotate(fresh, office, now, actor, (person.name,)) for office in offices
            if officekeys.epochs(ws.root, office)]
