"""R-RP-4 and R-RT-5: what identifies someone by its shape — phones, e-mail, chat accounts, car
plates, ID numbers, addresses and unit numbers, titled English names — found as spans of the text.
Shared by the masker (reporting/masking) and the rules, which may not import reporting.

Every detector reads `normalise(text)`, a copy of the same length where full-width letters and
digits (１３５, ＠), the ideographic full stop (。) and runs of Chinese numerals
(一三五二四六八一三五七) read as ASCII, so a span found there is a span of the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

PERSON, GIVEN = "person", "given"  # a full name (surname kept when masked); a given name alone
PHONE, NUMBER, EMAIL, ACCOUNT, PLATE, ID, ADDRESS = "phone", "number", "email", "account", "plate", "id", "address"


class Span(NamedTuple):
    start: int
    end: int
    kind: str


_CN_DIGITS = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
_CN_DIGIT_RUN = re.compile(r"[零〇一二三四五六七八九幺0-9]{7,}")


def normalise(text: str) -> str:
    """Full-width ASCII, 。 and runs of 7+ Chinese numerals as plain ASCII; the length is kept."""
    chars = [chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else " " if c == "\u3000" else
             "." if c == "。" else c for c in text]
    out = "".join(chars)
    # 一三五二四六八一三五七 is a phone number; 三天 or 一二楼 is not (too short to be one)
    return _CN_DIGIT_RUN.sub(lambda m: m.group().translate(_CN_DIGITS), out)


def phones(norm: str) -> Iterator[Span]:
    """Numbers `phonenumbers` finds valid in China (+86 and foreign ones written with +), then the
    shapes it leaves: a local landline without its area code, a mobile with any separators."""
    import phonenumbers  # imported where used: ~70 ms, and most commands never mask

    # Leniency VALID: POSSIBLE also took dates (2026-10-12), amounts (12000) and case IDs'
    # digits (SZ-2610-0018); STRICT_GROUPING missed `1352468 1357` (tests/masking_corpus.py).
    for m in phonenumbers.PhoneNumberMatcher(norm, "CN", leniency=phonenumbers.Leniency.VALID):
        start = m.start + 1 if m.raw_string.startswith("(") and ")" not in m.raw_string else m.start
        yield Span(start, m.end, PHONE)  # not the bracket the number was written in: （13566667777）
    for pattern in _PHONES:
        for found in pattern.finditer(norm):
            yield Span(found.start(), found.end(), PHONE)
    for run in _LONG_RUN.finditer(norm):  # an 11-digit run, an account or card number as typed
        digits = run.group()
        local = len(digits) in (7, 8) and digits[0] not in "01"  # a landline without its area code
        yield Span(run.start(), run.end(), PHONE if local or (len(digits) == 11 and digits[0] == "1") else NUMBER)


_PHONES = (
    re.compile(r"(?<![\dA-Za-z])1[\s.-]?[3-9](?:[\s.-]?\d){9}(?![\d])"),  # mobile, any separators
    # 8765 4321 / 8765-4321: a landline without its area code (local numbers start 2-9); not 2025-2026
    re.compile(r"(?<![\dA-Za-z.-])(?!(?:19|20)\d\d[-~]\s?(?:19|20)\d\d)[2-9]\d{2,3}[\s-]\d{4}(?![\d-])"),
    re.compile(r"(?<![\dA-Za-z])(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{4}(?!\d)"),  # (020)8765 4321
)
_LONG_RUN = re.compile(r"(?<![\dA-Za-z])\d{7,}(?!\d)(?!\s*(?:元|万|亿|%))")

_EMAIL = re.compile(  # starting only where a run of such characters starts: linear on a long run
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*\s?(?:@|\(at\)|\[at\]|艾特)\s?"
    r"(?:[A-Za-z0-9-]+(?:\s?(?:\.|\(dot\)|\[dot\]|点)\s?[A-Za-z0-9-]+)+"
    r"|(?:qq|163|126|139|sina|sohu|foxmail|gmail|hotmail|outlook|yahoo)(?![A-Za-z0-9]))", re.IGNORECASE)
# WeChat and QQ, however spelt (威信, 薇信, V信, vx, wx): the handle, not the word before it
_ACCOUNT = re.compile(
    r"(?i)(?:微信|威信|薇信|[VＶ]信|(?<![A-Za-z])(?:vx|wx|weixin|wechat)(?![A-Za-z0-9_])|QQ|扣扣)"
    r"\s*(?:号码|号|ID)?\s*(?:是|为|[:：])?\s*"
    r"([A-Za-z][-_A-Za-z0-9]{4,19}|\d{5,11})(?![-_A-Za-z0-9])")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
# 粤B12345, 粤B·12345, and the new-energy 粤BD12345 / 粤B12345D (eight characters in all)
_PLATE = re.compile(rf"[{_PROVINCES}][A-Za-z][·•\s]?(?:[A-Za-z0-9]{{5,6}}|[A-Za-z0-9]{{4}}[挂学警港澳])(?![A-Za-z0-9])")
_IDS = (
    re.compile(r"(?<![0-9A-Za-z])\d{6}\s?(?:18|19|20)\d{2}\s?\d{4}\s?\d{3}[\dXx](?![0-9A-Za-z])"),  # 18 digits
    re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"),  # the old 15-digit card
)
_ID_AFTER_WORD = re.compile(r"(?i)(?:身份证号?码?|证件号?码?|护照号?码?|passport(?:\s+no\.?)?)\s*[:：]?\s*"
                            r"([A-Za-z0-9]{6,18})(?![A-Za-z0-9])")

# Chinese addresses: the whole run of building, unit and room (12号楼3单元402, B座1502,
# 3栋2单元1201室), never a date (10月3号), a count (涉及12户) or a floor alone (电梯停在12层).
_NUM = r"(?:[A-Za-z]?\d{1,5}[A-Za-z]?|[一二三四五六七八九十百零〇两]{1,4})"
_FIRST = rf"(?:{_NUM}(?:号楼|号院|号铺|栋|幢|座|单元|室|房(?![间屋子东价租]))|[A-Za-z](?:座|栋|幢))"
_LATER = rf"(?:{_FIRST}|{_NUM}(?:层|楼(?![上下道梯顶面内外前后里盘])))"
_ROOM = r"(?:[\s-]*\d{2,4}[A-Za-z]?(?![\d号栋幢座单元层楼室房年月日天次个元分秒]))"
_CN_ADDRESS = re.compile(rf"(?<![月\dA-Za-z])(?:第\s*)?{_FIRST}(?:[\s-]*{_LATER})*{_ROOM}?")
_STREET = re.compile(r"([\u4e00-\u9fff]{2,4})(?:大道|路|街|巷|弄|胡同)\s*\d+\s*号(?:院|楼)?")
_STREET_LEAD = "住在于到至从是的址位家主户近往"  # 业主住在深南大道… → 深南大道…
_ADDRESSES = (
    re.compile(r"(?<![\d-])\d{1,3}-\d{1,3}-\d{3,5}(?![\d-])"),  # 12-3-1201: building-unit-room
    re.compile(r"(?i)(?<![A-Za-z])(?:room|rm\.?|unit|flat|apt\.?|apartment|suite|building|bldg\.?|block|tower|"
               r"floor)\s*(?:no\.?\s*)?#?\s*[A-Z]?\d+[A-Z]?(?![A-Za-z0-9])"),
    re.compile(r"#\s*\d{2,}[A-Za-z]?(?![A-Za-z0-9])"),
    re.compile(r"(?<![A-Za-z0-9])\d+[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|"
               r"Drive|Dr|Boulevard|Blvd|Way|Court|Ct)(?![A-Za-z])\.?"),
)
_ROOM_AFTER_WORD = re.compile(r"(?:房号|房间号?|门牌号?)\s*[:：]?\s*([A-Za-z]?\d+[A-Za-z]?)")
# Mr. John Smith, Ms Lee: the name, not the title
_NAME = r"[A-Z][a-zA-Z-]*(?:'[A-Z][a-zA-Z-]+)?"  # O'Brien, not Brown's
_TITLED = re.compile(rf"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+({_NAME}(?:\s+{_NAME})?)")


def _groups(pattern: re.Pattern[str], norm: str, kind: str) -> Iterator[Span]:
    for m in pattern.finditer(norm):
        g = 1 if pattern.groups else 0
        yield Span(m.start(g), m.end(g), kind)


def addresses(norm: str) -> Iterator[Span]:
    yield from _groups(_CN_ADDRESS, norm, ADDRESS)
    for m in _STREET.finditer(norm):
        start = m.start()
        while m.end(1) - start > 2 and norm[start] in _STREET_LEAD:
            start += 1
        yield Span(start, m.end(), ADDRESS)
    for pattern in _ADDRESSES:
        yield from _groups(pattern, norm, ADDRESS)
    yield from _groups(_ROOM_AFTER_WORD, norm, ADDRESS)


def by_shape(norm: str) -> Iterator[Span]:
    """Every span whose shape alone says it identifies someone."""
    yield from phones(norm)
    yield from _groups(_EMAIL, norm, EMAIL)
    yield from _groups(_ACCOUNT, norm, ACCOUNT)
    yield from _groups(_PLATE, norm, PLATE)
    for pattern in _IDS:
        yield from _groups(pattern, norm, ID)
    yield from _groups(_ID_AFTER_WORD, norm, ID)
    yield from addresses(norm)
    yield from _groups(_TITLED, norm, PERSON)
