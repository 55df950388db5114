"""R-RP-4 (and R-RT-5): what identifies a complainant never leaves in a bulletin or report.

Three layers, applied to every piece of text, free text included:
1. literals: the complainants' own recorded name, contact and address (and the case's
   location), the case's other people (accused, handler, resolver, whoever acted) and the
   policy's people — masked wherever they appear, whatever their shape;
2. patterns for what a recorder may have typed anyway: e-mail addresses, WeChat and QQ IDs,
   ID-card numbers, phone numbers (mobile, landline, any run of 7+ digits), room and unit
   numbers in every common shape (1301房, 12-3-1201, 3-2-1201, 3栋2单元1201室, 1502室, 5号楼,
   Room 1502, Unit 3B, #1502), street addresses (深南大道1001号, 12 Baker Street) and names
   with an honorific (王女士 → 某女士, Mr. Smith → Mr. ***) — never codes such as `P1 楼上`;
3. other people's names in the text, found by jieba's part-of-speech tagger (`nr`). The
   tagger is slow to load (~1 s), so the names found are cached per text (`CachedNames`,
   keyed by the text's hash like a git blob) and a bulletin over known cases loads nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from complaintctl.model.case import get
from complaintctl.repo.files import set_new_file_mode

MASK = "***"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "欧常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
    "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
    "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_HONORIFICS = "先生|女士|小姐|太太|夫人|阿姨|大爷|大妈|大姐|大哥|师傅|老师|阿伯|伯伯|奶奶|爷爷|老板|同学"
_CN_NUM = r"(?:[A-Za-z]?\d+[A-Za-z]?|[一二三四五六七八九十百零〇]+)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), MASK),  # e-mail
    (re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"), MASK),  # mobile
    (re.compile(r"(?i)(微信号?|wechat|weixin|vx|wx|QQ号?)\s*[:：]?\s*[A-Za-z0-9][-_A-Za-z0-9]{4,19}"), r"\1 " + MASK),
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), MASK),  # ID card (18)
    (re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"), MASK),  # ID card (15)
    (re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{4}(?!\d)"), MASK),  # landline
    (re.compile(r"(?<![\d-])\d{1,3}-\d{1,3}-\d{3,5}(?![\d-])"), MASK),  # 12-3-1201: building-unit-room
    (re.compile(r"(?i)(?<![A-Za-z])(?:room|rm\.?|unit|flat|apt\.?|apartment|suite|building|bldg\.?|block|tower|"
                r"floor)\s*(?:no\.?\s*)?#?\s*[A-Z]?\d+[A-Z]?(?![A-Za-z0-9])"), MASK),
    (re.compile(r"#\s*\d{2,}[A-Za-z]?(?![A-Za-z0-9])"), MASK),
    (re.compile(r"(?<![A-Za-z0-9])\d+[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|"
                r"Drive|Dr|Boulevard|Blvd|Way|Court|Ct)(?![A-Za-z])\.?"), MASK),
    (re.compile(r"[\u4e00-\u9fff]{1,6}(?:大道|路|街|巷|弄|胡同)\s*\d+\s*号(?:院|楼)?"), MASK),  # 深南大道1001号
    # 3栋2单元1502室, 1301房; not a code like `P1 楼上` / `R1 楼道` (楼 then a direction or place)
    (re.compile(rf"(?<![月\d]){_CN_NUM}(?:号楼|栋|幢|座|单元|层|楼(?![上下道梯顶面内外前后里])|室|房|号)"
                rf"(?:\s*{_CN_NUM}(?:号楼|栋|幢|座|单元|层|楼(?![上下道梯顶面内外前后里])|室|房|号))*"), MASK),
    (re.compile(r"(?:房号|房间|门牌)\s*[:：]?\s*[A-Za-z]?\d+[A-Za-z]?"), MASK),
    (re.compile(rf"[{_SURNAMES}]({_HONORIFICS})"), r"某\1"),  # 王女士 → 某女士
    (re.compile(r"(?<![A-Za-z])(Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+)?"),
     r"\1. " + MASK),
    (re.compile(r"(?<!\d)\d{7,}(?!\d)"), MASK),  # any other long number (IDs, phones as typed)
)


NameFinder = Callable[[str], list[str]]


def tagged_names(text: str) -> list[str]:
    """Person names (jieba part of speech `nr`, two characters or more) in a text."""
    import logging

    import jieba  # loaded only when a text is not in the cache: ~1 s, ~150 MB
    import jieba.posseg as pseg

    jieba.setLogLevel(logging.WARNING)
    return sorted({w.word for w in pseg.cut(text) if w.flag == "nr" and len(w.word.strip()) >= 2})


class CachedNames:
    """`tagged_names` with a cache by the text's SHA-1 (like a git blob id), kept in a JSON file
    (under .git/complaintctl/), so the tagger loads only for texts it has not seen."""

    VERSION = 1

    def __init__(self, path: Path | None, finder: NameFinder = tagged_names) -> None:
        self.path, self.finder = path, finder
        self.cache: dict[str, list[str]] = {}
        self.dirty = False
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("version") == self.VERSION:
                    self.cache = {str(k): list(v) for k, v in data.get("names", {}).items()}
            except (OSError, ValueError):
                self.cache = {}  # a broken cache is rebuilt, never an error

    def __call__(self, text: str) -> list[str]:
        key = hashlib.sha1(text.encode("utf-8")).hexdigest()
        if key not in self.cache:
            self.cache[key] = self.finder(text)
            self.dirty = True
        return self.cache[key]

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".names-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"version": self.VERSION, "names": self.cache}, fh, ensure_ascii=False)
        set_new_file_mode(tmp)
        os.replace(tmp, self.path)
        self.dirty = False


class Masker:
    """Masks given literal strings (longest first), then the patterns above, then the person
    names `names` finds in what is left (R-RP-4)."""

    def __init__(self, literals: Iterable[str] = (), names: NameFinder | None = None) -> None:
        words = sorted({w.strip() for w in literals if w and len(w.strip()) >= 2}, key=len, reverse=True)
        self._literal = re.compile("|".join(re.escape(w) for w in words)) if words else None
        self._names = names

    def __call__(self, text: Any) -> str:
        if text is None:
            return ""
        out = str(text)
        if self._literal is not None:
            out = self._literal.sub(MASK, out)
        for pattern, repl in _PATTERNS:
            out = pattern.sub(repl, out)
        if self._names is not None and re.search(r"[\u4e00-\u9fff]{2}", out):
            for name in sorted(self._names(out), key=len, reverse=True):
                if name not in _KEEP:
                    out = out.replace(name, MASK)
        return out


# Words the tagger may take for a name that say nothing about anyone.
_KEEP = frozenset({"物业", "业主", "保安", "客服", "经理", "师傅", "主任", "老师"})


def identifying(data: Mapping[str, Any]) -> list[str]:
    """The complainant's own identifying strings in one case (R-IN-1 intake fields)."""
    values = [get(data, "intake.complainant.name"), get(data, "intake.complainant.contact"),
              get(data, "intake.complainant.address"), get(data, "intake.location")]
    out = []
    for v in values:
        if v is None or str(v).strip() == "":
            continue
        text = str(v).strip()
        out.append(text)
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 7 and digits != text:
            out.append(digits)  # the phone number as it may be typed elsewhere, without spaces
        if re.fullmatch(r"[\u4e00-\u9fff]{3,4}", text):
            # the given name may appear alone (王小明 → 小明; 欧阳娜娜 → 娜娜); over-masking is the safe side
            out.append(text[len(text) - 2:])
    return out


_PEOPLE_FIELDS = ("accused.person", "routing.handler", "plan.resolver", "resolution.by", "revisit.by",
                  "closing.by", "assessment.decided_by", "intake.first_receiver")


def people_in(data: Mapping[str, Any]) -> list[str]:
    """The case's own people other than the complainant: accused, handler, whoever acted."""
    out = [str(get(data, f)) for f in _PEOPLE_FIELDS if get(data, f)]
    out += [str(c) for c in (get(data, "routing.copied") or []) if c]
    timeline = data.get("timeline")
    out += [str(e.get("by")) for e in (timeline if isinstance(timeline, list) else [])
            if isinstance(e, Mapping) and e.get("by")]
    return out


def masker_for(cases: Iterable[Mapping[str, Any]], people: Iterable[str] = (),
               names: NameFinder | None = None) -> Masker:
    """A masker that knows the complainants of these cases, their other people, the policy's
    `people` and (with `names`) finds other person names in the text."""
    literals: list[str] = list(people)
    for data in cases:
        literals.extend(identifying(data))
        literals.extend(people_in(data))
    return Masker(literals, names)
