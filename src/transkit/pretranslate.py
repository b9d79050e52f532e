"""Pre-translate the XLIFF a CAT tool exported: fill its targets, keep every inline code.

The workflow beside `transkit.pipeline`: `XliffFill` lists the segments to
translate; each becomes plain German text (codes out, see
`transkit.formats.xliff_inline`), is split into sentences and goes through
the same term matching, translation, enforcement and QA as a text file, in
one batch with every other file.  The English is joined back per segment,
aligned to the German (`ArgosEngine.align_batch`: the model's attention,
kept from the decoding or from one forced pass through the final English; a
lexical guess for engines without it), and each inline code is placed where its text went
(`transkit.text.align.place`).  A code the alignment cannot place goes to
the nearest boundary and the unit gets a note.  The result is written to
``OUT/<same name>``; the input is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from transkit.data import Document, Segment
from transkit.engine.base import Engine
from transkit.errors import InputError, TranskitError
from transkit.fileio import OutputClaims
from transkit.pipeline import FileResult, TranslateOptions, TranslateRun

__all__ = [
    "align_pairs",
    "is_document_path",
    "is_xliff_path",
    "planned_outputs",
    "run_pretranslate",
    "translate_any",
]


def is_xliff_path(name: str) -> bool:
    """``.xlf``, ``.xliff``, ``.sdlxliff`` and ``.mqxliff`` files are pre-translated."""
    return name.lower().endswith((".xlf", ".xliff", ".sdlxliff", ".mqxliff"))


def is_document_path(name: str) -> bool:
    """``.docx``, ``.odt``, ``.html``, ``.md`` (and kin) are translated as documents."""
    from transkit.formats.documents import document_format

    return document_format(name) is not None


@dataclass
class _Prepared:
    name: str
    fill: Any  # XliffFill
    output: Path
    # job key -> (its sentences, the text after the last one), or None: copy the source
    plans: dict[str, tuple[list[Segment], str] | None]
    document: Any = None  # a transkit.document_jobs.DocumentJob


def _output_for(name: str, out_dir: Path) -> Path:
    output = out_dir / Path(name).name
    if output.resolve() == Path(name).resolve():
        raise InputError(
            f"--out {out_dir} would overwrite the input; choose another folder", file=name
        )
    return output


def planned_outputs(inputs: Sequence[str], options: TranslateOptions) -> dict[Path, str]:
    """Every file a translate run of ``inputs`` would write -> the input it is for.

    For checks before anything is written (``--report`` must not be one of them).
    """
    from transkit.pipeline import output_paths

    planned: dict[Path, str] = {}
    for name in inputs:
        if name == "-":
            continue
        if is_xliff_path(name) or is_document_path(name):
            for out in outputs_of(name, options):
                planned.setdefault(out, name)
        else:
            for out in output_paths(name, options.out_dir, options.formats).values():
                planned.setdefault(out, name)
    texts = [n for n in inputs if n != "-" and not is_xliff_path(n) and not is_document_path(n)]
    if "html" in options.formats and len(texts) > 1:
        planned.setdefault(options.out_dir / "index.html", "the review index")
    return planned


def _plan_job(key: str, text: str, matcher: Any) -> tuple[list[Segment], str] | None:
    """The sentences of one XLIFF segment (None: nothing to translate, copy it)."""
    from transkit.text.segment import segment_document

    if not any(ch.isalpha() for ch in text):
        return None
    document = segment_document(key, text)
    sentences = []
    for k, seg in enumerate(document.segments):
        seg = replace(seg, id=f"{key}.{k}")
        if matcher is not None:
            seg = replace(seg, terms=tuple(matcher.find(seg.source)))
        sentences.append(seg)
    return sentences, document.trailing


def _prepare(
    name: str, number: int, options: TranslateOptions, overwrite: bool, matcher: Any
) -> _Prepared:
    from transkit.formats.xliff_fill import XliffFill

    document = None
    if is_document_path(name):
        from transkit.document_jobs import prepare_document_job

        fill, document = prepare_document_job(name, options.out_dir, options.formats)
        output = document.paths.get("xliff") or options.out_dir / (Path(name).name + ".xlf")
    else:
        output = _output_for(name, options.out_dir)
        fill = XliffFill.open(name, overwrite=overwrite)
    lang = fill.source_lang.lower()
    if lang and not lang.startswith("de"):
        raise InputError(
            f"source language is {fill.source_lang}, transkit translates German", file=name
        )
    target = fill.target_lang.lower()
    if target and not target.startswith("en"):
        raise InputError(
            f"target language is {fill.target_lang}, transkit writes English", file=name
        )
    plans = {
        job.key: _plan_job(f"{number}:{job.key}", job.inline.text, matcher) for job in fill.jobs
    }
    return _Prepared(name, fill, output, plans, document)


def _notes(
    sentences: Sequence[Segment], uncertain: Sequence[str]
) -> tuple[tuple[str, str, str], ...]:
    from transkit.formats.xliff_common import (
        NOTE_GLOSSARY,
        NOTE_QA,
        NOTE_TERM_CHECK,
        check_line,
        glossary_line,
    )

    notes: list[tuple[str, str, str]] = []
    for seg in sentences:
        notes.extend((NOTE_TERM_CHECK, "1", check_line(c)) for c in seg.checks if not c.satisfied)
    for seg in sentences:
        notes.extend((NOTE_QA, "2", n) for n in seg.notes)
    if uncertain:
        notes.append(
            (
                NOTE_QA,
                "2",
                "Inline code placement uncertain, put at the nearest boundary: "
                + ", ".join(uncertain)
                + "; check where it belongs.",
            )
        )
    seen: dict[str, str] = {}
    for seg in sentences:
        for term in seg.terms:
            seen.setdefault(term.concept_id, glossary_line(term))
    if seen:
        notes.append((NOTE_GLOSSARY, "3", "Glossary: " + "; ".join(seen.values())))
    return tuple(notes)


def _code_label(code: Any) -> str:
    from transkit.formats.xliff_common import local_name

    el = code.element
    ident = el.get("id") or el.get("rid") or el.get("mid")
    return f"<{local_name(el)}{f' id={ident}' if ident else ''}>"


def align_pairs(engine: Engine, pairs: list[tuple[str, str]]) -> list[Any]:
    """The engine's attention alignment of each pair; a guess where it has none.

    Public: the server places HTML tags with it (`transkit.serve.markup`).
    """
    from transkit.text.align import alignment_from_words, guess_alignment

    aligner = getattr(engine, "align_batch", None)
    tokenize = getattr(engine, "tokenize", None)
    # An English far longer than the decoder would ever produce for its German
    # (3x + 16 pieces, the engine's own cap) is not aligned by a forced pass:
    # that pass would cost more than the translation did.
    sane = [
        k
        for k, (s, t) in enumerate(pairs)
        if tokenize is None or len(tokenize(t)) <= 3 * len(tokenize(s)) + 16
    ]
    found: list[Any] = [None] * len(pairs)
    if aligner and sane:
        aligned = aligner([pairs[k][0] for k in sane], [pairs[k][1] for k in sane])
        for k, words in zip(sane, aligned, strict=True):
            found[k] = words
    out = []
    for k, (source, target) in enumerate(pairs):
        words = found[k]
        if words is None:
            out.append(guess_alignment(source, target))
        else:
            out.append(
                alignment_from_words(
                    source, target, words.source_words, words.target_words, words.links
                )
            )
    return out


def _with_term_links(
    links: Sequence[tuple[int, int, int, int]], segment: Segment, s_start: int, t_start: int
) -> list[tuple[int, int, int, int]]:
    """The alignment's links, with each enforced glossary term linked to its English.

    Where a term is satisfied, the glossary says for certain which English
    renders which German: that link replaces what attention said about
    either side, so a code around a German term (a bold term, a linked
    name) lands around its English, even when the engine's attention over a
    forced term is vague.
    """
    from transkit.enforce.find import find_all

    target = segment.target or ""
    known: list[tuple[int, int, int, int]] = []
    for check in segment.checks:
        if not check.satisfied or not check.found:
            continue
        germans = sorted(
            (t for t in segment.terms if t.concept_id == check.concept_id and t.kind != "compound"),
            key=lambda t: t.start,
        )
        english = find_all(target, check.found)
        for term, (c, d) in zip(germans, english, strict=False):
            known.append((s_start + term.start, s_start + term.end, t_start + c, t_start + d))
    if not known:
        return list(links)
    kept = [
        link
        for link in links
        if not any(
            link[0] < b and link[1] > a or link[2] < d and link[3] > c for a, b, c, d in known
        )
    ]
    return kept + known


def _finish(
    prepared: _Prepared,
    translated: dict[str, Segment],
    engine: Engine,
    review: dict[str, Any] | None = None,
) -> Document:
    """Join sentences, align, place codes, write the file; the summary document back."""
    from transkit.fileio import atomic_write_bytes
    from transkit.formats.xliff_fill import Fill
    from transkit.text.align import Alignment, Placement, place, shift
    from transkit.text.runs import keep_runs

    fill_file = prepared.fill
    jobs = {job.key: job for job in fill_file.jobs}
    joined: dict[str, tuple[str, list[tuple[int, int, str, str]], list[Segment]]] = {}
    pairs: list[tuple[str, str]] = []
    for key, plan in prepared.plans.items():
        if plan is None:
            continue
        sentences, trailing = plan
        parts, spans, done = [], [], []
        cursor = 0
        for seg in sentences:
            out = translated[seg.id]
            done.append(out)
            parts.append(seg.leading)
            cursor += len(seg.leading)
            english = out.target or ""
            spans.append((seg.start, cursor, seg.source, english))
            parts.append(english)
            cursor += len(english)
        parts.append(trailing)
        joined[key] = ("".join(parts), spans, done)
        if jobs[key].inline.has_codes:
            pairs.extend((s, t) for _, _, s, t in spans if s.strip() and t.strip())
    alignments = align_pairs(engine, pairs)
    by_pair = iter(alignments)
    fills: dict[str, Fill] = {}
    all_sentences: list[Segment] = []
    uncertain_units = 0
    for job in fill_file.jobs:
        plan = prepared.plans[job.key]
        inline = job.inline
        if plan is None:  # numbers, codes only: the source is the translation
            placements = tuple(Placement(a.start, a.end) for a in inline.anchors)
            fills[job.key] = Fill(inline.text, placements)
            continue
        text, spans, done = joined[job.key]
        all_sentences.extend(done)
        uncertain: list[str] = []
        placements: tuple[Placement, ...] = ()
        if inline.has_codes:
            links = []
            methods = set()
            for (s_start, t_start, s, t), out in zip(spans, done, strict=True):
                if s.strip() and t.strip():
                    al = next(by_pair)
                    methods.add(al.method)
                    links.extend(
                        _with_term_links(shift(al, s_start, t_start), out, s_start, t_start)
                    )
            method = "attention" if methods == {"attention"} else "guess"
            alignment = Alignment(inline.text, text, tuple(links), method)
            result = place(alignment, inline.anchors)
            if prepared.document is not None:
                # a document's codes are formatting runs: each must stay one, whole
                markdown = prepared.document.format == "markdown"
                result = keep_runs(alignment, inline.anchors, result, inside_words=not markdown)
            placements = tuple(result)
            uncertain = [
                _code_label(code)
                for code, p in zip(inline.codes, result, strict=True)
                if p.uncertain
            ]
            uncertain_units += bool(uncertain)
        fills[job.key] = Fill(text, placements, _notes(done, uncertain))
    data = fill_file.apply(fills)
    stats = fill_file.stats
    metadata = {
        "original": prepared.name,
        "xliff_filled": str(len(fills)),
        "xliff_kept": str(stats.kept),
        "xliff_locked": str(stats.locked),
        "xliff_not_translatable": str(stats.not_translatable),
        "xliff_uncertain_codes": str(uncertain_units),
    }
    if prepared.document is not None:
        metadata["document_format"] = prepared.document.format
        if prepared.document.notes:
            metadata["document_notes"] = " | ".join(prepared.document.notes)
    document = Document(
        name=prepared.name,
        segments=tuple(all_sentences),
        source_lang=fill_file.source_lang or "de",
        target_lang=fill_file.target_lang or "en",
        metadata=metadata,
    )
    if prepared.document is None:
        atomic_write_bytes(prepared.output, data)
    else:
        from transkit.document_jobs import write_document_job

        write_document_job(prepared.document, prepared.name, data, document, review or {})
    return document


def run_pretranslate(
    inputs: Sequence[str],
    options: TranslateOptions,
    *,
    overwrite: bool = False,
    engine: Engine | None = None,
    progress_factory: Callable[[int], Any] | None = None,
    claims: OutputClaims | None = None,
) -> TranslateRun:
    """Pre-translate every XLIFF in ``inputs`` into ``options.out_dir``.

    Bad files are reported in their `FileResult`, the rest still done; raises
    only for problems that stop the run (no model, bad glossary).
    """
    from transkit.pipeline import _load_matcher

    started = time.perf_counter()
    matcher, glossary_files = _load_matcher(options.glossary_paths)
    prepared: list[tuple[str, _Prepared | None, str | None]] = []
    if claims is None:
        claims = OutputClaims([*inputs, *options.glossary_paths])
    for name in inputs:
        try:
            for output in outputs_of(name, options):
                if output.resolve() == Path(name).resolve():
                    raise InputError(
                        f"--out {options.out_dir} would overwrite the input; choose another folder",
                        file=name,
                    )
                claims.claim(output, owner=name)
            prep = _prepare(name, len(prepared), options, overwrite, matcher)
            prepared.append((name, prep, None))
        except TranskitError as err:
            prepared.append((name, None, err.one_line()))
    documents = []
    for _, prep, _ in prepared:
        if prep is None:
            continue
        sentences = [s for plan in prep.plans.values() if plan for s in plan[0]]
        documents.append(Document(name=prep.name, segments=tuple(sentences)))
    model_label = None
    results: list[FileResult] = []
    if any(prep is not None for _, prep, _ in prepared):
        if engine is None:
            from transkit.engine.families import engine_for

            engine = engine_for(options.model, options.engine)
        model_label = getattr(engine, "name", None)
    translated = _translate(documents, engine, options, progress_factory, matcher)
    from transkit.pipeline import _glossary_of

    review = {"glossary": _glossary_of(matcher), "model": model_label, "glossaries": glossary_files}
    _finish_all(prepared, translated, engine, results, review)
    return TranslateRun(
        files=tuple(results),
        seconds=time.perf_counter() - started,
        model=model_label,
        glossaries=glossary_files,
    )


def _translate(
    documents: list[Document],
    engine: Engine | None,
    options: TranslateOptions,
    progress_factory: Callable[[int], Any] | None,
    matcher: Any = None,
) -> dict[str, Segment]:
    """Every sentence of every file in one batch; the results by sentence id."""
    from transkit.pipeline import _glossary_of, translate_with_progress

    glossary = _glossary_of(matcher)

    if engine is None or not any(d.segments for d in documents):
        return {}
    done_docs = translate_with_progress(
        documents,
        engine,
        num_hypotheses=options.num_hypotheses,
        glossary=glossary,
        progress_factory=progress_factory,
    )
    return {s.id: s for d in done_docs for s in d.segments}


def outputs_of(name: str, options: TranslateOptions) -> list[Path]:
    """Every file a run writes for input ``name`` (for collision checks across inputs)."""
    from transkit.pipeline import output_paths

    if name == "-":
        return []
    if is_document_path(name):
        from transkit.document_jobs import document_output_paths

        return list(document_output_paths(name, options.out_dir, options.formats).values())
    if is_xliff_path(name):
        return [options.out_dir / Path(name).name]
    return [
        p for f, p in output_paths(name, options.out_dir, options.formats).items() if f != "omegat"
    ]


def _finish_all(
    prepared: list[tuple[str, _Prepared | None, str | None]],
    translated: dict[str, Segment],
    engine: Engine | None,
    results: list[FileResult],
    review: dict[str, Any] | None = None,
) -> None:
    for name, prep, error in prepared:
        if prep is None:
            results.append(FileResult(path=name, error=error))
            continue
        try:
            assert engine is not None
            document = _finish(prep, translated, engine, review)
            written = (
                tuple(str(p) for p in prep.document.paths.values())
                if prep.document is not None
                else (str(prep.output),)
            )
            results.append(FileResult(path=name, document=document, outputs=written))
        except (TranskitError, OSError) as err:
            message = err.one_line() if isinstance(err, TranskitError) else f"{name}: {err}"
            results.append(FileResult(path=name, error=message))


def translate_any(
    inputs: Sequence[str],
    options: TranslateOptions,
    *,
    overwrite: bool = False,
    stdin_text: str | bytes | None = None,
    engine: Engine | None = None,
    progress_factory: Callable[[int], Any] | None = None,
    claims: OutputClaims | None = None,
) -> TranslateRun:
    """`run_translate` for text inputs, `run_pretranslate` for XLIFF and documents; one engine.

    One set of ``claims`` spans both: a text input and an XLIFF input whose
    outputs share a name cannot both be written.
    """
    from transkit.pipeline import run_translate

    if claims is None:
        claims = OutputClaims([*inputs, *options.glossary_paths])

    xliffs = [
        name for name in inputs if name != "-" and (is_xliff_path(name) or is_document_path(name))
    ]
    texts = [name for name in inputs if name not in xliffs]
    if not xliffs:
        return run_translate(
            texts,
            options,
            stdin_text=stdin_text,
            engine=engine,
            progress_factory=progress_factory,
            claims=claims,
        )
    started = time.perf_counter()
    if engine is None:
        from transkit.engine.families import engine_for

        engine = engine_for(options.model, options.engine)
    runs: list[TranslateRun] = []
    if texts:
        runs.append(
            run_translate(
                texts,
                options,
                stdin_text=stdin_text,
                engine=engine,
                progress_factory=progress_factory,
                claims=claims,
            )
        )
    runs.append(
        run_pretranslate(
            xliffs,
            options,
            overwrite=overwrite,
            engine=engine,
            progress_factory=progress_factory,
            claims=claims,
        )
    )
    by_name = {f.path: f for run in runs for f in run.files}
    return TranslateRun(
        files=tuple(by_name[name] for name in inputs if name in by_name),
        seconds=time.perf_counter() - started,
        model=next((r.model for r in runs if r.model), None),
        glossaries=next((r.glossaries for r in runs if r.glossaries), ()),
        index=runs[0].index if texts else None,
        memory=runs[0].memory if texts else None,
    )
