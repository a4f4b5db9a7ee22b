"""The JSON form of a rule pack that the offline tablet computes its verdicts from.

Decimals are canonical strings (see :func:`~inspect_app.domain.quantities.dec_str`); an
absent bound, sample size or correction factor is ``null``. The shape is documented in
``docs/metrology.md`` ("JSON export") and bumps ``format`` when it changes incompatibly.
"""

from __future__ import annotations

from inspect_app.domain.quantities import dec_str
from inspect_app.domain.rulepacks import model as m
from inspect_app.domain.verdicts import JSON, JSONDict

FORMAT = 1


def interval_json(interval: m.Interval) -> JSONDict:
    """Return ``{"lower", "lower_inclusive", "upper"}`` (``upper`` null when open-ended)."""
    return {
        "lower": dec_str(interval.lower),
        "lower_inclusive": interval.lower_inclusive,
        "upper": None if interval.upper is None else dec_str(interval.upper),
    }


def band_table_json(table: m.BandTable) -> JSONDict:
    """Return a band table with its source and one entry per band."""
    bands: list[JSON] = [
        {
            "row": b.index,
            **interval_json(b.interval),
            "value": dec_str(b.value),
            "kind": b.kind,
            "verified": b.verified,
            "note": b.note,
        }
        for b in table.bands
    ]
    return {
        "key": table.key,
        "var": table.var,
        "unit": table.unit,
        "value_unit": table.value_unit,
        "source": table.source.to_dict(),
        "bands": bands,
    }


def _scales(rules: m.ScaleRules) -> JSONDict:
    params: list[JSON] = [
        {
            "row": p.index,
            "class": p.accuracy_class,
            "e": interval_json(p.e),
            "n_min": p.n_min,
            "n_max": p.n_max,
            "min_e": dec_str(p.min_e),
            "verified": p.verified,
        }
        for p in rules.class_parameters
    ]
    return {
        "mpe": {cls: band_table_json(t) for cls, t in rules.mpe.items()},
        "in_service": {
            "factor": dec_str(rules.in_service_factor),
            "source": rules.in_service_source.to_dict(),
        },
        "class_parameters": {"source": rules.class_parameters_source.to_dict(), "rows": params},
        "eccentricity": {
            "criterion": "each_within_mpe",
            "source": rules.eccentricity_source.to_dict(),
        },
        "repeatability": {
            "criterion": "each_and_range_within_mpe",
            "min_readings": rules.repeatability_min_readings,
            "source": rules.repeatability_source.to_dict(),
        },
    }


def _deficiency(table: m.DeficiencyTable) -> JSONDict:
    steps: list[JSON] = [
        {
            "upto": None if s.upto is None else dec_str(s.upto),
            "quantum": dec_str(s.quantum),
            "mode": s.mode,
        }
        for s in table.rounding
    ]
    units: list[JSON] = list(table.units)
    return {
        "units": units,
        "table": band_table_json(table.table),
        "rounding": {
            "steps": steps,
            "source": None if table.rounding_source is None else table.rounding_source.to_dict(),
        },
    }


def _prepackages(rules: m.PrepackageRules) -> JSONDict:
    rows: list[JSON] = [
        {
            "row": r.index,
            "lot_min": r.lot_min,
            "lot_max": r.lot_max,
            "sample_size": r.sample_size,
            "correction_factor": None
            if r.correction_factor is None
            else dec_str(r.correction_factor),
            "allowed_t1": r.allowed_t1,
            "allowed_t2": r.allowed_t2,
            "verified": r.verified,
            "note": r.note,
        }
        for r in rules.plan
    ]
    return {
        "deficiency": {name: _deficiency(t) for name, t in rules.deficiency.items()},
        "sampling_plan": {"source": rules.plan_source.to_dict(), "rows": rows},
    }


def _optics(rules: m.OpticsRules) -> JSONDict:
    lens: JSON = None
    if rules.lens_power is not None:
        lp = rules.lens_power
        columns: list[JSON] = [interval_json(c) for c in lp.cylinder_columns]
        rows: list[JSON] = [
            {
                "row": r.index,
                **interval_json(r.interval),
                "a": dec_str(r.a),
                "b": [None if v is None else dec_str(v) for v in r.b],
                "verified": r.verified,
                "note": r.note,
            }
            for r in lp.rows
        ]
        lens = {
            "key": lp.key,
            "unit": "D",
            "cylinder_columns": columns,
            "rows": rows,
            "source": lp.source.to_dict(),
        }
    zero: JSON = None
    if rules.focimeter_zero is not None:
        z = rules.focimeter_zero
        zero = {
            "mpe": dec_str(z.mpe),
            "fine_resolution": dec_str(z.fine_resolution),
            "mpe_fine": dec_str(z.mpe_fine),
            "unit": "D",
            "source": z.source.to_dict(),
        }
    return {
        "lens_power": lens,
        "lens_axis": None if rules.lens_axis is None else band_table_json(rules.lens_axis),
        "reference": {name: band_table_json(t) for name, t in rules.reference.items()},
        "focimeter_zero": zero,
    }


def export_pack(pack: m.RulePack) -> JSONDict:
    """Return every table of ``pack`` as JSON-serialisable data (a fresh object each call)."""
    return {
        "format": FORMAT,
        "id": pack.id,
        "version": pack.version,
        "title": {"zh": pack.title_zh, "en": pack.title_en},
        "default": pack.default,
        "scales": None if pack.scales is None else _scales(pack.scales),
        "prepackages": None if pack.prepackages is None else _prepackages(pack.prepackages),
        "optics": None if pack.optics is None else _optics(pack.optics),
    }
