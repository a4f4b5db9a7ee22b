"""Answer issues: the stable codes, their messages in both languages, and the collector.

Codes are part of the API contract (the tablet switches on them); never rename one.
"""

from __future__ import annotations

from .model import MAX_ISSUES, AnswerIssue

#: Stable issue codes with their messages (zh, en); ``{…}`` are filled from the issue.
MESSAGES: dict[str, tuple[str, str]] = {
    "REQUIRED": ("此项为必填项。", "This field is required."),
    "UNKNOWN_FIELD": ("表单中没有此字段。", "This form has no such field."),
    "NOT_AN_OBJECT": ("应为一组答案（对象）。", "Expected an object of answers."),
    "NOT_A_LIST": ("应为列表。", "Expected a list."),
    "NOT_A_STRING": ("应为文本。", "Expected text."),
    "TOO_LONG": (
        "文本过长（最多 {limit} 个字符）。",
        "Text is too long (at most {limit} characters).",
    ),
    "BAD_TEXT": ("文本含有无法保存的字符。", "Text contains characters that cannot be stored."),
    "NOT_A_NUMBER": (
        "应为有限的十进制数（绝对值小于 10^15，最多 15 位小数）。",
        "Expected a finite decimal number (magnitude below 10^15, at most 15 decimals).",
    ),
    "NOT_AN_INTEGER": ("应为整数。", "Expected a whole number."),
    "OUT_OF_RANGE": (
        "数值超出范围（{low} 至 {high}）。",
        "Value is out of range ({low} to {high}).",
    ),
    "NOT_A_BOOLEAN": ("应为是或否（true/false）。", "Expected yes or no (true/false)."),
    "NOT_A_CHOICE": ("不是此项的可选值。", "Not one of this field's choices."),
    "DUPLICATE_CHOICE": ("同一选项选择了两次。", "The same choice was given twice."),
    "BAD_DATE": ("日期应为 YYYY-MM-DD 格式的有效日期。", "Expected a valid date as YYYY-MM-DD."),
    "BAD_PHOTO_REF": (
        "照片引用应为附件的 SHA-256（64 位小写十六进制）。",
        "A photo reference must be the attachment's SHA-256 (64 lowercase hex digits).",
    ),
    "BAD_GEOTAG": (
        "位置应为 {{lat, lon, accuracy}}：纬度 -90 至 90，经度 -180 至 180，精度不小于 0 米。",
        "A geotag must be {{lat, lon, accuracy}}: lat -90 to 90, lon -180 to 180, accuracy ≥ 0 m.",
    ),
    "BAD_INSTRUMENT_REF": (
        "计量器具应为扫描得到的二维码令牌或标签上的编号。",
        "An instrument must be its scanned QR token or the code printed on its label.",
    ),
    "BAD_MERCHANT_REF": (
        "商户应为同步数据中的商户编号（正整数）。",
        "A merchant must be a merchant id from sync (a positive integer).",
    ),
    "TOO_MANY_ITEMS": ("条目过多（最多 {limit} 条）。", "Too many items (at most {limit})."),
    "TOO_FEW_ITEMS": ("条目过少（至少 {limit} 条）。", "Too few items (at least {limit})."),
    "NOT_ANSWERABLE": ("说明文字无需作答。", "A note takes no answer."),
    "NOT_RELEVANT": (
        "根据“{field}”的回答，此项不适用，应留空。",
        "This field does not apply given the answer to '{field}'; leave it empty.",
    ),
    "TOO_MANY_ISSUES": (
        "问题过多，仅列出前 {limit} 个。",
        "Too many problems; only the first {limit} are listed.",
    ),
}


class IssueSink:
    """Collects issues up to :data:`MAX_ISSUES`, then only remembers that it overflowed."""

    def __init__(self, limit: int = MAX_ISSUES) -> None:
        self._issues: list[AnswerIssue] = []
        self._limit = limit
        self._overflow = False

    @property
    def full(self) -> bool:
        """True once an issue beyond the limit was refused: callers stop looking then."""
        return self._overflow

    def add(self, path: str, code: str, **params: object) -> None:
        if len(self._issues) >= self._limit:
            self._overflow = True
            return
        zh, en = MESSAGES[code]
        self._issues.append(AnswerIssue(path, code, zh.format(**params), en.format(**params)))

    def result(self) -> list[AnswerIssue]:
        if not self._overflow:
            return list(self._issues)
        zh, en = MESSAGES["TOO_MANY_ISSUES"]
        summary = AnswerIssue(
            "", "TOO_MANY_ISSUES", zh.format(limit=self._limit), en.format(limit=self._limit)
        )
        return [*self._issues, summary]
