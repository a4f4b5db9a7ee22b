"""An inspection judged and ready to store, as rows (see :class:`InspectionDraft`)."""

from __future__ import annotations

from typing import Any

from inspect_app.models import Finding, Inspection, InspectionAttachment


class InspectionDraft:
    """An inspection judged and ready to store, as rows, not yet an ORM object.

    Attributes are the values of its ``inspection`` row, named as :class:`Inspection`'s
    columns (one not set takes the column's default); ``findings`` and ``photos`` are the rows
    of its findings and expected attachments, without ``inspection_id``. The batch path
    inserts the rows together; the item-by-item path stores :meth:`model`. Building a plain
    object costs a fraction of an instrumented ORM instance, and nothing reaches the session
    before the insert.
    """

    uuid: str
    content_sha256: str
    supersedes_id: int | None

    def __init__(
        self,
        columns: dict[str, Any],
        findings: list[dict[str, Any]],
        photos: list[dict[str, Any]],
    ) -> None:
        self.__dict__.update(columns)
        self.findings = findings
        self.photos = photos

    def row(self) -> dict[str, Any]:
        """The ``inspection`` row: every column value set."""
        return {key: self.__dict__[key] for key in _INSPECTION_COLUMNS if key in self.__dict__}

    def model(self) -> Inspection:
        """The same record as a new ORM object, with its findings and attachments."""
        return Inspection(
            **self.row(),
            findings=[Finding(**row) for row in self.findings],
            attachments=[InspectionAttachment(**row) for row in self.photos],
        )


_INSPECTION_COLUMNS = tuple(column.key for column in Inspection.__table__.columns)
