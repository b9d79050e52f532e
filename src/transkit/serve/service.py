"""The translation service behind both APIs: models, glossary, memory, batching.

`TranslationService.translate` is what every endpoint calls.  For each
text it segments the German, matches glossary terms, asks the memory first
(exact and in-context matches answer without MT, from the same memory
``translate`` and ``merge`` use), and queues only what is left for the
`transkit.serve.batcher.Batcher`, whose replica threads run the pipeline's
batch step.  Tags (``format=html``, ``tag_handling``) are taken out and put
back by `transkit.serve.markup`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from transkit.data import Document, Segment
from transkit.errors import TranskitError
from transkit.serve.batcher import Batcher, Job
from transkit.serve.config import ServeConfig
from transkit.serve.glossaries import GlossaryStore, Terminology
from transkit.serve.markup import Markup, Unit
from transkit.serve.recent import RecentTranslations

__all__ = ["TextResult", "TranslationService", "Pair"]

log = logging.getLogger("transkit.serve")

Pair = tuple[str, str]

#: How often the memory looks for TMX files changed by `merge` or `tm import`.
MEMORY_REFRESH_SECONDS = 1.0


@dataclass
class TextResult:
    """One translated text, with what clients that know transkit may read."""

    text: str
    alternatives: list[str] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)
    memory: int = 0  # sentences answered from the memory
    sentences: int = 0

    def report(self) -> dict[str, Any]:
        """The extra field: term checks and memory use (forbidden terms never named)."""
        return {"terms": self.terms, "memory": self.memory, "sentences": self.sentences}


@dataclass
class _Request:
    """What the worker needs to finish one job: per text its documents and markup."""

    texts: list[tuple[list[Document], Markup | None]]
    terminology: Terminology | None
    alternatives: int = 0


def _check_record(check: Any) -> dict[str, Any]:
    return {
        "term": check.term,
        "required": list(check.required),
        "satisfied": check.satisfied,
        "found": check.found,
        "stage": check.stage,
        "forbidden": bool(check.forbidden_found),
    }


class TranslationService:
    """Models for every served pair, the glossary, the memory and the batcher."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.packages: dict[Pair, Any] = {}
        self.engines: dict[Pair, list[Any]] = {}
        self.base: Terminology | None = None
        self.store = GlossaryStore(config.data_dir / "glossaries")
        self._extra: dict[str, Terminology] = {}
        self._memory: Any = None
        self._memory_pool: ThreadPoolExecutor | None = None
        self._refreshed = float("-inf")
        self.batcher: Batcher | None = None
        self.recent = RecentTranslations(config.recent_size)

    # ------------------------------------------------------------------ set-up
    def load(self) -> None:
        """Load models, glossary and memory; raises `TranskitError` on bad set-up."""
        from transkit.engine.families import engine_of
        from transkit.models import installed_packages, packages_dir, resolve_model

        config = self.config
        packages = (
            [resolve_model(m) for m in config.models] if config.models else installed_packages()
        )
        if not packages:
            raise TranskitError(
                f"no translation model is installed in {packages_dir()}; install one with "
                "`transkit models install --from FILE.argosmodel` or pass --model"
            )
        for package in packages:
            self.packages[(package.from_code, package.to_code)] = package
        replicas = config.replica_count()
        options = replace(config.engine, threads=config.thread_count(), inter_threads=replicas)
        for pair, package in self.packages.items():
            # One translator per pair decoding ``replicas`` batches at once
            # (CTranslate2 inter_threads): the weights are loaded once.
            first = engine_of(package, options)
            first.tokenize("test")  # loads the model now, not at the first request
            self.engines[pair] = [first, *(first.replica() for _ in range(replicas - 1))]
        if config.glossary_paths and ("de", "en") in self.packages:
            from transkit.terms.glossary import load_glossaries

            self.base = Terminology.build(load_glossaries(list(config.glossary_paths)))
        if config.tm_path is not None and ("de", "en") in self.packages:
            from transkit.tm.spec import open_memory

            self._memory_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="memory")
            # a folder (TMX + SQLite index) or a team's PostgreSQL memory, pooled
            self._memory = open_memory(config.tm_path, pool_size=2)
        self._warm_up()

    def _warm_up(self) -> None:
        """One sentence per pair through the batch step, so no client pays the first-use costs."""
        from transkit.batch import translate_segments
        from transkit.pipeline import prepare_document

        for pair, engines in self.engines.items():
            terminology = self.terminology(pair)
            text = "Test."
            if terminology is not None and terminology.glossary.concepts():
                text = f"{terminology.glossary.concepts()[0].de[0]}."
            matcher = terminology.matcher if terminology is not None else None
            segments = prepare_document("warm-up", text, matcher).segments
            glossary = terminology.glossary if terminology is not None else None
            translate_segments(segments, engines[0], glossary=glossary)

    def start(self) -> None:
        """Start the batcher on the running loop."""
        self.batcher = Batcher(
            self.engines,
            self._work,
            window=self.config.batch_window_ms / 1000,
            max_tokens=self.config.batch_tokens,
            max_queue=self.config.queue_size,
            pair_of=lambda key: key[0],
        )
        self.batcher.start()

    async def stop(self) -> None:
        if self.batcher is not None:
            await self.batcher.stop()
        if self._memory_pool is not None:
            memory = self._memory
            self._memory_pool.submit(memory.close).result(timeout=5)
            self._memory_pool.shutdown(wait=False)

    # ------------------------------------------------------------------ facts
    @property
    def pairs(self) -> list[Pair]:
        return sorted(self.packages)

    def language_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for (src, tgt), package in sorted(self.packages.items()):
            names.setdefault(src, package.from_name or src)
            names.setdefault(tgt, package.to_name or tgt)
        return names

    def glossary_pairs(self) -> list[Pair]:
        """Pairs a glossary can be enforced on: German sources (the matcher's language)."""
        return [p for p in self.pairs if p == ("de", "en")]

    def terminology(self, pair: Pair, glossary_id: str | None = None) -> Terminology | None:
        """The deployment glossary for ``pair``, plus a DeepL glossary's entries."""
        base = self.base if pair == ("de", "en") else None
        if glossary_id is None:
            return base
        cached = self._extra.get(glossary_id)
        if cached is None:
            extra = self.store.glossary(glossary_id)
            cached = base.with_entries(extra) if base is not None else Terminology.build(extra)
            self._extra[glossary_id] = cached
        return cached

    def forget_glossary(self, glossary_id: str) -> None:
        self._extra.pop(glossary_id, None)
        self.recent.forget(glossary_id)

    # ------------------------------------------------------------------ work
    async def translate(
        self,
        pair: Pair,
        texts: Sequence[str],
        *,
        markup: str | None = None,
        alternatives: int = 0,
        glossary_id: str | None = None,
        split_sentences: bool = True,
        splitting_tags: Sequence[str] = (),
        ignore_tags: Sequence[str] = (),
    ) -> list[TextResult]:
        """Translate ``texts`` from ``pair[0]`` to ``pair[1]``; one result per text."""
        from transkit.serve.markup import parse_markup

        terminology = self.terminology(pair, glossary_id)
        matcher = terminology.matcher if terminology is not None else None
        prepared: list[tuple[list[Document], Markup | None]] = []
        for number, text in enumerate(texts):
            if markup is None:
                prepared.append(
                    ([self._document(f"q{number}", text, matcher, split_sentences)], None)
                )
                continue
            parsed = parse_markup(
                text, xml=markup == "xml", splitting=splitting_tags, ignore=ignore_tags
            )
            docs = [
                self._document(f"q{number}.{k}", piece.text, matcher, split_sentences)
                for k, piece in enumerate(parsed.pieces)
                if isinstance(piece, Unit)
            ]
            prepared.append((docs, parsed))
        if self._memory is not None and pair == ("de", "en"):
            prepared = await self._leverage(prepared)
        key: Hashable = (pair, glossary_id)
        prepared = [
            ([replace(d, segments=tuple(self.recent.fill(key, d.segments))) for d in docs], m)
            for docs, m in prepared
        ]
        request = _Request(prepared, terminology, alternatives if markup is None else 0)
        segments = [s for docs, _ in prepared for d in docs for s in d.segments]
        waiting = [s for s in segments if s.target is None]
        if not waiting and markup is None and not alternatives:
            return self._finish(None, request, segments)
        assert self.batcher is not None
        tokenize = self.engines[pair][0].tokenize
        tokens = sum(len(tokenize(s.source)) for s in waiting) or 1
        return await self.batcher.submit(
            Job(key, segments, tokens, alternatives=alternatives, payload=request)
        )

    def _document(self, name: str, text: str, matcher: Any, split: bool) -> Document:
        from transkit.pipeline import prepare_document

        if split:
            return prepare_document(name, text, matcher)
        core = text.strip()
        if not core:
            return Document(name=name, trailing=text)
        start = text.index(core)
        seg = Segment(id="1", source=core, leading=text[:start], start=start, end=start + len(core))
        if matcher is not None:
            seg = replace(seg, terms=tuple(matcher.find(core)))
        return Document(name=name, segments=(seg,), trailing=text[start + len(core) :])

    async def _leverage(self, prepared: list[tuple[list[Document], Markup | None]]):
        from transkit.tm.leverage import leverage_documents

        memory = self._memory
        threshold = self.config.tm_threshold

        def lookup() -> list[tuple[list[Document], Markup | None]]:
            now = time.monotonic()
            if now - self._refreshed > MEMORY_REFRESH_SECONDS:
                memory.refresh()  # what `merge` approved a moment ago serves now
                self._refreshed = now
            return [
                (leverage_documents(docs, memory, threshold=threshold), m) for docs, m in prepared
            ]

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._memory_pool, lookup)

    def _work(self, engine: Any, key: Hashable, jobs: Sequence[Job]) -> list[list[TextResult]]:
        """In a replica's thread: one batch through the pipeline's batch step."""
        from transkit.batch import translate_segments

        terminology = jobs[0].payload.terminology
        flat = [s for job in jobs for s in job.segments]
        done = translate_segments(
            flat,
            engine,
            glossary=terminology.glossary if terminology is not None else None,
            num_hypotheses=self.config.num_hypotheses,
        )
        self.recent.keep(key, flat, done)
        results = []
        cursor = 0
        for job in jobs:
            count = len(job.segments)
            results.append(self._finish(engine, job.payload, done[cursor : cursor + count]))
            cursor += count
        return results

    def _finish(
        self, engine: Any, request: _Request, segments: Sequence[Segment]
    ) -> list[TextResult]:
        """Put translated segments back into texts: scrub, check, alternatives, tags."""
        terminology = request.terminology
        it = iter(segments)
        results: list[TextResult] = []
        for docs, markup in request.texts:
            finished: list[Document] = []
            for doc in docs:
                segs = tuple(self._scrubbed(next(it), terminology) for _ in doc.segments)
                finished.append(replace(doc, segments=segs))
            result = TextResult("")
            for doc in finished:
                for seg in doc.segments:
                    result.sentences += 1
                    result.memory += (seg.method or "").startswith("tm-")
                    result.terms.extend(_check_record(c) for c in seg.checks)
            if markup is None:
                result.text = finished[0].target_text
                if request.alternatives and engine is not None:
                    result.alternatives = self._alternatives(
                        engine, finished[0], request.alternatives, terminology
                    )
            else:
                result.text = self._render(engine, markup, finished)
            results.append(result)
        return results

    def _scrubbed(self, seg: Segment, terminology: Terminology | None) -> Segment:
        """Forbidden terms never leave: a last pass over every target."""
        if terminology is None or seg.target is None:
            return seg
        clean = terminology.scrub(seg.target)
        if clean == seg.target:
            return seg
        from transkit.enforce.find import check_terms

        return replace(seg, target=clean, checks=check_terms(clean, seg.terms))

    def _alternatives(
        self, engine: Any, doc: Document, count: int, terminology: Terminology | None
    ) -> list[str]:
        """Other n-best translations of a one-sentence text that keep every term."""
        if len(doc.segments) != 1:
            return []
        from transkit.enforce.find import check_terms
        from transkit.text.typography import english_quotes, match_initial_case

        seg = doc.segments[0]
        main = seg.target or ""
        found: list[str] = []
        for hyp in engine.translate_batch([seg.source], num_hypotheses=count + 1)[0]:
            text = english_quotes(match_initial_case(seg.source, hyp.text))
            if terminology is not None:
                if terminology.scrub(text) != text:
                    continue
                if not all(c.satisfied for c in check_terms(text, seg.terms)):
                    continue
            if text and text != main and text not in found:
                found.append(text)
            if len(found) == count:
                break
        return found

    def _render(self, engine: Any, markup: Markup, docs: list[Document]) -> str:
        """The English with every tag placed by the alignment of German and English."""
        from transkit.pretranslate import align_pairs
        from transkit.serve.markup import render_unit, unit_alignment
        from transkit.text.align import place

        out: list[str] = []
        units = iter(docs)
        for piece in markup.pieces:
            if not isinstance(piece, Unit):
                out.append(piece)
                continue
            doc = next(units)
            target, spans = _target_spans(doc)
            if not piece.anchors:
                out.append(render_unit(piece, target, []))
                continue
            pairs = [(s, t) for _, _, s, t in spans if s.strip() and t.strip()]
            aligned = align_pairs(engine, pairs) if engine is not None and pairs else []
            if engine is None:
                from transkit.text.align import guess_alignment

                aligned = [guess_alignment(s, t) for s, t in pairs]
            alignment = unit_alignment(piece.text, target, spans, aligned)
            out.append(render_unit(piece, target, place(alignment, piece.anchors)))
        return "".join(out)


def _target_spans(doc: Document) -> tuple[str, list[tuple[int, int, str, str]]]:
    """The document's English and, per sentence, (source start, target start, texts)."""
    parts: list[str] = []
    spans = []
    cursor = 0
    for seg in doc.segments:
        parts.append(seg.leading)
        cursor += len(seg.leading)
        english = seg.target if seg.target is not None else seg.source
        spans.append((seg.start, cursor, seg.source, english))
        parts.append(english)
        cursor += len(english)
    parts.append(doc.trailing)
    return "".join(parts), spans
