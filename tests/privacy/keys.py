"""Real keys made in the test: OpenSSH ed25519 keys by `ssh-keygen`, age keys by pyrage."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from pyrage import x25519


@dataclass(frozen=True)
class KeyPair:
    private: Path  # what COMPLAINTCTL_IDENTITY names
    public: str  # what people[].key holds


def ssh_key(where: Path, name: str) -> KeyPair:
    where.mkdir(parents=True, exist_ok=True)
    path = where / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)], check=True,
                   timeout=60, capture_output=True)
    return KeyPair(path, path.with_suffix(".pub").read_text(encoding="utf-8").strip())


def age_key(where: Path, name: str) -> KeyPair:
    where.mkdir(parents=True, exist_ok=True)
    identity = x25519.Identity.generate()
    path = where / f"{name}.txt"
    path.write_text(f"# {name}\n{identity}\n", encoding="utf-8")
    path.chmod(0o600)
    return KeyPair(path, str(identity.to_public()))
