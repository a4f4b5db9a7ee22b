"""The honesty commitment (诚信计量承诺书) a merchant signs online once a year.

The wording is versioned (:data:`TEXT_VERSION`): a signature records the version it was given
under, so what a merchant signed can be shown years later even after the wording changes (a
new wording is a new version here, the old one kept). The year is the calendar year in the
local zone (Asia/Shanghai) at the moment of signing; one signature per merchant and year (the
database's unique index decides between two sent at once).

Public pages say only whether this year's commitment is signed ("signed the honesty commitment
for 2026"), never who signed it: the signatory's name is for the merchant's own page and the
district's staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inspect_app.domain.traffic_light import LOCAL_ZONE
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Commitment, User
from inspect_app.models.user import Role
from inspect_app.services import audit

TEXT_VERSION = "2026-1"


@dataclass(frozen=True)
class Wording:
    title: str
    preamble: str
    pledges: tuple[str, ...]
    closing: str


#: The commitment's wording by version and language (``zh``, ``en``).
TEXTS: dict[str, dict[str, Wording]] = {
    "2026-1": {
        "zh": Wording(
            title="诚信计量承诺书",
            preamble=(
                "本经营者郑重承诺：在经营活动中遵守《中华人民共和国计量法》及其实施细则和"
                "计量监督管理的有关规定，做到："
            ),
            pledges=(
                "使用合法的、经检定合格并在检定有效期内的计量器具，按时申请强制检定；"
                "不使用未经检定、超过检定周期或者检定不合格的计量器具。",
                "不使用、不安装任何作弊装置或者作弊程序；不破坏计量器具的准确度，"
                "不擅自改动、拆装计量器具，不破坏其铅封或封印。",
                "诚信计量，足斤足两；使用法定计量单位，不短斤少两，不在计量上弄虚作假。",
                "如实标注定量包装商品的净含量，符合国家有关规定。",
                "自觉接受市场监督管理部门的计量监督检查，如实提供情况和资料，不拒绝、不阻碍检查。",
                "计量器具出现故障或者被责令停止使用时立即停用；被责令整改的，按期整改并配合复查。",
            ),
            closing="如有违反，愿意承担相应的法律责任，并接受社会监督。",
        ),
        "en": Wording(
            title="Honesty-in-measurement commitment",
            preamble=(
                "As the operator of this business, I commit that in our trade we will observe "
                "the Metrology Law of the People's Republic of China, its implementing rules "
                "and the rules of metrological supervision, and that we will:"
            ),
            pledges=(
                "Use only legal measuring instruments that have passed verification and whose "
                "verification is in force, and apply for mandatory verification on time; never "
                "use an instrument that is unverified, past its verification period or failed "
                "its verification.",
                "Never use or install a cheating device or cheat program; never impair an "
                "instrument's accuracy, alter or open an instrument, or break its seal.",
                "Give honest weight and measure, in legal units of measurement; never give "
                "short weight or falsify a measurement.",
                "Mark the net quantity of prepackaged goods truthfully, as the national rules "
                "require.",
                "Accept metrological inspection by the market-regulation authority, give true "
                "information and records, and never refuse or obstruct an inspection.",
                "Stop using an instrument at once when it is faulty or ordered out of use; "
                "carry out an ordered repair by its deadline and cooperate with re-inspection.",
            ),
            closing="Should we break this commitment, we accept the legal consequences and "
            "public scrutiny.",
        ),
    },
}


def wording(lang: str, version: str = TEXT_VERSION) -> Wording:
    """The commitment's wording in ``lang`` (``en``; anything else is Chinese)."""
    return TEXTS[version]["en" if lang == "en" else "zh"]


def local_year(now: datetime) -> int:
    """The calendar year of ``now`` in the local zone (a signature on 31 December at 23:30
    Beijing time is that year's, whatever UTC says)."""
    return now.astimezone(LOCAL_ZONE).year


def current(merchant_id: int, now: datetime) -> Commitment | None:
    """This year's signed commitment of ``merchant_id``, if any."""
    return db.session.scalar(
        select(Commitment).where(
            Commitment.merchant_id == merchant_id, Commitment.year == local_year(now)
        )
    )


def history(merchant_id: int) -> list[Commitment]:
    """Every commitment the merchant signed, newest year first."""
    return list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.merchant_id == merchant_id)
            .order_by(Commitment.year.desc())
        )
    )


def sign(actor: User, signatory: str, now: datetime) -> Commitment:
    """Sign this year's commitment for the actor's merchant (flushes; the caller commits).

    :param signatory: the name the merchant user typed as their signature.
    :raises AppError: ``FORBIDDEN`` (not a merchant user) or ``COMMITMENT_ALREADY_SIGNED``.
    """
    if actor.role != Role.MERCHANT or actor.merchant_id is None:
        raise AppError("FORBIDDEN")
    if current(actor.merchant_id, now) is not None:
        raise AppError("COMMITMENT_ALREADY_SIGNED")
    commitment = Commitment(
        merchant_id=actor.merchant_id,
        year=local_year(now),
        text_version=TEXT_VERSION,
        signatory=signatory,
        signed_by_id=actor.id,
        signed_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(commitment)
            db.session.flush()
    except IntegrityError as exc:  # signed at the same moment in another tab
        raise AppError("COMMITMENT_ALREADY_SIGNED") from exc
    audit.record(
        actor,
        "commitment.sign",
        "merchant",
        actor.merchant_id,
        {"year": commitment.year, "version": TEXT_VERSION},
    )
    return commitment
