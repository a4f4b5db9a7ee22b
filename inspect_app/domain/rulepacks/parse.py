"""Read and check a rule pack's TOML; every problem names the table and row it is in.

Checks: every table has a source (document, clause, evidence marker, ``verified``); a table
marked verified has marker ``V``; units, accuracy classes and rounding modes are known; bands
are ordered and contiguous (each band's lower edge is the previous band's upper edge: no gap,
no overlap) and only the last band may be open-ended; sampling-plan rows cover consecutive lot
sizes; a sample is never larger than the smallest lot it applies to.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import TypeVar

from inspect_app.domain.rulepacks import model as m
from inspect_app.domain.rulepacks.reader import (
    ACCURACY_CLASSES,
    ECCENTRICITY_CRITERIA,
    REPEATABILITY_CRITERIA,
    ROUNDING_MODES,
    PackReader,
    Table,
)
from inspect_app.domain.verdicts import Citation

T = TypeVar("T")


def parse_pack(data: Table, origin: str) -> m.RulePack:
    """Build a :class:`~.model.RulePack` from parsed TOML (floats parsed as Decimal)."""
    r = PackReader(origin)
    pack_id = r.get(data, "id", "pack", str)
    title = r.table(data, "title", "pack")

    def section(key: str, build: Callable[[PackReader, Table], T]) -> T | None:
        return build(r, r.table(data, key, "pack")) if key in data else None

    return m.RulePack(
        id=pack_id,
        version=r.get(data, "version", "pack", str),
        title_zh=r.get(title, "zh", "title", str),
        title_en=r.get(title, "en", "title", str),
        default=r.opt(data, "default", "pack", bool) or False,
        scales=section("scales", _scales),
        prepackages=section("prepackages", _prepackages),
        optics=section("optics", _optics),
    )


def _scales(r: PackReader, data: Table) -> m.ScaleRules:
    mpe_data = r.table(data, "mpe", "scales")
    r.source(mpe_data, "scales.mpe")  # shared by the classes: report its faults once, here
    classes = r.table(mpe_data, "classes", "scales.mpe")
    mpe: dict[str, m.BandTable] = {}
    for name in classes:
        where = f"scales.mpe.classes.{name}"
        if name not in ACCURACY_CLASSES:
            raise r.fail(where, f"unknown accuracy class {name!r}; known: {ACCURACY_CLASSES}")
        table = {"source": mpe_data.get("source"), "unit": "e", "rows": classes[name]}
        mpe[name] = r.band_table(table, f"scales.mpe.{name}", where, "m", {"mpe_e": "e"}, "e")
    in_service = r.table(data, "in_service", "scales")
    params = r.table(data, "class_parameters", "scales")
    param_source = r.source(params, "scales.class_parameters")
    param_rows = r.rows(params, "rows", "scales.class_parameters")
    parameters = []
    for i, row in enumerate(param_rows, 1):
        here = f"scales.class_parameters row {i}"
        cls = r.get(row, "class", here, str)
        if cls not in ACCURACY_CLASSES:
            raise r.fail(here, f"unknown accuracy class {cls!r}")
        e_interval = r.intervals([row], here)[0]
        n_min, n_max = r.get(row, "n_min", here, int), r.get(row, "n_max", here, int)
        if not 0 < n_min < n_max:
            raise r.fail(here, f"needs 0 < n_min < n_max, got {n_min}, {n_max}")
        parameters.append(
            m.ClassParameters(
                i, cls, e_interval, n_min, n_max, r.dec(row, "min_e", here), param_source.verified
            )
        )
    ecc = r.table(data, "eccentricity", "scales")
    rep = r.table(data, "repeatability", "scales")
    for name, crit, allowed in (
        ("eccentricity", ecc, ECCENTRICITY_CRITERIA),
        ("repeatability", rep, REPEATABILITY_CRITERIA),
    ):
        if r.get(crit, "criterion", f"scales.{name}", str) not in allowed:
            raise r.fail(f"scales.{name}", f"criterion must be one of {sorted(allowed)}")
    readings = r.opt(rep, "min_readings", "scales.repeatability", int)
    factor = r.dec(in_service, "factor", "scales.in_service")
    if factor < 1:
        raise r.fail("scales.in_service", "factor must be ≥ 1 (in service is never stricter)")
    in_service_source = r.source(in_service, "scales.in_service")
    return m.ScaleRules(
        mpe=MappingProxyType(mpe),
        in_service_factor=factor,
        in_service_source=in_service_source,
        in_service_citation=Citation(
            "scales.in_service", f"× {factor}", in_service_source, in_service_source.verified
        ),
        class_parameters=tuple(parameters),
        class_parameters_source=param_source,
        eccentricity_source=r.source(ecc, "scales.eccentricity"),
        # A range needs two readings; a pack may ask for more (JJG 13: three).
        repeatability_min_readings=max(2, readings or 2),
        repeatability_source=r.source(rep, "scales.repeatability"),
    )


def _prepackages(r: PackReader, data: Table) -> m.PrepackageRules:
    families = r.table(data, "deficiency", "prepackages")
    deficiency: dict[str, m.DeficiencyTable] = {}
    seen_units: set[str] = set()
    for family, raw in families.items():
        where = f"prepackages.deficiency.{family}"
        if not isinstance(raw, dict):
            raise r.fail(where, "must be a table")
        units = r.get(raw, "units", where, list)
        for unit in units:
            r.unit({"unit": unit}, "unit", where)
            if unit in seen_units:
                raise r.fail(where, f"unit {unit!r} is covered by two tables")
            seen_units.add(unit)
        table = r.band_table(
            {**raw, "unit": units[0]},
            where,
            where,
            "Qn",
            {"percent": "percent", "absolute": "absolute"},
            units[0],
            "/".join(units),
        )
        steps: list[m.RoundingStep] = []
        rounding_source = None
        if "rounding" in raw:
            rounding = r.table(raw, "rounding", where)
            rounding_source = r.source(rounding, f"{where}.rounding")
            for i, step in enumerate(r.rows(rounding, "steps", f"{where}.rounding"), 1):
                here = f"{where}.rounding step {i}"
                mode = r.get(step, "mode", here, str)
                if mode not in ROUNDING_MODES:
                    raise r.fail(
                        here, f"unknown rounding mode {mode!r}; known: {sorted(ROUNDING_MODES)}"
                    )
                upto = r.dec(step, "upto", here) if "upto" in step else None
                if steps and (
                    steps[-1].upto is None or (upto is not None and upto <= steps[-1].upto)
                ):
                    raise r.fail(here, "steps must be in increasing order of 'upto'")
                quantum = r.dec(step, "quantum", here)
                if quantum <= 0:
                    raise r.fail(here, "'quantum' must be > 0")
                steps.append(m.RoundingStep(upto, quantum, mode))
            if steps[-1].upto is not None:
                raise r.fail(f"{where}.rounding", "the last step must have no 'upto'")
        deficiency[family] = m.DeficiencyTable(
            family, tuple(units), table, tuple(steps), rounding_source
        )
    plan = r.table(data, "sampling_plan", "prepackages")
    return m.PrepackageRules(
        MappingProxyType(deficiency),
        _plan_rows(r, plan),
        r.source(plan, "prepackages.sampling_plan"),
    )


def _plan_rows(r: PackReader, plan: Table) -> tuple[m.PlanRow, ...]:
    source = r.source(plan, "prepackages.sampling_plan")
    rows: list[m.PlanRow] = []
    for i, row in enumerate(r.rows(plan, "rows", "prepackages.sampling_plan"), 1):
        here = f"prepackages.sampling_plan row {i}"
        lot_min = r.get(row, "lot_from", here, int)
        lot_max = r.opt(row, "lot_upto", here, int)
        if rows and (rows[-1].lot_max is None or lot_min != rows[-1].lot_max + 1):
            raise r.fail(
                here,
                f"lot_from {lot_min} does not follow the previous row's "
                f"lot_upto {rows[-1].lot_max}: gap or overlap",
            )
        if lot_min < 1 or (lot_max is not None and lot_max < lot_min):
            raise r.fail(here, f"bad lot range {lot_min}..{lot_max}")
        raw_sample = row.get("sample_size")
        sample = None if raw_sample == "all" else r.get(row, "sample_size", here, int)
        if sample is not None and not 0 < sample <= lot_min:
            raise r.fail(
                here,
                f'sample_size {sample} must be between 1 and the smallest lot {lot_min} (or "all")',
            )
        factor = r.dec(row, "correction_factor", here) if "correction_factor" in row else None
        t1, t2 = r.get(row, "allowed_t1", here, int), r.get(row, "allowed_t2", here, int)
        if t1 < 0 or t2 < 0:
            raise r.fail(here, "allowed counts must be ≥ 0")
        verified = r.opt(row, "verified", here, bool)
        rows.append(
            m.PlanRow(
                i,
                lot_min,
                lot_max,
                sample,
                factor,
                t1,
                t2,
                source.verified if verified is None else verified,
                r.opt(row, "note", here, str) or "",
            )
        )
    if rows[-1].lot_max is not None:
        raise r.fail(
            f"prepackages.sampling_plan row {len(rows)}",
            "the last row must be open-ended (no 'lot_upto')",
        )
    return tuple(rows)


def _optics(r: PackReader, data: Table) -> m.OpticsRules:
    lens = None
    if "lens_power" in data:
        raw = r.table(data, "lens_power", "optics")
        where = "optics.lens_power"
        columns = r.intervals(r.rows(raw, "cylinder_columns", where), f"{where}.cylinder_columns")
        source = r.source(raw, where)
        rows = r.rows(raw, "rows", where)
        lens_rows = []
        for i, (row, interval) in enumerate(zip(rows, r.intervals(rows, where), strict=True), 1):
            here = f"{where} row {i}"
            b_raw = r.get(row, "b", here, list)
            if len(b_raw) != len(columns):
                raise r.fail(here, f"'b' has {len(b_raw)} values for {len(columns)} columns")
            b = tuple(None if v == "-" else r.dec({"b": v}, "b", here) for v in b_raw)
            lens_rows.append(
                m.LensRow(
                    i,
                    interval,
                    r.dec(row, "a", here),
                    b,
                    source.verified,
                    r.opt(row, "note", here, str) or "",
                )
            )
        lens = m.LensPowerTable(where, tuple(columns), tuple(lens_rows), source)
    axis = None
    if "lens_axis" in data:
        axis = r.band_table(
            r.table(data, "lens_axis", "optics"),
            "optics.lens_axis",
            "optics.lens_axis",
            "|C|",
            {"tolerance": "tolerance"},
        )
    reference: dict[str, m.BandTable] = {}
    for name, raw in (r.opt(data, "reference", "optics", dict) or {}).items():
        where = f"optics.reference.{name}"
        if not isinstance(raw, dict):
            raise r.fail(where, "must be a table")
        reference[name] = r.band_table(raw, where, where, "|P|", {"tolerance": "tolerance"})
    zero = None
    if "focimeter_zero" in data:
        raw = r.table(data, "focimeter_zero", "optics")
        where = "optics.focimeter_zero"
        zero = m.FocimeterZero(
            r.dec(raw, "mpe", where),
            r.dec(raw, "fine_resolution", where),
            r.dec(raw, "mpe_fine", where),
            r.source(raw, where),
        )
    return m.OpticsRules(lens, axis, MappingProxyType(reference), zero)
