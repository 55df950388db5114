"""The marker format and field encryption (docs/design/encrypted-fields.md)."""

from __future__ import annotations

import pytest

from complaintctl.model import fields as F
from complaintctl.privacy import cipher
from complaintctl.privacy import marker as M


def test_a_field_round_trips_and_its_marker_names_office_and_key() -> None:
    key, kid = cipher.new_key(), cipher.new_kid()
    sealed = cipher.seal(key, kid, "SZ", F.INTAKE_COMPLAINANT_CONTACT, "13800138000")
    assert sealed.startswith("ENC[v1,SZ,") and "13800138000" not in sealed
    m = M.decode(sealed)
    assert (m.office, m.kid) == ("SZ", kid) and M.is_marker(sealed)
    assert cipher.unseal(key, m, F.INTAKE_COMPLAINANT_CONTACT) == "13800138000"
    # a new nonce on every write
    assert cipher.seal(key, kid, "SZ", F.INTAKE_COMPLAINANT_CONTACT, "13800138000") != sealed


def test_length_is_padded_to_32_bytes() -> None:
    key, kid = cipher.new_key(), cipher.new_kid()
    short = M.decode(cipher.seal(key, kid, "SZ", F.INTAKE_COMPLAINANT_NAME, "王"))
    longer = M.decode(cipher.seal(key, kid, "SZ", F.INTAKE_COMPLAINANT_NAME, "王女士住3栋"))
    assert len(short.ciphertext) == len(longer.ciphertext) == 32 + 16


def test_an_empty_value_stays_empty() -> None:
    assert cipher.seal(cipher.new_key(), cipher.new_kid(), "SZ", F.INTAKE_LOCATION, "") == ""


def test_a_ciphertext_cannot_move_to_another_field_office_or_key() -> None:
    key, kid = cipher.new_key(), cipher.new_kid()
    m = M.decode(cipher.seal(key, kid, "SZ", F.INTAKE_COMPLAINANT_CONTACT, "13800138000"))
    with pytest.raises(cipher.DecryptFailed):
        cipher.unseal(key, m, F.INTAKE_COMPLAINANT_NAME)
    with pytest.raises(cipher.DecryptFailed):
        cipher.unseal(key, M.Marker("GZ", m.kid, m.nonce, m.ciphertext), F.INTAKE_COMPLAINANT_CONTACT)
    with pytest.raises(cipher.DecryptFailed):
        cipher.unseal(cipher.new_key(), m, F.INTAKE_COMPLAINANT_CONTACT)


@pytest.mark.parametrize("text", ["13800138000", "ENC[v1,SZ,abc,def,ghi]", "ENC[v2,SZ,AAAAAAAAAAAAAAAAAAAAAA,"
                                  "AAAAAAAAAAAAAAAA,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA]",
                                  "ENC[v1,sz,x,y,z]", ""])
def test_what_is_not_a_marker(text: str) -> None:
    assert not M.is_marker(text)


def test_the_servers_field_check() -> None:
    sealed = cipher.seal(cipher.new_key(), cipher.new_kid(), "SZ", F.INTAKE_DETAILS, "漏水")
    assert M.field_problem(sealed, "SZ") is None
    assert M.field_problem(None, "SZ") is None and M.field_problem(M.ERASED, "SZ") is None
    assert "not clear text" in (M.field_problem("13800138000", "SZ") or "")
    assert "GZ" in (M.field_problem(sealed, "GZ") or "")


def test_case_keys_wrap_under_the_office_key_for_one_epoch() -> None:
    office_key, case_key, kid = cipher.new_key(), cipher.new_key(), cipher.new_kid()
    nonce, wrapped = cipher.wrap_case_key(office_key, "SZ", kid, 1, case_key)
    assert cipher.unwrap_case_key(office_key, "SZ", kid, 1, nonce, wrapped) == case_key
    with pytest.raises(cipher.DecryptFailed):
        cipher.unwrap_case_key(office_key, "SZ", kid, 2, nonce, wrapped)
