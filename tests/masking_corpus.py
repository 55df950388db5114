"""R-RP-4: crafted shapes for the masker, Chinese and English. Each: the text, what must not
survive masking (`gone`) and the ordinary words that must (`kept`); `listed` are the names the
masker knows from the case and the policy, `office` the office's own name.

The first seventeen strings are the ones that once came out as written, or mangled: a dotted
mobile, B座1502住户, 12号楼3单元402, a compound surname, a landline without its area code,
English names, a car plate, a WeChat handle after 威信, e-mail with ＠ and with 。, a phone in
Chinese numerals, a third party named in the resolution; and kept: the office 杭州晓明物业服务中心
with 黄晓明 listed, 保安言语粗鲁, 门岗保安.
"""

from __future__ import annotations

from typing import NamedTuple


class Shape(NamedTuple):
    name: str
    text: str
    gone: tuple[str, ...]
    kept: tuple[str, ...]
    listed: tuple[str, ...] = ()
    office: str = ""


HANGZHOU = "杭州晓明物业服务中心"

CORPUS: tuple[Shape, ...] = (
    # --- what leaked
    Shape("dotted mobile", "业主留的手机是135.2468.1357，晚上打", ("135.2468.1357", "2468"),
          ("业主留的手机是", "晚上打")),
    Shape("letter block and room", "B座1502住户反映噪音", ("B座1502", "1502"), ("住户反映噪音",)),
    Shape("whole address, not the building", "12号楼3单元402卫生间漏水", ("12号楼", "3单元", "402"), ("卫生间漏水",)),
    Shape("compound surname", "欧阳娜娜投诉邻居装修", ("欧阳娜娜", "娜娜"), ("投诉邻居装修",)),
    Shape("compound surname listed, given name alone", "欧阳娜娜来电，娜娜说已经三天了", ("欧阳娜娜", "娜娜"),
          ("来电", "说已经三天了"), listed=("欧阳娜娜",)),
    Shape("landline without area code", "请拨打座机 8765 4321 联系", ("8765 4321", "4321"), ("请拨打座机", "联系")),
    Shape("landline without area code, unspaced", "座机87654321找他", ("87654321",), ("座机", "找他")),
    Shape("English names from the case", "John Smith called twice; Smith was upset", ("John", "Smith"),
          ("called twice", "was upset"), listed=("John Smith",)),
    Shape("English titled names", "Mr. Brown's car and Ms Lee complained about the lift", ("Brown", "Lee"),
          ("Mr.", "'s car", "complained about the lift")),
    Shape("English titled name with an apostrophe", "Dr. O'Brien fixed it", ("O'Brien", "Brien"), ("fixed it",)),
    Shape("car plate", "粤B12345长期占用消防通道", ("粤B12345", "B12345"), ("长期占用消防通道",)),
    Shape("new-energy plate", "新能源车粤BD12345和沪A12345F都停在这里", ("粤BD12345", "沪A12345F"),
          ("新能源车", "都停在这里")),
    Shape("WeChat after 威信", "加我威信 wangwu99 细聊", ("wangwu99",), ("加我威信", "细聊")),
    Shape("full-width at sign", "邮箱 wangwu＠qq.com 收件", ("wangwu", "qq.com"), ("邮箱", "收件")),
    Shape("ideographic full stop in e-mail", "发到lisi@163。com就行", ("lisi", "163。com"), ("发到", "就行")),
    Shape("phone in Chinese numerals", "他说电话是一三五二四六八一三五七", ("一三五二四六八一三五七",),
          ("他说电话是",)),
    Shape("third party in the resolution", "经核实，已由楼上住户李建华自行维修防水层", ("李建华",),
          ("经核实", "楼上住户", "自行维修防水层")),
    # --- what was mangled
    Shape("office name with a listed person", f"{HANGZHOU}回复黄晓明：已处理", ("黄晓明",), (HANGZHOU, "已处理"),
          listed=("黄晓明",), office=HANGZHOU),
    Shape("ordinary word the tagger calls a name (言语)", "保安言语粗鲁", (), ("保安言语粗鲁",)),
    Shape("ordinary word the tagger calls a name (门岗)", "门岗保安拦车时态度粗暴", (), ("门岗保安", "态度粗暴")),
    # --- more phones and numbers
    Shape("mobile with +86 and spaces", "Please call +86 139 1234 5678 after 6pm", ("139 1234 5678", "5678"),
          ("Please call", "after 6pm")),
    Shape("mobile with dashes", "联系电话138-0013-8000", ("138-0013-8000",), ("联系电话",)),
    Shape("mobile spaced digit by digit", "手机 1 3 5 2 4 6 8 1 3 5 7 打不通", ("6 8 1 3",), ("手机", "打不通")),
    Shape("mobile in full-width digits", "电话１３５２４６８１３５７", ("１３５２４６８１３５７",), ("电话",)),
    Shape("landline with area code in brackets", "(020)87654321 转前台", ("87654321",), ("转前台",)),
    Shape("landline with area code and dash", "座机0755-8888 6666", ("8888 6666", "0755"), ("座机",)),
    Shape("an 11-digit run", "回拨号码12345678901无人接听", ("12345678901",), ("回拨号码", "无人接听")),
    Shape("ID card ending in X", "身份证号44030119900101123X已登记", ("44030119900101123X",), ("身份证号", "已登记")),
    Shape("ID card in groups", "证件 440301 19900101 1234", ("19900101",), ("证件",)),
    Shape("QQ number", "QQ号 123456789 可以联系", ("123456789",), ("可以联系",)),
    Shape("WeChat spelt vx", "vx: lily_0826 加一下", ("lily_0826",), ("加一下",)),
    Shape("WeChat in English", "Add me on WeChat: tom_lee2026 please", ("tom_lee2026",), ("Add me on", "please")),
    Shape("e-mail spelt out", "mail zhang.wei(at)example(dot)com", ("zhang.wei", "example"), ("mail",)),
    # --- more addresses
    Shape("building, unit and room", "3栋2单元1201室门口堆放杂物", ("3栋", "2单元", "1201"), ("门口堆放杂物",)),
    Shape("room number alone", "1301房楼上漏水", ("1301",), ("楼上漏水",)),
    Shape("building-unit-room in digits", "12-3-1201的业主", ("12-3-1201",), ("的业主",)),
    Shape("street and building", "业主住在深南大道1001号5号楼12层", ("深南大道1001号", "5号楼", "12层"), ("业主住在",)),
    Shape("room after a keyword", "房号:2301, 门牌 88", ("2301", "88"), ("房号",)),
    Shape("English address", "Room 1502, 12 Baker Street, #1203", ("1502", "Baker", "1203"), ()),
    Shape("building in Chinese numerals", "三号楼二单元的电梯坏了", ("三号楼", "二单元"), ("的电梯坏了",)),
    Shape("幢 and 室", "5幢301室的阳台漏水", ("5幢", "301"), ("的阳台漏水",)),
    Shape("号楼, 层 and a bare room", "2号楼15层1503门口堆放杂物", ("2号楼", "15层", "1503"), ("门口堆放杂物",)),
    Shape("lettered block, floor and room", "A栋12层1201住户投诉", ("A栋", "1201"), ("住户投诉",)),
    Shape("第 before the building", "第3栋2单元楼道很脏", ("3栋", "2单元", "第"), ("楼道很脏",)),
    Shape("English flats", "Flat 4C and Apt 12B share a wall", ("4C", "12B"), ("and", "share a wall")),
    # --- more names
    Shape("surname and honorific", "王先生说要投诉到底", ("王先生",), ("说要投诉到底",)),
    Shape("name after a word for a person", "业主张伟反映车位被占", ("张伟",), ("业主", "反映车位被占")),
    Shape("name before 家", "邻居王五家装修噪音扰民", ("王五",), ("邻居", "家装修噪音扰民")),
    Shape("compound surname the tagger knows", "请上官婉儿尽快回电", ("上官婉儿", "婉儿"), ("请", "尽快回电")),
    Shape("third party, two of them", "保安张三与邻居李四发生争执", ("张三", "李四"), ("保安", "与邻居", "发生争执")),
    Shape("an English name from the policy", "Alice said Wong's dog barks; Ms. Wong agreed", ("Alice", "Wong"),
          ("said", "'s dog barks", "Ms.", "agreed"), listed=("Alice Wong",)),
    Shape("listed staff", "已转陈静协调，李工维修", ("陈静", "李工"), ("已转", "协调", "维修"),
          listed=("陈静", "李工")),
    # --- ordinary text that must stay as written
    Shape("dates, counts and durations", "10月3号电梯停运三天，涉及12户，维修用了2天", (),
          ("10月3号电梯停运三天，涉及12户，维修用了2天",)),
    Shape("location codes and a date", "P1 楼上漏水, R1 楼道灯不亮, 2026-10-12 已处理", (),
          ("P1 楼上漏水, R1 楼道灯不亮, 2026-10-12 已处理",)),
    Shape("case ID, amounts and a year range", "SZ-2610-0018 退款 12000 元，2025-2026年度", (),
          ("SZ-2610-0018 退款 12000 元，2025-2026年度",)),
    Shape("notices and pets", "文明养宠，张贴通知，周检记录", (), ("文明养宠，张贴通知，周检记录",)),
    Shape("a floor alone", "电梯停在12层，1楼大堂积水", (), ("电梯停在12层，1楼大堂积水",)),
    Shape("words after 客户 and 业主 that start like a name", "维护客户关系，保障业主安全。物业顾问回复", (),
          ("维护客户关系，保障业主安全。物业顾问回复",)),
    Shape("dictionary words the tagger calls names", "谢谢物业，顾客很满意，温馨提示：安保明白了，单元楼门口安静了", (),
          ("谢谢物业，顾客很满意，温馨提示：安保明白了，单元楼门口安静了",)),
    Shape("a name that is also a dictionary word", "李娜说她家漏水，邻居李四也在场", ("李娜", "李四"),
          ("说她家漏水", "邻居", "也在场")),
    Shape("a nickname by surname", "客服小王回访，维修工老李上门", (), ("客服小王回访", "维修工")),
    Shape("a listed given name inside a road's name", "晓明路口的垃圾桶满了，黄晓明路过", ("黄晓明",),
          ("晓明路口的垃圾桶满了",), listed=("黄晓明",)),
)
