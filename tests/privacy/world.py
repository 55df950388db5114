"""A group with encrypted complainant fields: offices SZ and GZ and hq on one server
repository, every person with a real key made here (ssh-ed25519 by ssh-keygen; hq's an age
key), privacy required, office keys made by hq. Clones: SZ's (张敏), GZ's (周华), hq's (孙总)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from tests.conftest import Office, set_identity
from tests.group import group_policy
from tests.privacy.keys import KeyPair, age_key, ssh_key
from tests.remotes import clone, git

PEOPLE = {"zhangmin": ("张敏", "zhangmin@example.com"), "liuyang": ("刘洋", "liuyang@example.com"),
          "zhouhua": ("周华", "zhouhua@example.com"), "sun": ("孙总", "sun@example.com"),
          "ligong": ("李工", "ligong@example.com")}


@dataclass
class World:
    bare: Path
    keys: dict[str, KeyPair]
    recovery: KeyPair
    clones: dict[str, Office]
    monkeypatch: pytest.MonkeyPatch

    def as_(self, login: str) -> Office:
        """Act as `login` (git identity and COMPLAINTCTL_IDENTITY) in their office's clone."""
        name, email = PEOPLE[login]
        set_identity(self.monkeypatch, name, email)
        self.monkeypatch.setenv("COMPLAINTCTL_IDENTITY", str(self.keys[login].private))
        return self.clones[{"zhouhua": "gz", "sun": "hq"}.get(login, "sz")]


def privacy_policy(text: str, keys: dict[str, KeyPair], recovery: str) -> str:
    text = group_policy(text)
    for login, pair in keys.items():
        text = re.sub(rf"(login: {login},)", rf'\1 key: "{pair.public}",', text, count=1)
    return text.replace("\npeople:\n", f'\nprivacy: {{required: true, recovery: "{recovery}"}}\npeople:\n', 1)


def build(base: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    keydir = base / "keys"
    keys = {login: ssh_key(keydir, login) for login in ("zhangmin", "liuyang", "zhouhua", "ligong")}
    keys["sun"] = age_key(keydir, "sun")
    recovery = age_key(keydir, "recovery")
    root = base / "seed"
    result = CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    seed = Office(root)
    policy = root / "complaintctl.yaml"
    policy.write_text(privacy_policy(policy.read_text(encoding="utf-8"), keys, recovery.public), encoding="utf-8")
    set_identity(monkeypatch, *PEOPLE["sun"])
    seed.git("commit", "-qam", "group policy: offices, logins, keys, privacy required")
    bare = base / "remote.git"
    result = CliRunner().invoke(cli, ["server", "init", str(bare), "--allow-anonymous"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    seed.git("remote", "add", "origin", str(bare))
    seed.git("push", "-q", "origin", "main")
    clones = {"sz": clone(str(bare), base / "sz", "SZ"), "gz": clone(str(bare), base / "gz", "GZ"),
              "hq": clone(str(bare), base / "hq")}
    world = World(bare, keys, recovery, clones, monkeypatch)
    hq = world.as_("sun")
    for office in ("SZ", "GZ"):
        hq.run("keys", "init", office)
    monkeypatch.setenv("GL_USER", "sun")
    hq.run("sync")
    monkeypatch.delenv("GL_USER")
    for name in ("sz", "gz"):
        git(clones[name].root, "pull", "-q", "--ff-only", "origin", "main")
    save(world, base)
    return world


def reopen(base: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """A copy of a world `build` made (under base): its clones pointed at the copy's server."""
    import json

    saved = json.loads((base / "world.json").read_text(encoding="utf-8"))
    keys = {k: KeyPair(base / v[0], v[1]) for k, v in saved["keys"].items()}
    clones = {}
    for name in ("sz", "gz", "hq"):
        clones[name] = Office(base / name)
        git(base / name, "remote", "set-url", "origin", str(base / "remote.git"))
    recovery = KeyPair(base / saved["recovery"][0], saved["recovery"][1])
    return World(base / "remote.git", keys, recovery, clones, monkeypatch)


def save(world: World, base: Path) -> None:
    import json

    def rel(pair: KeyPair) -> list[str]:
        return [str(pair.private.relative_to(base)), pair.public]

    (base / "world.json").write_text(json.dumps({"keys": {k: rel(v) for k, v in world.keys.items()},
                                                 "recovery": rel(world.recovery)}), encoding="utf-8")
