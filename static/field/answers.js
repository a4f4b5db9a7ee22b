// Reading references out of an answers object: the port of inspect_app/domain/forms/answers.py
// (everything but validate_answers, whose tablet counterpart is form.js `validate`, which
// also knows about fields that stop applying). One walker for the preview's flagged
// violations, the instruments a form names and the photos a saved inspection carries, with
// the server's rules, so the tablet never expects a photo or an instrument the server ignores.
//
//   Python (answers.py)        JavaScript (here)
//   _walk                      walk
//   photo_refs                 photoRefs
//   instrument_refs            instrumentRefs
//   flagged_violations         flaggedViolations  → [{path, code}] (FlaggedViolation)
//
// Answer shapes are the server's: ``{field_key: value}``, a repeat group a list of such objects;
// null (and here also undefined: JSON has no such value) means "not answered".

/** fieldtypes.SHA256_RE: a photo answer is the lowercase sha256 hex of its attachment. */
export const SHA256_RE = /^[0-9a-f]{64}$/;
/** fieldtypes.INSTRUMENT_REF_RE: an instrument answer is its QR token or printed code. */
export const INSTRUMENT_REF_RE = /^[A-Za-z0-9_-]{3,64}$/;
/** model.REPEAT_MAX_ITEMS: rows beyond this are never read (validation refuses them). */
export const REPEAT_MAX_ITEMS = 500;

const isMapping = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * ``[path, field, value]`` for every answered field, descending into repeat items (the repeat
 * field itself comes first, then its rows' fields as ``key.i.child``). Tolerates any input: it
 * only reads what has the expected shape.
 */
export function walk(fields, answers, prefix = '') {
  const out = [];
  if (!isMapping(answers)) return out;
  for (const spec of fields) {
    const value = answers[spec.key];
    if (value === null || value === undefined) continue;
    const path = prefix + spec.key;
    out.push([path, spec, value]);
    if (spec.type === 'repeat' && Array.isArray(value)) {
      value.slice(0, REPEAT_MAX_ITEMS).forEach((item, index) => {
        out.push(...walk(spec.fields || [], item, `${path}.${index}.`));
      });
    }
  }
  return out;
}

/** The distinct attachment sha256s referenced by photo fields, in form order. */
export function photoRefs(definition, answers) {
  const refs = walk(definition.fields, answers)
    .filter(([, spec, value]) => spec.type === 'photo' && typeof value === 'string' && SHA256_RE.test(value))
    .map(([, , value]) => value);
  return [...new Set(refs)];
}

/** ``[path, ref]`` for each instrument field answered, e.g. ``["instruments.1.instrument",
 * "NM-0150-000123"]``; the path tells which repeat item (and its checks) the ref belongs to. */
export function instrumentRefs(definition, answers) {
  return walk(definition.fields, answers)
    .filter(([, spec, value]) => spec.type === 'instrument' && typeof value === 'string'
      && INSTRUMENT_REF_RE.test(value))
    .map(([path, , value]) => [path, value]);
}

/**
 * Violations the answers raise by themselves: a boolean raises each of its ``violations``
 * whose ``when`` equals the answer; a chosen select or multi-select option raises its
 * ``violation``. Malformed values are ignored.
 */
export function flaggedViolations(definition, answers) {
  const out = [];
  for (const [path, spec, value] of walk(definition.fields, answers)) {
    if (spec.type === 'boolean' && typeof value === 'boolean') {
      for (const rule of spec.violations || []) if (rule.when === value) out.push({ path, code: rule.code });
    } else if (spec.type === 'select' || spec.type === 'multi_select') {
      const chosen = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(chosen)) continue;
      for (const choice of spec.choices || []) {
        if (choice.violation != null && chosen.includes(choice.value)) out.push({ path, code: choice.violation });
      }
    }
  }
  return out;
}
