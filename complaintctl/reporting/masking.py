"""R-RP-4 (and R-RT-5): what identifies a complainant never leaves in a bulletin or report.

Two layers, applied to every piece of text, free text included:
1. the complainants' own recorded name, contact and address (and the case's location),
   masked literally wherever they appear — whatever their shape;
2. patterns for what a recorder may have typed anyway: e-mail addresses, phone numbers
   (mobile, landline, any run of 7+ digits), unit numbers (3栋2单元, 1502室, 5号楼,
   Room 1502, Unit 3B, #1502), street addresses (深南大道1001号, 12 Baker Street) and
   names with an honorific (王女士 → 某女士, Mr. Smith → Mr. ***).
A bare full name that was never recorded as a complainant name cannot be recognised; the
literal layer covers the recorded ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from complaintctl.model.case import get

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
    (re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{7,8}(?!\d)"), MASK),  # landline
    (re.compile(r"(?i)(?<![A-Za-z])(?:room|rm\.?|unit|flat|apt\.?|apartment|suite|building|bldg\.?|block|tower|"
                r"floor)\s*(?:no\.?\s*)?#?\s*[A-Z]?\d+[A-Z]?(?![A-Za-z0-9])"), MASK),
    (re.compile(r"#\s*\d{2,}[A-Za-z]?(?![A-Za-z0-9])"), MASK),
    (re.compile(r"(?<![A-Za-z0-9])\d+[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|"
                r"Drive|Dr|Boulevard|Blvd|Way|Court|Ct)(?![A-Za-z])\.?"), MASK),
    (re.compile(r"[\u4e00-\u9fff]{1,6}(?:大道|路|街|巷|弄|胡同)\s*\d+\s*号(?:院|楼)?"), MASK),  # 深南大道1001号
    (re.compile(rf"(?<![月\d]){_CN_NUM}\s*(?:号楼|栋|幢|座|单元|层|楼|室|号)"
                rf"(?:\s*{_CN_NUM}\s*(?:号楼|栋|幢|座|单元|层|楼|室|号))*"), MASK),  # 3栋2单元1502室
    (re.compile(r"(?:房号|房间|门牌)\s*[:：]?\s*[A-Za-z]?\d+[A-Za-z]?"), MASK),
    (re.compile(rf"[{_SURNAMES}]({_HONORIFICS})"), r"某\1"),  # 王女士 → 某女士
    (re.compile(r"(?<![A-Za-z])(Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+)?"),
     r"\1. " + MASK),
    (re.compile(r"(?<!\d)\d{7,}(?!\d)"), MASK),  # any other long number (IDs, phones as typed)
)


class Masker:
    """Masks given literal strings (longest first), then the patterns above."""

    def __init__(self, literals: Iterable[str] = ()) -> None:
        words = sorted({w.strip() for w in literals if w and len(w.strip()) >= 2}, key=len, reverse=True)
        self._literal = re.compile("|".join(re.escape(w) for w in words)) if words else None

    def __call__(self, text: Any) -> str:
        if text is None:
            return ""
        out = str(text)
        if self._literal is not None:
            out = self._literal.sub(MASK, out)
        for pattern, repl in _PATTERNS:
            out = pattern.sub(repl, out)
        return out


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


def masker_for(cases: Iterable[Mapping[str, Any]]) -> Masker:
    """A masker that knows the complainants of these cases."""
    literals: list[str] = []
    for data in cases:
        literals.extend(identifying(data))
    return Masker(literals)
