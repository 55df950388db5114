"""The blind index's pure parts (privacy.blindindex): one caller, however their phone or name
is written, gives one lookup; a phone never matches a name; a bare 王女士 gives none."""

from __future__ import annotations

import pytest

from complaintctl.privacy.blindindex import DIGEST_BYTES, Lookup, caller, name_key, parse, phones

KEY = bytes(range(32))


@pytest.mark.parametrize("written", ["13912345678", "139 1234 5678", "+86 139-1234-5678", "139.1234.5678",
                                     "008613912345678", "手机13912345678(微信同号)", "１３９１２３４５６７８"])
def test_one_mobile_however_written(written: str) -> None:
    assert phones(written) == ["+8613912345678"]


def test_a_landline_keeps_its_area_code() -> None:
    assert phones("0755-8765 4321") == phones("+86 755 8765 4321") == ["+8675587654321"]
    assert phones("020-8765 4321") != phones("0755-8765 4321")


@pytest.mark.parametrize("bare", ["王女士", "李先生", "Mr. Li", "", "  "])
def test_a_bare_honorific_says_too_little(bare: str) -> None:
    assert name_key(bare) is None
    assert caller(KEY, "SZ", 1, bare, "").all == ()


def test_a_name_however_spaced_or_cased() -> None:
    assert name_key(" 欧阳 娜娜 ") == name_key("欧阳娜娜") == "欧阳娜娜"
    assert name_key("John  SMITH") == name_key("ｊｏｈｎ smith")


def test_lookups_are_keyed_per_office_and_epoch_and_kind() -> None:
    a = caller(KEY, "SZ", 1, "欧阳娜娜", "13912345678")
    assert a == caller(KEY, "SZ", 1, "欧阳 娜娜", "139-1234-5678")
    assert len(a.by_phone) == 1 and len(a.by_name) == 1
    assert not set(a.all) & set(caller(KEY, "SZ", 2, "欧阳娜娜", "13912345678").all)  # another epoch
    assert not set(a.all) & set(caller(bytes(32), "SZ", 1, "欧阳娜娜", "13912345678").all)  # another key
    # a name that is a phone's digits is still not that phone (each kind hashed apart)
    assert not set(caller(KEY, "SZ", 1, "", "13912345678").all) & set(caller(KEY, "SZ", 1, "+8613912345678", "").all)
    for text in a.all:
        parsed = parse(text)
        assert parsed is not None and parsed.office == "SZ" and parsed.epoch == 1
        assert len(parsed.digest) == DIGEST_BYTES and str(parsed) == text
        assert "1391234" not in text


@pytest.mark.parametrize("bad", ["BIDX[v2,SZ,1,AAAAAAAAAAAAAAAAAAAAAA]", "BIDX[v1,sz,1,AAAAAAAAAAAAAAAAAAAAAA]",
                                 "BIDX[v1,SZ,1,AAAA]", "13912345678", None, 5])
def test_malformed_lookups_are_not_lookups(bad: object) -> None:
    assert parse(bad) is None


def test_a_lookup_prints_as_its_marker() -> None:
    assert str(Lookup("GZ", 3, bytes(16))) == "BIDX[v1,GZ,3,AAAAAAAAAAAAAAAAAAAAAA]"
