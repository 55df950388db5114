"""What the shared server trusts: the oldest complaintctl that may judge this
repository, whether pushed commits must be signed, whether commit authors stand in for an
authenticated pusher, and whom a pusher may push commits for. Parsed from the policy file;
pure, no I/O.

```yaml
min_version: "0.2"            # the CLI and both hooks refuse to run older than this
signing: required             # every pushed commit carries an SSH signature from allowed_signers
trust_commit_authors: false   # with no authenticated pusher, role-gated changes are refused
people:
  - {name: 张敏, …, login: zhangmin, acts_for: [李工]}   # may push 李工's commits ("*": anyone's)
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from complaintctl import __version__
from complaintctl.errors import PolicyError

ADMIN = "hq"  # the admin role: the policy, templates, hooks, allowed_signers, branches and tags
SIGNERS_FILE = "allowed_signers"  # `ssh-keygen -Y` format, kept at the repository's root
SIGNING = ("off", "required")
ANYONE = "*"
_VERSION = re.compile(r"^\d+(\.\d+){0,3}$")


@dataclass(frozen=True)
class Trust:
    min_version: str = ""
    signing: str = "off"
    trust_commit_authors: bool = False
    acts_for: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # person name -> whom

    @property
    def signing_required(self) -> bool:
        return self.signing == "required"


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def check_min_version(top: Mapping[str, Any], source: str, running: str = __version__) -> str:
    """The policy's `min_version`, refused when this complaintctl is older. Checked before any
    other key, so a newer policy's new keys never show up as 'unknown key' instead."""
    raw = top.get("min_version")
    if raw is None:
        return ""
    text = str(raw).strip()
    if not _VERSION.match(text):
        raise PolicyError(f"{source}: min_version: {raw!r} is not a version such as 0.2 or 1.4.0")
    if version_tuple(text) > version_tuple(running.split("+")[0].split("-")[0]):
        raise PolicyError(f"{source}: min_version: this repository needs complaintctl {text} or newer and "
                          f"this is {running} — upgrade it (`pip install --upgrade .` in an up-to-date clone of "
                          "complaintctl, or `pip install --upgrade \"git+URL\"`; on the "
                          "server, the complaintctl its hook runs), so every office and the server judge "
                          "by the same rules")
    return text


def parse_trust(top: Mapping[str, Any], source: str, min_version: str) -> Trust:
    signing = top.get("signing", "off")
    if signing is False:  # YAML reads a bare `off` as false
        signing = "off"
    if signing not in SIGNING:
        raise PolicyError(f"{source}: signing: {signing!r} is not one of {', '.join(SIGNING)}")
    trust_authors = top.get("trust_commit_authors", False)
    if not isinstance(trust_authors, bool):
        raise PolicyError(f"{source}: trust_commit_authors: expected true or false")
    acts_for: dict[str, tuple[str, ...]] = {}
    for i, p in enumerate(top.get("people") or []):
        if not isinstance(p, Mapping) or p.get("acts_for") is None:
            continue
        whom = p["acts_for"]
        if not isinstance(whom, list) or not all(isinstance(w, str) and w.strip() for w in whom):
            raise PolicyError(f"{source}: people[{i}].acts_for: expected a list of people (name, email or "
                              f"login), or [\"{ANYONE}\"] for anyone")
        acts_for[str(p.get("name"))] = tuple(w.strip() for w in whom)
    return Trust(min_version, str(signing), trust_authors, acts_for)
