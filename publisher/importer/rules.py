"""Conventions of Chinese newspapers, as patterns: nothing here names one issue's stories or people.

Everything the importer recognises on a single line lives here: masthead and
page furniture, bylines (本报讯（记者 …）, □ name, 本报评论员, a name line, a
speaker's signature), reprint sources, captions and credits, editor's notes, and
a :class:`Vocabulary` of common section (版名) and column (栏目) labels that a
newsroom can extend with a YAML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = f"[{CJK}]"

# --- masthead -------------------------------------------------------------------------------
PAPER_NAME = re.compile(rf"^{HAN}{{2,12}}(?:报|日报|晚报|周报|周刊|报社)$")
PAPER_EN = re.compile(r"^[A-Z][A-Z0-9 .,&'’\-]{2,60}$")
GRADE = re.compile(r"^(?:[一二三四]级报纸|全国(?:百强报刊|优秀企业报)|中国(?:企业|行业)?\S{0,6}报刊)$")
SERIAL = re.compile(r"CN\s?\d{2}\s?-\s?\d{4}(?:/[A-Z0-9]+)?")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
WEEKDAY = re.compile(r"星期[一二三四五六日天]|周[一二三四五六日]")
NUMBER = re.compile(r"总第\s*(\d+)\s*期")
WEBSITE = re.compile(r"https?://[^\s，。]+|www\.[^\s，。]+")
SPONSOR = re.compile(rf"({HAN}[{CJK}（）()]{{1,30}}?)\s*主管")
PUBLISHER = re.compile(rf"({HAN}[{CJK}（）()]{{1,30}}?)\s*(?:主办|出版(?!物))")
MASTHEAD_WORDS = re.compile(
    r"国内统一连续出版物号|国际标准连续出版物号|邮发代号|主管|主办|出版|总第\s*\d+\s*期|农历|^[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥]年"
)

#: The label of a 导读 box (the front page's list of what is inside the issue).
GUIDE_LABEL = re.compile(r"^(?:今日|本期|本版)?(?:导读|要目|提要)$")
#: A teaser (an entry of a 导读 box) or a jump reference: a short line that ends by naming a page.
TEASER = re.compile(
    r"^[^。]{2,40}?[（(▶→>\s]\s*(?:详见|见|转)?\s*第?\s*(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*版\s*[）)]?$"
)
#: A page named on its own, set apart from the teaser it closes (第3版, （详见第3版）, 3版).
PAGE_REF = re.compile(r"[（(▶→>]?(?:详见|见|转)?第?(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})版[）)]?")

# --- page furniture (anywhere) --------------------------------------------------------------
FURNITURE = [
    re.compile(r"^[-—–\s]*[0-9０-９]{1,2}[-—–\s]*$"),  # a page number alone
    re.compile(r"^第?\s*[0-9０-９一二三四五六七八九十]{1,3}\s*版$"),
    re.compile(
        r"^(?:责任编辑|本版编辑|编辑|责编|美编|美术编辑|校对|版式|版式设计|排版|组版|审校|审读|值班主任|值班编辑|主编|图片编辑)\s*[：:\s]"
    ),
    re.compile(
        r"^(?:地址|电话|传真|邮编|邮箱|电子邮箱|新闻热线|广告热线|发行热线|广告经营许可证|印刷|定价|零售价|邮发代号)\s*[：:\s]"
    ),
    re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:星期[一二三四五六日天])?(?:\s+\S{1,12}){0,3}$"),  # page head
    re.compile(r"^(?:本版|本期)(?:共\s*\d+\s*版|今日\s*\d+\s*版)$"),
    re.compile(r"^今日\s*\d+\s*版$"),
    # the masthead's weekday, lunar date or website, which pdftotext may print apart from it (after a 导读 box)
    re.compile(
        r"^(?:星期[一二三四五六日天]|农历\S{2,12}|(?:农历)?[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥]年\S{2,8}"
        r"|(?:https?://|www\.)[\w./-]+)$"
    ),
    GUIDE_LABEL,
    TEASER,
]

# --- bylines --------------------------------------------------------------------------------
#: 本报讯（记者 张华）, 新华社北京4月14日电（记者 …）: the dateline that opens a news story; a paper in Hong Kong
#: prints its own in square brackets (【本报讯】, 【某某专讯】).
NEWS_LEAD = re.compile(
    rf"^((?:[【［\[](?:本报[{CJK}]{{0,4}}讯|{HAN}{{1,6}}[报专]讯)[】］\]]|本报讯|本报[{CJK}\d]{{1,12}}?讯|本报[{CJK}]{{2,8}}\d{{1,2}}月\d{{1,2}}日电|{HAN}{{2,8}}报讯|本报(?:记者|通讯员)[^，。]{{0,20}}?报道"
    rf"|(?:新华社|中新社|人民网|新华网|央视网)[{CJK}\d]{{0,16}}?电)"
    r"(?:\s*[（(][^（()）]{1,60}[）)])?)\s*"
)
#: A news story's first words say when (近日，… / 2025年，… / 1月5日，… / 3月27日晚，…); a subhead's text goes on the story's.
NEWS_OPENING = re.compile(
    r"^(?:近日|日前|昨天|昨日|今天|今日|\d{4}年|\d{1,2}月\d{1,2}日)(?:上午|下午|中午|晚上|晚间|晚|早上|早晨|凌晨|傍晚|夜间)?[，,]"
)
#: 本报讯 记者 张三 通讯员 李四 …: writers named without brackets after the dateline.
LEAD_NAMES = re.compile(
    rf"^((?:{'|'.join(('本报记者', '见习记者', '特约记者', '记者', '通讯员'))})\s*{HAN}{{2,3}}(?:\s+(?:(?:记者|通讯员)\s*)?{HAN}{{2,3}}){{0,4}})\s+"
)
#: 据《中国环境报》消息，…: a brief retold from another paper.
BRIEF_LEAD = re.compile(r"^据(?:《[^》]{1,20}》|[^，。《]{2,12}?)(?:消息|报道)[，,]")
BOX_BYLINE = re.compile(r"^[□■◎○●◇◆]\s*(\S.{0,40})$")
ROLE_BYLINE = re.compile(
    r"^(策划|撰稿|统筹|执笔|整理|作者|文|图|文/图|图/文|摄影|摄|记者|通讯员|口述)\s*[：:/|｜]\s*([^，。？！,?!]{2,30})$"
)
COMMENTATOR = re.compile(r"^本报(?:特约)?评论员$|^本报评论部$")
#: A writer's role before the name, in a dateline's brackets or on a byline line (longest first).
ROLES = (
    "本报特约记者",
    "本报见习记者",
    "本报记者",
    "本报通讯员",
    "见习记者",
    "特约记者",
    "首席记者",
    "摄影记者",
    "特约撰稿人",
    "记者",
    "通讯员",
    "实习生",
    "文/图",
    "图/文",
    "文／图",
    "图／文",
    "摄影",
    "作者",
    "撰稿",
    "文",
    "图",
)
_ROLE = "|".join(re.escape(r) for r in ROLES)
#: Titles a speaker's signature ends with before the name: 某某公司党委副书记、工会主席 张明远.
TITLE_WORDS = (
    "书记",
    "主席",
    "经理",
    "总监",
    "部长",
    "主任",
    "院长",
    "厂长",
    "董事",
    "董事长",
    "局长",
    "处长",
    "科长",
    "总裁",
    "总工程师",
    "会计师",
    "顾问",
    "委员",
    "代表",
    "教授",
    "研究员",
    "工程师",
    "校长",
    "理事长",
    "秘书长",
    "社长",
    "总编辑",
    "主编",
    "负责人",
    "队长",
    "组长",
    "班长",
    "站长",
    "所长",
    "矿长",
    "行长",
    "首席",
    "专家",
    "劳模",
    "工匠",
    "职工",
    "员工",
    "党员",
    "干部",
    "会长",
    "馆长",
    "主管",
    "师傅",
    "员",
    "工",
    "师",
    "长",
    "手",  # 技术员, 电解工, 工程师, 班长, 能手
)
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温"
    "康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成"
    "苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫"
    "费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈"
    "匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰"
    "支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕"
    "危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "令狐",
    "夏侯",
    "端木",
    "西门",
)
NAME = rf"{HAN}{{2,4}}"
#: A two-character name spaced out to the width of three (王  勇), as papers set short names in credits and bylines.
SPACED_NAME = rf"{HAN}[ \u3000]{{1,2}}{HAN}"
NAMES_LINE = re.compile(rf"^{NAME}(?:[ \u3000、，,]+{NAME}){{0,5}}$")
#: （张明 李华） or (王强) closing a news story: the writers' names.
TRAILING_NAMES = re.compile(rf"[（(]\s*((?:(?:{_ROLE})\s*)?{NAME}(?:[ \u3000、，,]+(?:(?:{_ROLE})\s*)?{NAME}){{0,5}})\s*[）)]$")
#: 某某公司党委副书记、工会主席 张明远 / … 董事 李 响: a signature line.
SPEAKER = re.compile(rf"^(\S.{{1,48}}?)\s+({HAN}{{2,4}}|{HAN}[ \u3000]{HAN}{{1,2}})$")

# --- sources, captions, credits, notes -------------------------------------------------------
SOURCE = re.compile(
    r"^[（(]?\s*(?:摘自|摘编自|转载自|转自|原载|来源|稿件来源|资料来源|文章来源|选自)\s*[：:]?\s*\S.{0,40}?[）)]?$"
)
#: A head that names a photo feature (摄影报道, 影像报道): the photo under it is its story.
PHOTO_FEATURE = re.compile(r"^(?:图片|摄影|影像)报道$")
CAPTION_MARK = re.compile(r"^([▲△▼►▶◀↑↓→←]+)\s*(\S.*)$")
CAPTION_START = re.compile(r"^(?:图为|上图|下图|左图|右图|图\s*[0-9一二三四五六]+\s*[：:]|组图|图片说明)")
#: The picture agency a credit may name after it: 王勇摄（影像中国）.
CREDIT_AGENCY = r"(?:[（(][^（）()]{1,10}[）)])?"
#: 普光进 摄 / 秦亮摄 / （张三 摄） / 本报记者 王五 摄 at the end of a caption.
CREDIT_END = re.compile(
    rf"\s*([（(]?\s*(?:(?:本报|新华社|中新社)?(?:特约|摄影)?(?:记者|通讯员)\s*)?(?:{SPACED_NAME}|{NAME}(?:[ \u3000、]+{NAME}){{0,3}})\s*(?:摄|/摄|供图|绘|制图)\s*[）)]?"
    rf"{CREDIT_AGENCY})$"
)
CREDIT_LINE = re.compile(
    rf"^[（(]?\s*(?:图片|照片|配图|插图|图)\s*(?:来自|来源|由|提供|/|：|:)\s*\S.{{0,50}}$"
    rf"|^.{{0,30}}(?:插图|图片|照片|书法|篆刻|配图|漫画|题图).{{0,30}}提供。?$"
    rf"|^[（(]?\s*(?:(?:本报|新华社|中新社)?(?:特约|摄影)?(?:记者|通讯员)\s*)?{NAME}(?:[ \u3000、]+{NAME}){{0,3}}\s*(?:摄|/摄|供图)\s*[）)]?$"
    rf"|^.{{2,20}}供图$|^(?:资料图片|资料照片|图片来自网络|网络图片)$"
)
EDITOR_NOTE = re.compile(r"^[【\[［]?\s*(编者按|编者的话|编后语|编后记|编后)\s*[】\]］]?(?:\s*[：:]\s*|\s+|$)")
CONTINUED = re.compile(r"^[（(]\s*(?:接上期|未完待续|待续|续完|完)\s*[）)]$")
#: Jump lines of a story continued on another page: (下转第2版) at its end, (上接第1版) where it resumes.
JUMP_OUT = re.compile(r"[（(]\s*(?:下转|转|转至|转第)\s*第?\s*[0-9一二三四五六七八九十]{1,2}\s*版\s*[）)]$")
JUMP_IN = re.compile(r"^[（(]\s*(?:上接|接|接第)\s*第?\s*[0-9一二三四五六七八九十]{1,2}\s*版\s*[）)]")
AUTHOR_UNIT = re.compile(r"^[（(]?\s*(?:作者单位|作者系|作者为|作者是)\s*[：:\s]")

# --- shapes of text -------------------------------------------------------------------------
SENTENCE_END = "。！？!?…；;"
CLOSERS = "”’」』）)》〉】"
OPENERS = "“‘「『（(《〈【"
#: A paragraph can end with a closer after the full stop: …可以。” or …（张华）.
ENDS_SENTENCE = re.compile(rf"[{SENTENCE_END}][{CLOSERS}]*$|[{CLOSERS}]$|[:：]$")
STARTS_MID = re.compile(r"^(?:[，、。；：？！…%）》”’,.;:]|的(?!确))")
#: Heading length limit (characters): longer lines without a full stop are paragraphs.
HEADING_MAX = 42


@dataclass
class Vocabulary:
    """Section (版名) and column (栏目) labels a paper prints as short lines of their own.

    ``sections`` hold several stories until the next section label; ``series`` tag the one
    story they sit beside. Both map a label to an ASCII slug (pinyin), used for sections.
    """

    sections: dict[str, str] = field(default_factory=dict)
    series: dict[str, str] = field(default_factory=dict)
    section_affixes: tuple[str, ...] = ()
    series_affixes: tuple[str, ...] = ()
    front_page: tuple[str, str] = ("要闻", "yaowen")

    def read(self, line: str) -> dict | None:
        """{kind: 'section'|'series', name, page, extra} for a label line such as '热议', '【热议】',
        '要闻 2' or '副刊·文苑'; ``extra`` is what was printed around the name. None otherwise."""
        match = _LABEL_LINE.match(line.strip())
        if not match:
            return None
        name = match.group("name")
        kinds = [self.kind(part) for part in re.split(r"[·•・]", name)]
        kind = next((k for k in kinds if k), None)
        if kind is None and BRACKETED_LABEL.match(line.strip()) and not EDITOR_NOTE.match(line.strip()):
            kind = "series"  # 【某某观察】: a name in square brackets over a story is its column
        if kind is None or not all(re.fullmatch(f"{HAN}{{2,8}}", part) for part in re.split(r"[·•・]", name)):
            return None
        page = match.group("p1") or match.group("p2")
        extra = "".join(line.replace(name, "", 1).split())
        return {"kind": kind, "name": name, "page": int(page) if page else None, "extra": extra}

    def kind(self, line: str) -> str | None:
        """'section', 'series' or None for a line that is not a label."""
        text = re.sub(r"\s+", "", line)
        if text in self.sections:
            return "section"
        if text in self.series:
            return "series"
        if not re.fullmatch(f"{HAN}{{2,8}}", text):
            return None
        if any(re.fullmatch(p, text) for p in self.series_affixes):
            return "series"
        if any(re.fullmatch(p, text) for p in self.section_affixes):
            return "section"
        return None

    def slug(self, name: str) -> str | None:
        text = re.sub(r"\s+", "", name)
        return self.sections.get(text) or self.series.get(text)

    def with_page_names(self, lines: list[str]) -> Vocabulary:
        """This vocabulary plus the section names the running heads print (港闻 第1版, 财经·观察 第4版): each is
        its page's 版名, which the page's flag repeats on a line of its own (the paper's own name is none)."""
        named = {}
        for line in lines:
            if (name := page_head_name(line)) and not PAPER_NAME.match(name):
                named.update({part: "" for part in [name, *re.split(r"[·•・]", name)] if part not in self.sections})
        return replace(self, sections={**self.sections, **named}) if named else self

    def extended(self, path: Path) -> Vocabulary:
        """This vocabulary plus a YAML file with ``sections:`` and ``series:`` (label: slug, or a list of labels)."""
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: cannot read the label vocabulary ({exc}); it must be a UTF-8 YAML file") from None
        if not isinstance(data, dict) or set(data) - {"sections", "series"}:
            raise ValueError(
                f"{path}: expected 'sections:' and/or 'series:' keys, each a list of labels or a label: slug mapping"
            )

        def entries(value) -> dict[str, str]:
            if isinstance(value, list):
                return {str(v): "" for v in value}
            if isinstance(value, dict):
                return {str(k): str(v or "") for k, v in value.items()}
            return {}

        return Vocabulary(
            {**self.sections, **entries(data.get("sections"))},
            {**self.series, **entries(data.get("series"))},
            self.section_affixes,
            self.series_affixes,
            self.front_page,
        )


#: Runs of two Han characters or more, apart by separators (a run may not be cut into groups: no backtracking blow-up
#: on a long paragraph).
_PAGE_NAMES = rf"{HAN}{{2,}}(?:[·•・\s]+{HAN}{{2,}})*?"
_PAGE_NUMBER = r"第\s*[0-9一二三四五六七八九十]{1,3}\s*版"
#: A page's running head: its section name(s) and number, either way round (要闻 第1版, 财经聚焦·经济信息 第4版,
#: 第2版 要闻).
PAGE_HEAD = re.compile(rf"^(?:(?P<name>{_PAGE_NAMES})\s*{_PAGE_NUMBER}|{_PAGE_NUMBER}\s*(?P<after>{_PAGE_NAMES}))$")


def page_head_name(text: str) -> str | None:
    """The section name(s) a running head prints (财经聚焦·经济信息), spaces out; None: no running head."""
    head = PAGE_HEAD.match(text.strip())
    return "".join((head.group("name") or head.group("after")).split()) if head else None


_LABEL_LINE = re.compile(
    r"^(?:第?\s*(?P<p1>\d{1,2})\s*版\s*)?[【\[［「◆■●▲◇□]?\s*(?P<name>[^\s\d【】\[\]［］「」]{2,17}?)\s*[】\]］」]?"
    r"(?:\s*第?\s*(?P<p2>\d{1,2})\s*版?)?$"
)
#: A column label printed in square brackets on a line of its own: 【某某观察】, ［图说］.
BRACKETED_LABEL = re.compile(rf"^[【［\[]\s*{HAN}{{2,8}}\s*[】］\]]$")
#: Sections made of short news items: every headline in them starts a new item.
BRIEF_SECTION = re.compile(r"(?:信息|快讯|简讯|动态|资讯|短讯|速递|集锦|传真|简报|消息|速览|一览)$")

DEFAULT_VOCABULARY = Vocabulary(
    sections={
        "要闻": "yaowen",
        "综合": "zonghe",
        "综合新闻": "zonghe-xinwen",
        "新闻": "xinwen",
        "时政": "shizheng",
        "时事": "shishi",
        "国内": "guonei",
        "国际": "guoji",
        "经济": "jingji",
        "财经": "caijing",
        "财经聚焦": "caijing-jujiao",
        "经济信息": "jingji-xinxi",
        "经济观察": "jingji-guancha",
        "产经": "chanjing",
        "市场": "shichang",
        "金融": "jinrong",
        "科技": "keji",
        "科技创新": "keji-chuangxin",
        "文化": "wenhua",
        "文体": "wenti",
        "体育": "tiyu",
        "教育": "jiaoyu",
        "健康": "jiankang",
        "生活": "shenghuo",
        "社会": "shehui",
        "法治": "fazhi",
        "党建": "dangjian",
        "党建工作": "dangjian-gongzuo",
        "理论": "lilun",
        "理论学习": "lilun-xuexi",
        "深度学习": "shendu-xuexi",
        "学习": "xuexi",
        "热议": "reyi",
        "亮点": "liangdian",
        "专题": "zhuanti",
        "专版": "zhuanban",
        "特刊": "tekan",
        "副刊": "fukan",
        "文艺": "wenyi",
        "文苑": "wenyuan",
        "读书": "dushu",
        "基层": "jiceng",
        "基层动态": "jiceng-dongtai",
        "企业动态": "qiye-dongtai",
        "动态": "dongtai",
        "快讯": "kuaixun",
        "简讯": "jianxun",
        "图片新闻": "tupian-xinwen",
        "视点": "shidian",
        "评论": "pinglun",
        "言论": "yanlun",
        "安全": "anquan",
        "安全生产": "anquan-shengchan",
        "环保": "huanbao",
        "人物": "renwu",
        "风采": "fengcai",
        "聚焦": "jujiao",
        "资讯": "zixun",
        "廉政": "lianzheng",
        "清风": "qingfeng",
        "工会": "gonghui",
        "青年": "qingnian",
        "国资国企": "guozi-guoqi",
        "行业资讯": "hangye-zixun",
    },
    series={
        "时评": "shiping",
        "经济时评": "jingji-shiping",
        "短评": "duanping",
        "微评": "weiping",
        "述评": "shuping",
        "社论": "shelun",
        "评论员文章": "pinglunyuan-wenzhang",
        "党组声音": "dangzu-shengyin",
        "声音": "shengyin",
        "文脉": "wenmai",
        "文心": "wenxin",
        "文采": "wencai",
        "文锋": "wenfeng",
        "老照片故事": "laozhaopian-gushi",
        "老照片": "laozhaopian",
        "人物故事": "renwu-gushi",
        "一线故事": "yixian-gushi",
        "一线": "yixian",
        "走基层": "zou-jiceng",
        "手记": "shouji",
        "随笔": "suibi",
        "心声": "xinsheng",
        "感悟": "ganwu",
        "图说": "tushuo",
        "图片故事": "tupian-gushi",
        "特别关注": "tebie-guanzhu",
        "关注": "guanzhu",
        "特写": "texie",
        "访谈": "fangtan",
        "对话": "duihua",
        "专访": "zhuanfang",
        "编读往来": "biandu-wanglai",
        "读者来信": "duzhe-laixin",
        "学习园地": "xuexi-yuandi",
        "知识窗": "zhishichuang",
        "小贴士": "xiaotieshi",
        "特别策划": "tebie-cehua",
        "策划": "cehua",
        "延伸阅读": "yanshen-yuedu",
        "链接": "lianjie",
        "新闻链接": "xinwen-lianjie",
        "背景链接": "beijing-lianjie",
        "记者手记": "jizhe-shouji",
        "观察": "guancha",
    },
    section_affixes=(rf"{HAN}{{1,4}}(?:聚焦|信息|动态|快讯|简讯|资讯|要闻|新闻|视点|天地|广角|纵横|之窗|专版|专刊|副刊)",),
    series_affixes=(
        rf"{HAN}{{1,5}}(?:时评|随笔|手记|故事|声音|访谈|专访|观察|讲堂|课堂|园地|论坛|漫谈|札记|心语|剪影|镜头)",
        rf"{HAN}{{2,5}}看{HAN}{{1,3}}",  # 绿色低碳看某某: a running campaign column
        rf"{HAN}{{2,4}}(?:进行时|在行动|面对面|大家谈)",
    ),
)


def is_name(token: str) -> bool:
    """A personal name: two or three characters after a common surname, four after a compound one."""
    if not re.fullmatch(f"{HAN}{{2,4}}", token):
        return False
    return token.startswith(COMPOUND_SURNAMES) or (len(token) <= 3 and token[0] in SURNAMES)


def split_names(text: str) -> list[str]:
    """Names from '张明远 李华 王小红' or '李 响' (a two-character name printed with a space)."""
    tokens = [t for t in re.split(r"[ \u3000、，,]+", text.strip()) if t]
    names: list[str] = []
    pending = ""
    for token in tokens:
        if len(token) == 1:
            pending += token
            if len(pending) >= 2:
                names.append(pending)
                pending = ""
        else:
            if pending:
                names.append(pending)
                pending = ""
            names.append(token)
    if pending:
        names.append(pending)
    return names


def looks_like_names(text: str) -> bool:
    """A line of one to six personal names: 张华 / 李明远 王小红 赵强."""
    if not NAMES_LINE.match(text):
        return False
    return all(is_name(n) for n in split_names(text))


def speaker(text: str) -> tuple[str, str] | None:
    """(role, name) of a signature line such as '某某公司财务总监 李 明', else None."""
    if any(ch in text for ch in "。！？"):
        return None
    match = SPEAKER.match(text)
    if not match:
        return None
    role, name = match.group(1).strip(), re.sub(r"\s+", "", match.group(2))
    if not role.endswith(TITLE_WORDS) and not re.search(r"[（(][^）)]*[）)]$", role):
        return None
    return (role, name) if is_name(name) else None


def bracket_authors(inner: str) -> list[tuple[str, str | None]]:
    """(name, role) pairs from the brackets of a dateline: '见习记者 张华' or '记者 张三 通讯员 李四'."""
    return role_names(inner, strict=False) or []


def role_names(text: str, strict: bool = True) -> list[tuple[str, str | None]] | None:
    """(name, role) pairs from '本报记者 张三 通讯员 李四' / '文/图 王五' / '李 响'; None when a token is
    neither a role nor a personal name (``strict``) or when there is no name."""
    authors: list[tuple[str, str | None]] = []
    role: str | None = None
    single = ""
    tokens = [t for t in re.split(r"[ \u3000、，,]+", text.strip()) if t]
    for k, token in enumerate(tokens):
        if (
            role is not None
            and not is_name(token)
            and re.fullmatch(f"{HAN}{{2,8}}", token)
            and k + 1 < len(tokens)
            and is_name(tokens[k + 1])
        ):
            role = token  # a unit named before its writer, after a role: 记者 张三 某某融媒体中心 李四
            continue
        found = next((r for r in ROLES if token.startswith(r)), None)
        if found is None and re.fullmatch(f"{HAN}{{2,6}}(?:记者|通讯员)", token):
            found = token  # 经济日报记者
        rest = token[len(found) :].lstrip("：:/|｜") if found else ""
        if found and (not rest or is_name(rest)):
            role, token = found.replace("／", "/"), rest
            if not token:
                continue
        if len(token) == 1 and re.fullmatch(HAN, token):
            single += token
            if len(single) == 2:
                authors.append((single, role))
                single = ""
            continue
        if is_name(token) or (not strict and re.fullmatch(f"{HAN}{{2,4}}", token)):
            authors.append((token, role))
        elif strict:
            return None
    if single and strict:
        return None
    return authors or None


def structural_marks(heading: str) -> frozenset[str]:
    """The punctuation that gives a heading its form; parallel subheads of one story share it."""
    marks = {ch for ch in heading if ch in "：:，,、？?！!"}
    marks = {"：" if m == ":" else "，" if m == "," else "？" if m == "?" else "！" if m == "!" else m for m in marks}
    if re.search(r"\S\s+\S", re.sub(r"[“「『《][^”」』》]*[”」』》]", "", heading)):
        marks.add("space")
    if heading[:1] in '“「『"':
        marks.add("quote-start")
    if re.match(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[，、]|\d+[.、．])", heading):
        marks.add("ordinal")
    return frozenset(marks)
