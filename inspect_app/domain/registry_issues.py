"""The problems a registry import file can have, each with its message in English and Chinese.

An :class:`Issue` names where (the spreadsheet row as the user sees it, header = row 1; the
column name; the cell such as ``K5``) and what (a code from :data:`MESSAGES` plus the values its
message quotes). Messages are kept beside their codes in both languages, like the error
catalogue (``inspect_app/errors.py``), so the command line (no Flask-Babel) and the web page
print the same text. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"

#: code → (English, Chinese); ``{name}`` placeholders are filled from ``Issue.params``.
MESSAGES: Mapping[str, tuple[str, str]] = {
    # ---- the file as a whole
    "FILE_TOO_LARGE": (
        "The file is {size} MB; the limit is {limit} MB. Split it into smaller files.",
        "文件大小为 {size} MB，上限为 {limit} MB，请拆分为较小的文件。",
    ),
    "FILE_TYPE": (
        "Unsupported file type {suffix}: send a .csv file (UTF-8) or an .xlsx workbook.",
        "不支持的文件类型 {suffix}：请提交 .csv（UTF-8）或 .xlsx 文件。",
    ),
    "FILE_EMPTY": ("The file is empty: no header row.", "文件为空：没有表头行。"),
    "NO_ROWS": ("There are no data rows under the header.", "表头下没有数据行。"),
    "TOO_MANY_ROWS": (
        "More than {limit} data rows: split the file.",
        "数据行超过 {limit} 行，请拆分文件。",
    ),
    "CSV_NOT_UTF8": (
        "Not UTF-8 text at byte {offset} (line {line} of the file): save it as “CSV UTF-8”.",
        "文件第 {line} 行（第 {offset} 字节）不是 UTF-8 文本：请另存为“CSV UTF-8”格式。",
    ),
    "CSV_SYNTAX": (
        "The CSV cannot be read here ({detail}); check the quotes on this row.",
        "此处 CSV 无法读取（{detail}），请检查本行的引号。",
    ),
    "XLSX_INVALID": (
        "Not a readable .xlsx workbook ({detail}).",
        "不是可读取的 .xlsx 工作簿（{detail}）。",
    ),
    "XLSX_NO_SHEET": ("The workbook has no worksheet.", "工作簿中没有工作表。"),
    "XLSX_UNPACKED_TOO_LARGE": (
        "The workbook unpacks to {size} MB; the limit is {limit} MB.",
        "工作簿解压后为 {size} MB，上限为 {limit} MB。",
    ),
    # ---- the header row
    "HEADER_MISSING": ("Column {column} is missing.", "缺少列 {column}。"),
    "HEADER_UNKNOWN": ("Unknown column “{name}”.", "未知的列“{name}”。"),
    "HEADER_MISSPELLED": (
        "Unknown column “{name}”: did you mean {suggestion}?",
        "未知的列“{name}”：是否应为 {suggestion}？",
    ),
    "HEADER_DUPLICATE": (
        "Column {column} appears twice (columns {first} and {second}).",
        "列 {column} 重复出现（第 {first} 列和第 {second} 列）。",
    ),
    "HEADER_BLANK": (
        "Column {letter} has values but no name in the header row.",
        "第 {letter} 列有数据但表头为空。",
    ),
    # ---- one cell
    "REQUIRED": ("Required.", "必填。"),
    "FORMULA": (
        "A formula ({formula}): only values are imported. Paste the values instead.",
        "单元格含公式（{formula}）：只导入数值，请改为“粘贴为数值”。",
    ),
    "CELL_ERROR": (
        "The cell holds the spreadsheet error {value}.",
        "单元格为电子表格错误值 {value}。",
    ),
    "INJECTION": (
        "Starts with “{char}”, which spreadsheet programs run as a formula (CSV injection): "
        "remove the leading character.",
        "以“{char}”开头，电子表格软件会把它当作公式执行（CSV 注入）：请删除开头的字符。",
    ),
    "CONTROL_CHAR": (
        "Contains the control character {char}; remove it.",
        "含有控制字符 {char}，请删除。",
    ),
    "TOO_LONG": (
        "Too long: {length} characters, at most {limit}.",
        "过长：{length} 个字符，最多 {limit} 个。",
    ),
    "NOT_TEXT": ("“{value}” is not text here.", "此处“{value}”应为文本。"),
    "CHOICE": ("“{value}” is not one of: {allowed}.", "“{value}”不在允许值内：{allowed}。"),
    "NUMBER": (
        "“{value}” is not a mass in grams: write digits with a dot for decimals (0.5).",
        "“{value}”不是以克为单位的质量：请填写数字，小数用点号（如 0.5）。",
    ),
    "DATE": (
        "“{value}” is not a date written YYYY-MM-DD.",
        "“{value}”不是 YYYY-MM-DD 格式的日期。",
    ),
    # ---- across rows and against the registry
    "DUPLICATE_CODE": (
        "Instrument code {code} also appears in row {other}.",
        "器具编号 {code} 在第 {other} 行也出现了。",
    ),
    "STALL_CONFLICT": (
        "Stall {stall} of market {market} has another {column} (“{other_value}”) in row {other}.",
        "市场 {market} 的摊位 {stall} 在第 {other} 行的 {column} 不同（“{other_value}”）。",
    ),
    "MARKET_UNKNOWN": (
        "Unknown market code {value} (or not in your district).",
        "未知的市场编码 {value}（或不在您的辖区内）。",
    ),
    "MERCHANT_AMBIGUOUS": (
        "Several merchants are registered at stall {stall} of market {market}: correct the "
        "registry first.",
        "市场 {market} 的摊位 {stall} 登记了多个经营者：请先更正登记信息。",
    ),
    "INSTRUMENT_OTHER_MERCHANT": (
        "Instrument {code} is registered to another merchant ({merchant}): an import does "
        "not move instruments between merchants; change it in the registry first.",
        "器具 {code} 已登记在其他经营者（{merchant}）名下：导入不会在经营者之间转移器具，"
        "请先在登记页面中修改。",
    ),
    "INSTRUMENT_CODE_TAKEN": (
        "Instrument code {code} is already used outside your district.",
        "器具编号 {code} 已在您辖区以外使用。",
    ),
    "MERCHANT_KEPT": (
        "This stall's merchant is registered with {column} “{registered}”; the import keeps "
        "it (change it in the registry if needed).",
        "此摊位的经营者已登记的 {column} 为“{registered}”，导入时保留不变"
        "（如需修改请在登记页面中修改）。",
    ),
    "FILE_CHANGED": (
        "The file changed while it was being imported; nothing was written.",
        "导入过程中文件发生变化，未写入任何内容。",
    ),
}


@dataclass(frozen=True)
class Issue:
    """One problem: ``row`` is the spreadsheet row (header = 1; None for the whole file)."""

    code: str
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)
    level: str = ERROR

    def message(self, lang: str) -> str:
        """The message in ``lang`` (``zh…`` Chinese, anything else English).

        Issues from the registry's shared rules (``domain/registry_rules.py``) carry their
        own ``en`` and ``zh`` text in ``params``; the others are templates in :data:`MESSAGES`.
        """
        zh = lang.startswith("zh")
        if "en" in self.params and "zh" in self.params:
            return str(self.params["zh" if zh else "en"])
        en_text, zh_text = MESSAGES[self.code]
        template = zh_text if zh else en_text
        return template.format(**{k: str(v) for k, v in self.params.items()})

    def where(self, lang: str) -> str:
        """``row 5, max (K5)`` / ``第 5 行，max（K5）``; ``row 1 (I1)`` for a cell without a
        column name; ``file`` / ``文件`` for problems of the whole file."""
        zh = lang.startswith("zh")
        cell = (f"（{self.cell}）" if zh else f" ({self.cell})") if self.cell else ""
        parts = []
        if self.row is not None:
            parts.append(f"第 {self.row} 行" if zh else f"row {self.row}")
        if self.column is not None:
            parts.append(f"{self.column}{cell}")
        elif parts:
            parts[-1] += cell
        if not parts:
            return "文件" if zh else "file"
        return ("，" if zh else ", ").join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "params": {k: str(v) for k, v in self.params.items()},
            "level": self.level,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Issue:
        params = data.get("params")
        row = data.get("row")
        return cls(
            code=str(data["code"]),
            row=row if isinstance(row, int) else None,
            column=str(data["column"]) if data.get("column") is not None else None,
            cell=str(data["cell"]) if data.get("cell") is not None else None,
            params=dict(params) if isinstance(params, Mapping) else {},
            level=str(data.get("level", ERROR)),
        )


def column_letter(index: int) -> str:
    """Spreadsheet letters for a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def shown(value: object, limit: int = 40) -> str:
    """A cell's value as quoted in a message: shortened, control characters made visible."""
    text = str(value)
    text = "".join(ch if ch.isprintable() else f"U+{ord(ch):04X}" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
