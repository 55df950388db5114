"""`privacy:` and `people[].key`: whether complainant fields must be stored encrypted (R-RT-5),
the offline recovery key, and each person's public key. Pure, no I/O; the keys are checked by
shape only here (the age library is loaded only where something is encrypted).

```yaml
privacy: {required: true, recovery: "age1…"}   # docs/design/encrypted-fields.md
people:
  - {name: 张敏, …, key: "ssh-ed25519 AAAA… zhangmin@laptop"}   # or an age key, "age1…"
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from complaintctl.errors import PolicyError

AGE_KEY = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")  # bech32, X25519 recipient
SSH_KEY = re.compile(r"^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]{44,}=*( .*)?$")


@dataclass(frozen=True)
class Privacy:
    required: bool = False  # R-RT-5: protected fields must be markers (docs/design/encrypted-fields.md)
    recovery: str = ""  # the offline X25519 recovery key every office key is also wrapped to


def public_key_problem(value: str) -> str | None:
    """Why `value` is not a public key people[].key may hold; None when it is one."""
    if AGE_KEY.match(value) or SSH_KEY.match(value):
        return None
    return f"{value[:30]!r} is not an age key (age1…) or an OpenSSH ssh-ed25519 public key"


def parse_key(raw: Any, source: str, where: str) -> str:
    """One person's `key:`, "" when absent."""
    if raw is None:
        return ""
    text = " ".join(str(raw).split()) if isinstance(raw, str) else None
    problem = public_key_problem(text) if text else "expected a text"
    if problem is not None:
        raise PolicyError(f"{source}: {where}.key: {problem}")
    assert text is not None
    return text


def parse_privacy(raw: Any, source: str) -> Privacy:
    if raw is None:
        return Privacy()
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{source}: privacy: expected a mapping such as {{required: true, recovery: \"age1…\"}}")
    for key in raw:
        if key not in ("required", "recovery"):
            raise PolicyError(f"{source}: privacy.{key}: unknown key (known: recovery, required)")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise PolicyError(f"{source}: privacy.required: expected true or false")
    recovery = str(raw.get("recovery") or "").strip()
    if recovery and not AGE_KEY.match(recovery):
        raise PolicyError(f"{source}: privacy.recovery: {recovery[:30]!r} is not an age key (age1…)")
    if required and not recovery:
        # without it, an office whose people all leave at once could never be read again
        raise PolicyError(f"{source}: privacy.recovery: required when privacy.required is true "
                          "(an age key, age1…, kept offline)")
    return Privacy(required, recovery)
