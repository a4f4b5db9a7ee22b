"""A merchant's page: its instruments and inspection history, for whoever may see it.

For the merchant's own user it is also the home of the portal (docs/merchant-portal.md): the
yearly honesty commitment, every order in plain words with its deadline, and a link from each
inspection to its page, where the merchant may reply. Staff of the district see the same
orders, the commitment's status and the merchant's replies.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for

from inspect_app.auth import require_user, roles_required
from inspect_app.domain.traffic_light import local_today
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.services import merchant_portal, overview
from inspect_app.services.scoping import merchant_or_404

bp = Blueprint("merchants", __name__, url_prefix="/merchants")

#: The staff's pages an order and an inspection link to, when they are registered.
STAFF_ORDER_PAGE = "district_orders.order"
STAFF_INSPECTION_PAGE = "review.inspection"


@bp.get("/<int:merchant_id>")
@roles_required()
def detail(merchant_id: int) -> str:
    user = require_user()
    merchant = merchant_or_404(user, merchant_id)
    inspections = overview.merchant_inspections(merchant.id)
    now = utcnow()
    owner = user.role == Role.MERCHANT
    pages = current_app.view_functions
    if owner:
        links = {
            i.id: url_for("merchant_portal.inspection", inspection_id=i.id) for i in inspections
        }
    elif STAFF_INSPECTION_PAGE in pages:
        links = {i.id: url_for(STAFF_INSPECTION_PAGE, uuid=i.uuid) for i in inspections}
    else:
        links = {}
    return render_template(
        "web/merchant.html",
        merchant=merchant,
        instruments=overview.merchant_instruments(merchant.id),
        inspections=inspections,
        inspection_links=links,
        side=merchant_portal.merchant_side(merchant.id, inspections, now),
        owner=owner,
        staff_order_page=STAFF_ORDER_PAGE if not owner and STAFF_ORDER_PAGE in pages else None,
        today=local_today(now),
    )
