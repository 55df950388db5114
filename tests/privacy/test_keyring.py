"""Office keys wrapped with age to people's real keys, case keys in their ref, the keyring."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from complaintctl.model.identity import Identity
from complaintctl.policy.policy import Person, Policy, load_policy
from complaintctl.policy.privacy import Privacy
from complaintctl.privacy import casekeys, cipher, officekeys
from complaintctl.privacy import marker as M
from complaintctl.privacy.keyring import IDENTITY_ENV, Keyring, load_identities
from complaintctl.repo.git import Git
from tests.conftest import Office
from tests.privacy.keys import age_key, ssh_key

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _policy(office: Office, people: list[Person], recovery: str) -> Policy:
    from dataclasses import replace

    return replace(load_policy(office.root), people=tuple(people), privacy=Privacy(True, recovery))


def _write(root: Path, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)


def test_office_keys_open_for_their_people_hq_and_recovery_only(office: Office, tmp_path: Path) -> None:
    sz, gz, hq = ssh_key(tmp_path, "sz"), ssh_key(tmp_path, "gz"), ssh_key(tmp_path, "hq")
    recovery = age_key(tmp_path, "recovery")
    people = [Person("张敏", "z@example.com", "customer-service", ("staff",), office="SZ", key=sz.public),
              Person("周华", "h@example.com", "customer-service", ("staff",), office="GZ", key=gz.public),
              Person("孙总", "s@example.com", "customer-service", ("hq",), office="HQ", key=hq.public)]
    policy = _policy(office, people, recovery.public)
    keys = officekeys.new_keys("SZ", 1)
    to = officekeys.recipients(policy, "SZ")
    assert [r.name for r in to] == ["张敏", "孙总", officekeys.RECOVERY]
    _write(office.root, officekeys.epoch_files(keys, to, "孙总", NOW))
    manifest = officekeys.read_manifest((office.root / "keys/SZ/1.yaml").read_text(encoding="utf-8"))
    assert manifest["epoch"] == 1 and manifest["recipients"][0]["fingerprint"].startswith("SHA256:")
    git = Git.open(office.root)
    for who, can in ((sz, True), (hq, True), (recovery, True), (gz, False)):
        ring = Keyring.open(office.root, git, {IDENTITY_ENV: str(who.private)})
        assert ring.can_read("SZ") is can
        assert (ring.current("SZ") == keys) is can
    nobody = Keyring.open(office.root, git, {IDENTITY_ENV: str(tmp_path / "missing")})
    assert not nobody.has_identity and not nobody.can_read("SZ")


def test_a_missing_or_locked_identity_is_no_key_not_an_error(tmp_path: Path) -> None:
    assert load_identities({IDENTITY_ENV: str(tmp_path / "none")}) == []
    (tmp_path / "junk").write_text("not a key", encoding="utf-8")
    assert load_identities({IDENTITY_ENV: str(tmp_path / "junk")}) == []
    import subprocess

    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f", str(tmp_path / "locked")],
                   check=True, timeout=60)
    assert load_identities({IDENTITY_ENV: str(tmp_path / "locked")}) == []
    # by default ~/.ssh/id_ed25519
    (tmp_path / "home/.ssh").mkdir(parents=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "home/.ssh/id_ed25519")],
                   check=True, timeout=60)
    assert len(load_identities({"HOME": str(tmp_path / "home")})) == 1


def test_case_keys_are_added_to_their_ref_and_opened_by_key_holders(office: Office, tmp_path: Path) -> None:
    sz = ssh_key(tmp_path, "sz")
    people = [Person("张敏", "z@example.com", "customer-service", ("staff",), office="SZ", key=sz.public)]
    policy = _policy(office, people, age_key(tmp_path, "recovery").public)
    keys = officekeys.new_keys("SZ", 1)
    _write(office.root, officekeys.epoch_files(keys, officekeys.recipients(policy, "SZ"), "孙总", NOW))
    git = Git.open(office.root)
    head_before = git.rev_parse("HEAD")
    entries = {}
    for _ in range(3):
        kid, key = cipher.new_kid(), cipher.new_key()
        nonce, wrapped = cipher.wrap_case_key(keys.data, "SZ", kid, 1, key)
        entries[M.b64(kid)] = (key, casekeys.WrappedKey(1, nonce, wrapped))
    first = casekeys.add(git, "SZ", {k: w for k, (_, w) in list(entries.items())[:2]}, Identity("张敏", "z@x"))
    second = casekeys.add(git, "SZ", {k: w for k, (_, w) in list(entries.items())[2:]}, Identity("张敏", "z@x"))
    assert git.parents(second) == [first]  # a fast-forward chain
    assert git.rev_parse("HEAD") == head_before  # main's history untouched
    assert set(casekeys.read_all(git, [casekeys.ref("SZ")])) == set(entries)
    ring = Keyring.open(office.root, git, {IDENTITY_ENV: str(sz.private)})
    for kid, (key, _) in entries.items():
        assert ring.case_key("SZ", kid) == key
    ring.preload("SZ")
    assert all(ring.case_key("SZ", kid) == key for kid, (key, _) in entries.items())
    outsider = Keyring.open(office.root, git, {IDENTITY_ENV: str(ssh_key(tmp_path, "gz").private)})
    assert outsider.case_key("SZ", next(iter(entries))) is None
