"""The zh/en sentence for each inspection-priority reason code (see :mod:`inspect_app.domain.risk`).

Plan items store the codes; pages and the tablet show these sentences. A code this module does
not know (from a later rule version) is shown as it is rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Names of instrument and merchant kinds: (Chinese, English).
KIND_NAMES: Mapping[str, tuple[str, str]] = {
    "price_computing_scale": ("电子计价秤", "price-computing scale"),
    "platform_scale": ("台秤", "platform scale"),
    "dial_scale": ("度盘秤", "dial scale"),
    "steelyard": ("杆秤", "steelyard"),
    "focimeter": ("焦度计", "focimeter"),
    "refractometer": ("验光仪", "refractometer"),
    "trial_lens_set": ("验光镜片箱", "trial lens set"),
    "stall": ("摊位", "stall"),
    "optical_shop": ("眼镜店", "optical shop"),
    "grocery": ("商店", "grocery"),
    "packer": ("定量包装商品生产或分装者", "packer of prepackaged goods"),
}

#: Reason name → (Chinese, English) with ``{0}``, ``{1}`` for the code's values.
_SENTENCES: Mapping[str, tuple[str, str]] = {
    "impact_trade": ("经营类型影响面大（{0}）", "Trade with wide reach ({0})"),
    "impact_precision": (
        "使用 {0} 级高准确度衡器（如金银饰品、药材），每克价值高",
        "Uses a class {0} precision balance (gold, medicine): each gram is worth much",
    ),
    "impact_capacity": (
        "大称量衡器（最大秤量 {0} kg），每次称量货值大",
        "Large scale (up to {0} kg): much changes hands per weighing",
    ),
    "impact_instrument": ("器具类型影响大（{0}）", "Instrument type with high impact ({0})"),
    "credit_low": ("诚信计量得分偏低（{0} 分）", "Low honesty score ({0})"),
    "credit_unknown": ("尚无诚信计量得分", "No honesty score yet"),
    "inspected_months_ago": ("已 {0} 个月未检查", "Not inspected for {0} months"),
    "never_inspected": ("从未检查", "Never inspected"),
    "verification_overdue": ("{0} 台器具检定已过期", "{0} instrument(s) past verification"),
    "orders_open": ("{0} 项整改通知未完成", "{0} order(s) still open"),
    "orders_overdue": ("{0} 项整改通知已逾期", "{0} order(s) past their deadline"),
    "complaints": ("近 {1} 天有 {0} 件消费者投诉", "{0} consumer complaint(s) in {1} days"),
    "random": ("随机抽取（双随机）", "Drawn at random (double random)"),
}


def describe_reason(code: str, lang: str) -> str:
    """One phrase a person can read, in English when ``lang`` starts with ``en``, else Chinese."""
    english = lang.startswith("en")
    name, *values = code.split(":")
    sentence = _SENTENCES.get(name)
    if sentence is None:
        return code
    shown = [KIND_NAMES[v][1 if english else 0] if v in KIND_NAMES else v for v in values]
    try:
        return sentence[1 if english else 0].format(*shown)
    except IndexError:  # a code with fewer values than its sentence names
        return code


def describe_all(codes: list[str] | tuple[str, ...]) -> list[dict[str, str]]:
    """``[{"code", "zh", "en"}]`` for each code, for the tablet (it picks the language)."""
    return [
        {"code": c, "zh": describe_reason(c, "zh"), "en": describe_reason(c, "en")} for c in codes
    ]
