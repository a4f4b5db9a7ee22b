"""A merchant's page: its instruments and inspection history, for whoever may see it."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template

from inspect_app.auth import require_user, roles_required
from inspect_app.services import overview
from inspect_app.services.scoping import merchant_or_404

bp = Blueprint("merchants", __name__, url_prefix="/merchants")


@bp.get("/<int:merchant_id>")
@roles_required()
def detail(merchant_id: int) -> str:
    merchant = merchant_or_404(require_user(), merchant_id)
    return render_template(
        "web/merchant.html",
        merchant=merchant,
        instruments=overview.merchant_instruments(merchant.id),
        inspections=overview.merchant_inspections(merchant.id),
        today=date.today(),
    )
