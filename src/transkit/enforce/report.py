"""Quality report on every term of every segment, and its summaries.

Pure functions: notes for a segment, counts for a document, the JSON report
written by ``transkit translate --report`` and the table ``transkit qa``
prints from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from transkit.data import Document, Segment

__all__ = [
    "REPORT_VERSION",
    "segment_notes",
    "annotate",
    "document_summary",
    "build_report",
    "load_report",
    "render_table",
    "stage_line",
    "STAGE_ORDER",
]

REPORT_VERSION = 1

#: Per-term enforcement stages, in the order they are tried (see transkit.enforce.stages).
STAGE_ORDER = ("nbest", "protected", "substituted", "redecoded", "flagged")


def segment_notes(segment: Segment) -> tuple[str, ...]:
    """QA notes beyond the term checks themselves: unenforced compounds.

    Failed checks are not repeated here: they are in ``segment.checks``, and
    every writer renders them (XLIFF notes, TMX props, the JSON report).
    """
    notes = []
    for term in segment.terms:
        if term.kind == "compound":
            english = term.required[0] if term.required else "?"
            notes.append(
                f"Compound '{term.found}' contains glossary term '{term.term}' ({english}); "
                "not enforced, check by hand"
            )
    notes.extend(m.note for m in segment.matches if m.note)
    return tuple(notes)


def annotate(document: Document) -> Document:
    """Attach `segment_notes` to every segment of a translated document."""
    segments = tuple(replace(s, notes=segment_notes(s)) for s in document.segments)
    return replace(document, segments=segments)


def document_summary(document: Document) -> dict[str, Any]:
    """Counts for one document: segments, terms required/satisfied/failed, methods."""
    methods: dict[str, int] = {}
    stages: dict[str, int] = {}
    required = satisfied = 0
    forbidden = repairs = 0
    for seg in document.segments:
        if seg.method:
            methods[seg.method] = methods.get(seg.method, 0) + 1
        required += len(seg.checks)
        satisfied += sum(c.satisfied for c in seg.checks)
        forbidden += sum(bool(c.forbidden_found) for c in seg.checks)
        repairs += len(seg.repairs)
        for c in seg.checks:
            if c.stage:
                stages[c.stage] = stages.get(c.stage, 0) + 1
    return {
        "file": document.name,
        "segments": len(document.segments),
        "terms_required": required,
        "terms_satisfied": satisfied,
        "terms_failed": required - satisfied,
        "forbidden_found": forbidden,
        "methods": dict(sorted(methods.items())),
        "stages": {k: stages.get(k, 0) for k in STAGE_ORDER},
        "repairs": repairs,
    }


def _segment_record(seg: Segment) -> dict[str, Any]:
    return {
        "id": seg.id,
        "source": seg.source,
        "target": seg.target,
        "method": seg.method,
        "origin": seg.origin,
        "terms": [
            {
                "concept": t.concept_id,
                "term": t.term,
                "found": t.found,
                "start": t.start,
                "end": t.end,
                "kind": t.kind,
                "required": list(t.required),
                # Counted, never named: a forbidden term never leaves transkit.
                "forbidden_variants": len(t.forbidden),
                "dnt": t.dnt,
            }
            for t in seg.terms
        ],
        "checks": [
            {
                "concept": c.concept_id,
                "term": c.term,
                "required": list(c.required),
                "satisfied": c.satisfied,
                "found": c.found,
                "forbidden_found": list(c.forbidden_found),
                "stage": c.stage,
                "reason": c.reason,
                "replaced": c.replaced,
            }
            for c in seg.checks
        ],
        "repairs": list(seg.repairs),
        "notes": list(seg.notes),
        "tm_matches": [
            {
                "level": m.level,
                "score": m.score,
                "source": m.source,
                "target": m.target,
                "origin": m.origin,
                "note": m.note,
            }
            for m in seg.matches
        ],
    }


def build_report(
    documents: Sequence[Document],
    *,
    glossaries: Iterable[tuple[str, int]] = (),
    model: str | None = None,
) -> dict[str, Any]:
    """The ``--report`` JSON: per file, per segment, every term and verdict."""
    files = []
    for doc in documents:
        entry = document_summary(doc)
        entry["segments_detail"] = [_segment_record(s) for s in doc.segments]
        files.append(entry)
    total_req = sum(f["terms_required"] for f in files)
    total_ok = sum(f["terms_satisfied"] for f in files)
    stages = {k: sum(f["stages"].get(k, 0) for f in files) for k in STAGE_ORDER}
    return {
        "transkit_report": REPORT_VERSION,
        "model": model,
        "glossaries": [{"file": f, "entries": n} for f, n in glossaries],
        "totals": {
            "files": len(files),
            "segments": sum(f["segments"] for f in files),
            "terms_required": total_req,
            "terms_satisfied": total_ok,
            "terms_failed": total_req - total_ok,
            "success_rate": (total_ok / total_req) if total_req else None,
            "stages": stages,
            "repairs": sum(f["repairs"] for f in files),
        },
        "files": files,
    }


def load_report(text: str, name: str) -> dict[str, Any]:
    """Parse a report written by `build_report`; errors name the file."""
    from transkit.errors import FormatError

    try:
        data = json.loads(text)
    except ValueError as err:
        raise FormatError(
            f"not a transkit report ({err.args[0]})", file=name, line=getattr(err, "lineno", None)
        ) from None
    if not isinstance(data, dict) or data.get("transkit_report") != REPORT_VERSION:
        raise FormatError("not a transkit report (missing 'transkit_report': 1)", file=name)
    problem = _shape_problem(data)
    if problem:
        raise FormatError(f"not a transkit report of the expected shape: {problem}", file=name)
    return data


def stage_line(stages: dict[str, int]) -> str:
    """``n-best 5, protected 0, substituted 1, re-decoded 2, flagged 0``."""
    labels = {"nbest": "n-best", "redecoded": "re-decoded"}
    return ", ".join(f"{labels.get(k, k)} {stages.get(k, 0)}" for k in STAGE_ORDER)


_INT = (int,)
_STR = (str,)
_FILE_FIELDS = {"file": _STR, "segments": _INT, "terms_required": _INT}
_FILE_FIELDS |= {"terms_satisfied": _INT, "terms_failed": _INT}
_CHECK_FIELDS = {"term": _STR, "satisfied": (bool,), "found": _STR}


def _shape_problem(data: dict[str, Any]) -> str | None:
    """What `render_table` would trip over, as ``files[0].segments_detail[2].id: ...``."""

    def kind(value: Any, types: tuple[type, ...]) -> bool:
        if bool not in types and isinstance(value, bool):
            return False
        return isinstance(value, types)

    def strings(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    files = data.get("files", [])
    if not isinstance(files, list):
        return "files: expected a list"
    for i, f in enumerate(files):
        where = f"files[{i}]"
        if not isinstance(f, dict):
            return f"{where}: expected an object"
        for key, types in _FILE_FIELDS.items():
            if not kind(f.get(key), types):
                return f"{where}.{key}: expected {'a number' if types == _INT else 'text'}"
        segments = f.get("segments_detail", [])
        if not isinstance(segments, list):
            return f"{where}.segments_detail: expected a list"
        for j, seg in enumerate(segments):
            at = f"{where}.segments_detail[{j}]"
            if not isinstance(seg, dict):
                return f"{at}: expected an object"
            if not kind(seg.get("id"), (str, int)):
                return f"{at}.id: expected text or a number"
            if seg.get("method") is not None and not isinstance(seg["method"], str):
                return f"{at}.method: expected text"
            if not strings(seg.get("notes", [])):
                return f"{at}.notes: expected a list of texts"
            if not strings(seg.get("repairs", [])):
                return f"{at}.repairs: expected a list of texts"
            checks = seg.get("checks", [])
            if not isinstance(checks, list):
                return f"{at}.checks: expected a list"
            for k, check in enumerate(checks):
                spot = f"{at}.checks[{k}]"
                if not isinstance(check, dict):
                    return f"{spot}: expected an object"
                for key, types in _CHECK_FIELDS.items():
                    if not kind(check.get(key), types):
                        wanted = "true/false" if types == (bool,) else "text"
                        return f"{spot}.{key}: expected {wanted}"
                if check.get("stage") is not None and not isinstance(check["stage"], str):
                    return f"{spot}.stage: expected text"
                for key in ("required", "forbidden_found"):
                    if not strings(check.get(key)):
                        return f"{spot}.{key}: expected a list of texts"
    totals = data.get("totals", {})
    if not isinstance(totals, dict):
        return "totals: expected an object"
    for key in ("segments", "terms_required", "terms_satisfied", "terms_failed"):
        if key in totals and not kind(totals[key], _INT):
            return f"totals.{key}: expected a number"
    rate = totals.get("success_rate")
    if rate is not None and not kind(rate, (int, float)):
        return "totals.success_rate: expected a number or null"
    stages = totals.get("stages", {})
    if not isinstance(stages, dict) or not all(kind(v, _INT) for v in stages.values()):
        return "totals.stages: expected an object of numbers"
    return None


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(report: dict[str, Any], *, failed_only: bool = False, width: int = 100) -> str:
    """A plain-text table of every term check, grouped by file."""
    lines = []
    col = max(20, (width - 30) // 3)
    for f in report.get("files", []):
        lines.append(
            f"{f['file']}: {f['segments']} segments, {f['terms_required']} terms required, "
            f"{f['terms_satisfied']} satisfied, {f['terms_failed']} failed"
        )
        header = (
            f"  {'seg':>4}  {'stage':<11} {'ok':<3} {'German':<{col}} {'required':<{col}} found"
        )
        rows = []
        for seg in f.get("segments_detail", []):
            for check in seg.get("checks", []):
                if failed_only and check["satisfied"]:
                    continue
                ok = "yes" if check["satisfied"] else "NO"
                found = check["found"] or (
                    "forbidden: " + ", ".join(check["forbidden_found"])
                    if check["forbidden_found"]
                    else "-"
                )
                if check.get("reason"):
                    found += f" ({check['reason']})"
                elif check.get("replaced"):
                    found += f" (replaced {check['replaced']})"
                stage = check.get("stage") or seg.get("method") or "-"
                rows.append(
                    f"  {seg['id']:>4}  {stage:<11} {ok:<3} "
                    f"{_clip(check['term'], col):<{col}} "
                    f"{_clip(' | '.join(check['required']), col):<{col}} {_clip(found, col)}"
                )
            for line in seg.get("repairs", []) if not failed_only else []:
                rows.append(f"  {seg['id']:>4}  repair: {_clip(line, width - 16)}")
            for note in seg.get("notes", []):
                if note.startswith("Compound") and not failed_only:
                    rows.append(f"  {seg['id']:>4}  note: {_clip(note, width - 14)}")
        if rows:
            lines.append(header)
            lines.extend(rows)
        lines.append("")
    totals = report.get("totals", {})
    if totals:
        rate = totals.get("success_rate")
        rate_text = f"{rate:.3f}" if isinstance(rate, (int, float)) else "n/a"
        lines.append(
            f"total: {totals.get('segments', 0)} segments, {totals.get('terms_required', 0)} "
            f"terms required, {totals.get('terms_satisfied', 0)} satisfied, "
            f"{totals.get('terms_failed', 0)} failed (success rate {rate_text})"
        )
        if totals.get("stages"):
            lines.append("stages: " + stage_line(totals["stages"]))
    return "\n".join(lines).rstrip() + "\n"
