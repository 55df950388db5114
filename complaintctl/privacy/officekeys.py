"""An office's keys per epoch: a data key (wraps the case keys) and an index key (the blind
index), wrapped together with age to each person of the office with a `people[].key`, every
hq person and the offline recovery key. Stored as `keys/<OFFICE>/<epoch>.age` beside a clear
manifest `keys/<OFFICE>/<epoch>.yaml` (docs/design/encrypted-fields.md). Only hq may change
keys/ (the server checks it). Here: building, wrapping and reading those files; the caller
writes and commits them."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from complaintctl.policy.policy import Policy
from complaintctl.policy.trust import ADMIN
from complaintctl.privacy import marker as M
from complaintctl.privacy.cipher import new_key

KEYS_DIR = "keys"
RECOVERY = "(recovery)"  # the manifest's name for the offline recovery key
_EPOCH_FILE = re.compile(r"^([1-9][0-9]{0,5})\.age$")


@dataclass(frozen=True)
class OfficeKeys:
    office: str
    epoch: int
    data: bytes  # wraps the office's case keys
    index: bytes  # the blind index's HMAC key

    def payload(self) -> bytes:
        return json.dumps({"v": 1, "office": self.office, "epoch": self.epoch, "data": M.b64(self.data),
                           "index": M.b64(self.index)}, sort_keys=True).encode()


@dataclass(frozen=True)
class Recipient:
    name: str
    key: str  # the public key as the policy lists it

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)


class BadKeyFile(ValueError):
    """An unwrapped payload that is not an office-keys record for the expected office and epoch."""


def fingerprint(key: str) -> str:
    """As `ssh-keygen -l` prints an OpenSSH key (SHA256 of the key blob); an age key by its own text."""
    parts = key.split()
    if parts[0].startswith("ssh-") and len(parts) > 1:
        blob = base64.b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return "SHA256:" + base64.b64encode(hashlib.sha256(parts[0].encode()).digest()).decode().rstrip("=")


def age_path(office: str, epoch: int) -> str:
    return f"{KEYS_DIR}/{office}/{epoch}.age"


def manifest_path(office: str, epoch: int) -> str:
    return f"{KEYS_DIR}/{office}/{epoch}.yaml"


def home_office(policy: Policy, person_office: str) -> str:
    return person_office or policy.office


def recipients(policy: Policy, office: str) -> list[Recipient]:
    """Who an office's keys are wrapped to: its people with a key, every hq person, the recovery key."""
    out: list[Recipient] = []
    for p in policy.people:
        if p.key and (home_office(policy, p.office) == office or ADMIN in p.roles) and "system" not in p.roles:
            out.append(Recipient(p.name, p.key))
    if policy.privacy.recovery:
        out.append(Recipient(RECOVERY, policy.privacy.recovery))
    return out


def new_keys(office: str, epoch: int) -> OfficeKeys:
    return OfficeKeys(office, epoch, new_key(), new_key())


def _age_recipient(key: str) -> Any:
    import pyrage

    if key.startswith("age1"):
        return pyrage.x25519.Recipient.from_str(key)
    return pyrage.ssh.Recipient.from_str(key)


def wrap(keys: OfficeKeys, to: Sequence[Recipient]) -> bytes:
    """The age file holding `keys` for every recipient, ASCII-armored: a text file like every
    other in the repository (diffs, the transaction's put-back), read by `age -d` as well."""
    import pyrage

    return bytes(pyrage.encrypt(keys.payload(), [_age_recipient(r.key) for r in to], armored=True))


def unwrap(blob: bytes, identities: Sequence[Any], office: str, epoch: int) -> OfficeKeys | None:
    """The keys in an age file, or None when none of `identities` is among its recipients."""
    import pyrage

    if not identities:
        return None
    try:
        raw = pyrage.decrypt(blob, list(identities))
    except pyrage.DecryptError:
        return None
    try:
        got = json.loads(raw)
        keys = OfficeKeys(str(got["office"]), int(got["epoch"]), M.unb64(got["data"]), M.unb64(got["index"]))
    except (ValueError, KeyError, TypeError, M.BadMarker) as exc:
        raise BadKeyFile(f"{age_path(office, epoch)}: not an office-keys file") from exc
    if (keys.office, keys.epoch) != (office, epoch):  # a file copied to another office's or epoch's name
        raise BadKeyFile(f"{age_path(office, epoch)}: holds the keys of {keys.office} epoch {keys.epoch}")
    return keys


def manifest(keys: OfficeKeys, to: Sequence[Recipient], created_by: str, created_at: datetime,
             retired: datetime | None = None) -> str:
    """The clear manifest beside an age file: who it is wrapped to, by whom and when."""
    lines = [f"office: {keys.office}", f"epoch: {keys.epoch}",
             f"created_by: {json.dumps(created_by, ensure_ascii=False)}",
             f"created_at: '{created_at.isoformat()}'",
             f"retired: {'null' if retired is None else repr(retired.isoformat())}", "recipients:"]
    lines += [f"  - {{name: {json.dumps(r.name, ensure_ascii=False)}, fingerprint: {json.dumps(r.fingerprint)}}}"
              for r in to]
    return "\n".join(lines) + "\n"


def read_manifest(text: str) -> Mapping[str, Any]:
    import yaml

    data = yaml.safe_load(text)
    return data if isinstance(data, Mapping) else {}


def epochs(root: Path, office: str) -> list[int]:
    """The epochs whose age file the work tree has for `office`, oldest first."""
    folder = root / KEYS_DIR / office
    if not folder.is_dir():
        return []
    found = (_EPOCH_FILE.match(p.name) for p in folder.iterdir())
    return sorted(int(m.group(1)) for m in found if m)


def epoch_of(path: str) -> int | None:
    """The epoch an age file under keys/<OFFICE>/ stands for."""
    m = _EPOCH_FILE.match(path.rsplit("/", 1)[-1])
    return int(m.group(1)) if m else None


def offices(root: Path) -> list[str]:
    folder = root / KEYS_DIR
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def epoch_files(keys: OfficeKeys, to: Sequence[Recipient], created_by: str, created_at: datetime,
                retired: datetime | None = None) -> dict[str, bytes]:
    """path -> content of one epoch's two files."""
    return {age_path(keys.office, keys.epoch): wrap(keys, to),
            manifest_path(keys.office, keys.epoch): manifest(keys, to, created_by, created_at, retired).encode()}
