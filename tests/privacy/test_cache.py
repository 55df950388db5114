"""Unwrapped keys cached only where only their owner can read them (privacy/cache.py)."""

from __future__ import annotations

import stat
from pathlib import Path

from complaintctl.policy.policy import Person
from complaintctl.privacy import cache, casekeys, cipher, officekeys
from complaintctl.privacy import marker as M
from complaintctl.privacy.keyring import IDENTITY_ENV, Keyring
from complaintctl.repo.git import Git, Identity
from tests.conftest import Office
from tests.privacy.keys import ssh_key
from tests.privacy.test_keyring import NOW, _policy, _write


def _office_with_a_case_key(office: Office, tmp_path: Path) -> tuple[Path, str, bytes]:
    me = ssh_key(tmp_path, "me")
    people = [Person("张敏", "z@example.com", "customer-service", ("staff",), office="SZ", key=me.public)]
    from tests.privacy.keys import age_key

    policy = _policy(office, people, age_key(tmp_path, "recovery").public)
    keys = officekeys.new_keys("SZ", 1)
    _write(office.root, officekeys.epoch_files(keys, officekeys.recipients(policy, "SZ"), "孙总", NOW))
    kid, key = cipher.new_kid(), cipher.new_key()
    nonce, wrapped = cipher.wrap_case_key(keys.data, "SZ", kid, 1, key)
    casekeys.add(Git.open(office.root), "SZ", {M.b64(kid): casekeys.WrappedKey(1, nonce, wrapped)},
                 Identity("张敏", "z@x"))
    return me.private, M.b64(kid), key


def test_keys_are_cached_in_a_private_folder_and_file(office: Office, tmp_path: Path) -> None:
    private, kid, key = _office_with_a_case_key(office, tmp_path)
    env = {IDENTITY_ENV: str(private), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    git = Git.open(office.root)
    assert Keyring.open(office.root, git, env).case_key("SZ", kid) == key
    [folder] = list((tmp_path / "xdg" / "complaintctl").iterdir())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / cache.FILE).stat().st_mode) == 0o600
    # the ref gone from this clone: the cached key still opens the case
    git.run("update-ref", "-d", casekeys.ref("SZ"))
    assert Keyring.open(office.root, git, env).case_key("SZ", kid) == key
    # another identity from the same account has its own cache, and reads nothing
    other = ssh_key(tmp_path, "other")
    assert Keyring.open(office.root, git, {**env, IDENTITY_ENV: str(other.private)}).case_key("SZ", kid) is None


def test_a_folder_others_may_enter_is_not_used(office: Office, tmp_path: Path) -> None:
    private, kid, key = _office_with_a_case_key(office, tmp_path)
    env = {IDENTITY_ENV: str(private), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    git = Git.open(office.root)
    Keyring.open(office.root, git, env).case_key("SZ", kid)
    [folder] = list((tmp_path / "xdg" / "complaintctl").iterdir())
    folder.chmod(0o755)
    assert cache.KeyCache.open(git.git_dir, "x", env).case_key("SZ", kid) is None
    git.run("update-ref", "-d", casekeys.ref("SZ"))
    assert Keyring.open(office.root, git, env).case_key("SZ", kid) is None  # nothing read from there
    folder.chmod(0o700)
    (folder / cache.FILE).chmod(0o644)
    assert Keyring.open(office.root, git, env).case_key("SZ", kid) is None
