"""Static facts for the Hohhot demo: districts, markets, merchant and instrument templates.

Coordinates are approximate points on the named streets of Xincheng (新城区) and Saihan (赛罕区)
districts of Hohhot (呼和浩特); they place each market in the right district, a few hundred
metres at most from the street it is named for, which is what the geofence demo needs.
"""

from __future__ import annotations

REGIONS = [
    # code, name_zh, name_en, instrument code prefix (district admin code)
    ("XC", "新城区", "Xincheng District", "NM-0102"),
    ("SH", "赛罕区", "Saihan District", "NM-0105"),
]

MARKETS = [
    # region, code, name_zh, name_en, lat, lon, geofence radius m
    (
        "XC",
        "XC-HLE",
        "海拉尔东街农贸市场",
        "Hailar East Street Farmers' Market",
        40.8560,
        111.6840,
        150,
    ),
    ("XC", "XC-DFL", "东风路菜市场", "Dongfeng Road Food Market", 40.8465, 111.6905, 120),
    ("XC", "XC-XHE", "新华东街集贸市场", "Xinhua East Street Bazaar", 40.8205, 111.6890, 200),
    (
        "SH",
        "SH-DXE",
        "大学东街农贸市场",
        "Daxue East Street Farmers' Market",
        40.8085,
        111.7010,
        150,
    ),
    ("SH", "SH-ZWD", "昭乌达路集贸市场", "Zhaowuda Road Bazaar", 40.8010, 111.6850, 180),
    ("SH", "SH-JQ", "金桥综合市场", "Jinqiao General Market", 40.7870, 111.7420, 250),
]

STALL_TRADES = [
    "蔬菜",
    "水果",
    "鲜肉",
    "牛羊肉",
    "禽蛋",
    "水产",
    "干果炒货",
    "粮油",
    "豆制品",
    "调味品",
]
SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "林",
    "罗",
]
GIVEN = [
    "建国",
    "秀英",
    "桂兰",
    "海军",
    "丽娟",
    "志强",
    "春梅",
    "永红",
    "文斌",
    "晓燕",
    "宝音",
    "其其格",
    "巴特尔",
    "萨仁",
]

OPTICAL_SHOPS = [
    ("XC", "明视眼镜店", 40.8512, 111.6798),
    ("XC", "亮睛眼镜", 40.8431, 111.6925),
    ("XC", "北方眼镜城", 40.8228, 111.6841),
    ("XC", "青城视光中心", 40.8380, 111.6760),
    ("SH", "大学路眼镜店", 40.8101, 111.6988),
    ("SH", "精工眼镜", 40.8032, 111.6871),
    ("SH", "博视眼镜", 40.7955, 111.7105),
    ("SH", "金桥视光", 40.7881, 111.7391),
]

GROCERIES = [
    ("XC", "XC-HLE", "惠民便利超市"),
    ("XC", None, "东风路粮油店"),
    ("XC", "XC-XHE", "新华副食店"),
    ("XC", None, "草原特产店"),
    ("XC", None, "鑫源超市"),
    ("SH", "SH-DXE", "学府便利店"),
    ("SH", None, "昭君特产商行"),
    ("SH", "SH-JQ", "金桥粮油批发"),
    ("SH", None, "好邻居超市"),
    ("SH", None, "乳都奶食品店"),
]

#: (kind, make, model, class, Max g, Min g, e g, d g): common Chinese market instruments.
SCALE_TEMPLATES = [
    ("price_computing_scale", "上海友声", "TCS-15", "III", 15000, 40, 5, 5),
    ("price_computing_scale", "凯丰", "ACS-30", "III", 30000, 100, 10, 10),
    ("price_computing_scale", "大华", "TM-15A", "III", 15000, 40, 5, 5),
    ("price_computing_scale", "顶尖", "PS1X-6", "III", 6000, 40, 2, 2),
    ("platform_scale", "永衡", "TCS-150", "III", 150000, 1000, 50, 50),
    ("dial_scale", "衡器厂", "ATZ-10", "IIII", 10000, 500, 50, 50),
]

OPTICAL_TEMPLATES = [
    ("focimeter", "上海光学", "JDY-II"),
    ("refractometer", "拓普康", "KR-800"),
    ("trial_lens_set", "苏州六六", "TLS-266"),
]

VERIFYING_BODIES = {"XC": "呼和浩特市计量测试所", "SH": "呼和浩特市计量测试所"}
