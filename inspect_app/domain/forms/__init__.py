"""Field forms as data: definitions, the field-type registry and answer validation.

Pure Python (standard library only). ``inspect_app.formdefs`` loads ``field_forms/`` with
these functions; the sync API validates submitted answers with :func:`validate_answers`.
See ``docs/field-forms.md`` for the file format.
"""

from .answers import (
    FlaggedViolation,
    flagged_violations,
    instrument_refs,
    photo_refs,
    validate_answers,
)
from .fieldtypes import FIELD_TYPES, FieldType, to_decimal
from .issues import MESSAGES
from .model import (
    MAX_ISSUES,
    MAX_REPEAT_DEPTH,
    REPEAT_MAX_ITEMS,
    TEXT_MAX_LENGTH,
    AnswerIssue,
    Choice,
    FieldSpec,
    FormDefinition,
    FormDefinitionError,
    FormStatus,
    LocalizedText,
    Relevance,
    Violation,
    ViolationRef,
    canonical_json,
    content_sha256,
)
from .parse import parse_definition
from .violations import parse_violations

__all__ = [
    "FIELD_TYPES",
    "MAX_ISSUES",
    "MAX_REPEAT_DEPTH",
    "MESSAGES",
    "REPEAT_MAX_ITEMS",
    "TEXT_MAX_LENGTH",
    "AnswerIssue",
    "Choice",
    "FieldSpec",
    "FieldType",
    "FlaggedViolation",
    "FormDefinition",
    "FormDefinitionError",
    "FormStatus",
    "LocalizedText",
    "Relevance",
    "Violation",
    "ViolationRef",
    "canonical_json",
    "content_sha256",
    "flagged_violations",
    "instrument_refs",
    "parse_definition",
    "parse_violations",
    "photo_refs",
    "to_decimal",
    "validate_answers",
]
