"""R-RP-4 (and R-RT-5): the masker — every span that identifies someone, found on the original
text, merged, then replaced in one style that still reads (docs/reports.md, "Masking"):
a Chinese name keeps its surname (王小明 → 王某, 欧阳娜娜 and 娜娜 alone → 欧阳某), anything else
becomes its kind in brackets in the office's language (【电话】, 【地址】, [phone], [name] …),
so the same thing reads the same everywhere in one bulletin.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from complaintctl import labels
from complaintctl.model import detectors
from complaintctl.model import fields as F
from complaintctl.model.case import get
from complaintctl.model.detectors import (
    ACCOUNT,
    ADDRESS,
    EMAIL,
    GIVEN,
    ID,
    NUMBER,
    PERSON,
    PHONE,
    PLATE,
    Span,
)
from complaintctl.reporting.masking import names as naming

if TYPE_CHECKING:
    from complaintctl.policy.policy import Policy

Literal = tuple[str, str]  # a string known to identify someone, and its kind
PLACEHOLDERS = ("name", PHONE, NUMBER, EMAIL, ACCOUNT, PLATE, ID, ADDRESS)
_HAN = re.compile(r"[\u4e00-\u9fff]{2}")
# which kind a span of the same length reads as: the more telling one (QQ号 123456789 is an account;
# 娜娜 alone, listed as 欧阳娜娜, is that given name even when the tagger also calls it a name)
_RANK = {k: i for i, k in enumerate((PERSON, GIVEN, NUMBER, ADDRESS, PHONE, PLATE, EMAIL, ACCOUNT, ID))}


def kind_of(text: str) -> str:
    """A literal's kind from its shape: an e-mail, a phone (7 digits or more), else a name."""
    if "@" in text or "＠" in text:
        return EMAIL
    return PHONE if len(re.sub(r"\D", "", text)) >= 7 else PERSON


def _expand(text: str, kind: str) -> Iterable[Literal]:
    """A literal and the other ways it is written: a phone without separators or +86, an English
    name's words alone (John Smith → Smith)."""
    yield text, kind
    if kind == PHONE:
        digits = re.sub(r"\D", "", text)
        yield digits, PHONE
        if len(digits) == 13 and digits.startswith("86"):
            yield digits[2:], PHONE
    elif kind == PERSON and re.fullmatch(r"[A-Za-z][A-Za-z .'-]*", text):
        yield from ((w, PERSON) for w in text.split() if len(w) >= 3 and w[0].isupper())


class Masker:
    """Masks the given literals (longest first, given names alone where they stand alone), every
    shape `detectors` and `names` know, and the names the tagger `names` finds (R-RP-4); never
    inside `keep` (the office's own name)."""

    def __init__(self, literals: Iterable[str | Literal] = (), names: naming.NameFinder | None = None,
                 keep: Iterable[str] = (), language: str = "zh") -> None:
        kinds: dict[str, str] = {}
        givens: dict[str, str] = {}  # given name -> its surname
        for item in dict.fromkeys(literals):  # each case's people come once per timeline entry
            raw, kind = (item, kind_of(item)) if isinstance(item, str) else item
            for text, k in _expand(str(raw).strip(), kind):
                if len(text) >= 2 and (len(text) >= 7 or k != PHONE):
                    kinds.setdefault(text, k)
            if kind == PERSON and (given := naming.given_name(str(raw).strip())):
                givens[given] = naming.surname_of(str(raw).strip())
        self._kinds = kinds
        self._literal = _alternation(kinds)
        self._givens = givens
        self._given = _alternation(givens)
        self._keep = _alternation({k for k in keep if k})
        self._names = names
        words = labels.labels(language)
        self._words = {k: words[f"mask_{k}"] for k in PLACEHOLDERS}

    def spans(self, text: str) -> list[Span]:
        """Every span to mask in `text`, merged and in order."""
        norm = detectors.normalise(text)
        found: list[Span] = list(detectors.by_shape(norm))
        tags = self._names(text) if self._names is not None and _HAN.search(text) else None
        found += naming.by_shape(text, tags)
        if self._literal is not None:
            for version in {text, norm}:  # a phone written in full-width digits is still that phone
                found += (Span(m.start(), m.end(), self._kinds[m.group()]) for m in self._literal.finditer(version))
        if self._given is not None:
            found += naming.given_names_in(text, self._given)
        if tags is not None:  # a tagged name never straddles an address or a number (单元楼/nr)
            shapes = [(s.start, s.end) for s in found if s.kind not in (PERSON, GIVEN)]
            found += (t for t in naming.tagged(text, tags) if not any(t.start < e and b < t.end for b, e in shapes))
        kept = [(m.start(), m.end()) for m in self._keep.finditer(text)] if self._keep is not None else []
        found = [s for s in found if not (s.kind in (PERSON, GIVEN) and any(s.start < e and b < s.end
                                                                             for b, e in kept))]
        return _merge(found, text)

    def __call__(self, text: Any) -> str:
        if text is None:
            return ""
        text = str(text)
        out, at = [], 0
        for span in self.spans(text):
            out.append(text[at:span.start])
            piece = text[span.start:span.end]
            if span.kind == GIVEN:  # 娜娜 alone reads as its owner does: 欧阳某
                out.append(self._givens[piece] + "某" if self._givens.get(piece) else "某某")
            elif span.kind == PERSON:
                out.append(naming.masked_name(piece) or self._words["name"])
            else:
                out.append(self._words[span.kind])
            at = span.end
        out.append(text[at:])
        return "".join(out)


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(words), key=len, reverse=True)
    if not ordered:
        return None
    # an English word only as a whole word (Lee, not Leeds); anything else wherever it stands
    return re.compile("|".join(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])" if w.isascii() and w[-1].isalpha()
                               else re.escape(w) for w in ordered))


def _merge(spans: list[Span], text: str) -> list[Span]:
    """Overlapping spans as one, of the longer one's kind; an address's parts next to each other
    (深南大道1001号 5号楼12层) as one address."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if s.start >= s.end:
            continue
        if out and s.start < out[-1].end:
            last = out[-1]
            longer = (last.end - last.start, _RANK[last.kind]) >= (s.end - s.start, _RANK[s.kind])
            kind = last.kind if longer else s.kind
            out[-1] = Span(last.start, max(last.end, s.end), kind)
        elif out and out[-1].kind == s.kind == ADDRESS and not text[out[-1].end:s.start].strip():
            out[-1] = Span(out[-1].start, s.end, ADDRESS)
        else:
            out.append(s)
    return out


def identifying(data: Mapping[str, Any]) -> list[Literal]:
    """The complainant's own identifying strings in one case (R-IN-1 intake fields), by kind."""
    out: list[Literal] = []
    for path, kind in ((F.INTAKE_COMPLAINANT_NAME, PERSON), (F.INTAKE_COMPLAINANT_ADDRESS, ADDRESS),
                       (F.INTAKE_LOCATION, ADDRESS)):
        value = get(data, path)
        if value is not None and str(value).strip():
            out.append((str(value).strip(), kind))
    contact = str(get(data, F.INTAKE_COMPLAINANT_CONTACT) or "").strip()
    kind = kind_of(contact)
    if kind != PERSON:
        out.append((contact, kind))
    elif re.search(r"[A-Za-z0-9]{3}", contact):  # a chat handle; not words such as 未留
        out.append((contact, ACCOUNT))
    return out


_PEOPLE_FIELDS = (F.ACCUSED_PERSON, F.ROUTING_HANDLER, F.PLAN_RESOLVER, F.RESOLUTION_BY, F.REVISIT_BY,
                  F.CLOSING_BY, F.ASSESSMENT_DECIDED_BY, F.INTAKE_FIRST_RECEIVER)


def people_in(data: Mapping[str, Any]) -> list[Literal]:
    """The case's own people other than the complainant: accused, handler, whoever acted."""
    out = [str(get(data, f)) for f in _PEOPLE_FIELDS if get(data, f)]
    out += [str(c) for c in (get(data, F.ROUTING_COPIED) or []) if c]
    timeline = data.get("timeline")
    out += [str(e.get("by")) for e in (timeline if isinstance(timeline, list) else [])
            if isinstance(e, Mapping) and e.get("by")]
    return [(p, PERSON) for p in out]


def masker_for(cases: Iterable[Mapping[str, Any]], policy: Policy | None = None,
               names: naming.NameFinder | None = None) -> Masker:
    """A masker that knows the complainants of these cases, their other people, the policy's
    `people` and (with `names`) finds other person names in the text; it keeps the office's
    own name and speaks the policy's language."""
    literals: list[Literal] = [(p.name, PERSON) for p in policy.people] if policy is not None else []
    for data in cases:
        literals.extend(identifying(data))
        literals.extend(people_in(data))
    return Masker(literals, names, keep=[policy.name] if policy is not None else (),
                  language=policy.language if policy is not None else "zh")
