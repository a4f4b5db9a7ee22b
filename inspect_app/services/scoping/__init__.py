"""Who may see or change what: every scope rule, in one place.

* Admins see and change every region.
* Supervisors and inspectors see their own region; only inspectors (and admins) record
  inspections, and an inspector corrects only inspections they recorded themselves.
* A merchant user sees only its own merchant.
* An instrument cited by an inspection belongs to the inspection's merchant (a merchant using
  another stall's scale is a finding on the form, not a cross-link).

Views, the sync services, the labels and the attachments ask here; nothing else decides scope.
The rules live in this package: ``core`` (regions, merchants, instruments, inspections,
attachments, reports), ``enforcement`` (review, alerts, orders, the merchant portal) and
``plans``; callers import them from here.
An object outside the caller's scope is reported as not found (``NOT_FOUND``, or the
``*_UNKNOWN`` refusal of a sync item), so ids and tokens cannot be probed.
"""

from inspect_app.services.scoping.core import *  # noqa: F403
from inspect_app.services.scoping.enforcement import *  # noqa: F403
from inspect_app.services.scoping.plans import *  # noqa: F403
