"""The supervisors' alert inbox (docs/enforcement-pages.md): the district's alerts newest
first, acknowledge and assign forms, a JSON feed the page polls, and the open-alert count in
the header of every page a supervisor or admin reads.

Who: supervisors see their district's alerts, admins all; inspectors and merchant users 403;
another district's alert is 404. When two supervisors acknowledge one alert at the same
moment the service lets the first win (``ALERT_ALREADY_ACKNOWLEDGED`` for the other): the
loser is sent back to the inbox with a notice naming who acknowledged it and when.

The header count is drawn with every page (:func:`_badge`, a context processor) and kept
fresh by ``static/web/alerts.js``, loaded on the pages of supervisors and admins only: it asks
``/alerts/feed`` every 30 s for the count, and on the inbox every 10 s for new alerts too,
which it puts at the top of the list and announces in a polite live region.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from inspect_app.auth import current_user, require_user, roles_required
from inspect_app.database import read_only
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Alert
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.schemas import supervision as schema
from inspect_app.services import alerts, scoping, supervision
from inspect_app.web.display import local_time

bp = Blueprint("alert_inbox", __name__)

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
#: The flash categories of the inbox's notices (done / not done).
DONE, REFUSED = "alerts", "alerts_refused"
#: How often the inbox asks for new alerts, in seconds (the header count: every 30 s).
DEFAULT_POLL_SECONDS = 10
#: New alerts one answer of the feed carries at most (the rest come with the next poll).
FEED_LIMIT = 50


def _poll_seconds() -> int:
    return int(current_app.config.get("ALERT_POLL_SECONDS", DEFAULT_POLL_SECONDS))


@bp.app_context_processor
def _badge() -> dict[str, Callable[[], int | None]]:
    """``open_alert_count()`` for base.html: the number for supervisors and admins, else None
    (asked only when the header is drawn; a database that fails leaves the header without it
    rather than failing the page, an error page included)."""

    def count() -> int | None:
        user = current_user()
        if user is None or user.role not in SUPERVISORS:
            return None
        try:
            return alerts.open_count(user)
        except SQLAlchemyError:
            return None

    return {"open_alert_count": count}


def _view(rows: list[Alert], show: str) -> dict[str, Any]:
    """What ``_alert.html`` needs for a list of alerts."""
    return {
        "alerts": rows,
        "show": show,
        "uuids": supervision.inspection_uuids(a.inspection_id for a in rows),
        "people": supervision.people(
            [a.acknowledged_by_id for a in rows] + [a.assigned_to_id for a in rows]
        ),
        "assignable": supervision.assignable(a.region_id for a in rows),
    }


@bp.get("/alerts")
@roles_required(*SUPERVISORS)
def inbox() -> str:
    user = require_user()
    query: dict[str, Any] = schema.InboxQueryIn().load(request.args.to_dict())
    open_only = query["show"] == "open"
    page = supervision.inbox(user, open_only=open_only, cursor=query["after"])
    return render_template(
        "supervision/alerts.html",
        page=page,
        first_page=query["after"] is None,
        since=supervision.latest_alert_id(user),
        poll_seconds=_poll_seconds(),
        **_view(page.rows, query["show"]),
    )


@bp.get("/alerts/feed")
@read_only
@roles_required(*SUPERVISORS)
def feed() -> Response:
    """``{"open_count", "latest_id", "alerts": [{"id", "html"}], "announcement"}``: with
    ``since``, the alerts newer than it, each as the inbox's own list item; without, the
    count alone (what the header needs)."""
    user = require_user()
    query: dict[str, Any] = schema.FeedQueryIn().load(request.args.to_dict())
    body: dict[str, Any] = {"open_count": alerts.open_count(user)}
    since = query["since"]
    if since is not None:
        fresh = alerts.inbox(
            user, limit=FEED_LIMIT, open_only=query["show"] == "open", after_id=since
        )
        context = _view(fresh, query["show"])
        body["alerts"] = [
            {
                "id": a.id,
                "html": render_template("supervision/_alert.html", alert=a, **context).strip(),
            }
            for a in fresh
        ]
        body["latest_id"] = max([since, *(a.id for a in fresh)])
        body["announcement"] = _("New alerts: %(num)d", num=len(fresh)) if fresh else ""
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _back() -> Response:
    show = request.form.get("show")
    target = url_for("alert_inbox.inbox", show=show if show in ("open", "all") else None)
    return redirect(target, 303)


@bp.post("/alerts/<int:alert_id>/acknowledge")
@roles_required(*SUPERVISORS)
def acknowledge(alert_id: int) -> Response:
    user = require_user()
    alert = scoping.alert_or_404(user, alert_id)
    try:
        alerts.acknowledge(user, alert, utcnow())
    except AppError as exc:
        if exc.problem.code != "ALERT_ALREADY_ACKNOWLEDGED":
            raise
        db.session.rollback()  # nothing of this request is kept; then read the winner's row
        who, when = supervision.acknowledgement(alert_id)
        flash(
            _(
                "Alert %(id)d was already acknowledged by %(name)s at %(when)s.",
                id=alert_id,
                name=who.display_name if who else "?",
                when=local_time(when),
            ),
            REFUSED,
        )
        return _back()
    flash(_("Alert %(id)d acknowledged.", id=alert_id), DONE)
    return _back()


@bp.post("/alerts/<int:alert_id>/assign")
@roles_required(*SUPERVISORS)
def assign(alert_id: int) -> Response:
    user = require_user()
    alert = scoping.alert_or_404(user, alert_id)
    typed = {k: v for k, v in request.form.items() if k not in ("csrf_token", "show")}
    try:
        data: dict[str, Any] = schema.AssignIn().load(typed)
    except ValidationError:
        data = {"assignee": None}
    assignee = supervision.assignee(alert, data["assignee"])
    if assignee is None:
        flash(
            _(
                "Alert %(id)d was not assigned: choose a supervisor or inspector of its district.",
                id=alert_id,
            ),
            REFUSED,
        )
        return _back()
    alerts.assign(user, alert, assignee, utcnow())
    flash(_("Alert %(id)d assigned to %(name)s.", id=alert_id, name=assignee.display_name), DONE)
    return _back()
