"""The driver of a cluster run: the local pipeline's edges around Ray Data.

It reads, segments and matches the files as `transkit.pipeline` does, applies
the memory, and gives every segment a stable id (file, index).  Identical
segments are translated once.  The rest goes to the workers as length-sorted
batches; each result is committed to the `Journal`, and a file's outputs are
written (atomically, by the pipeline's own writer) as soon as all its
segments are in.  A segment missing at the end fails the run, with a list.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from transkit.batch import batch_segments, dedup_key, place, plan_batches
from transkit.cluster.connect import ClusterError, ClusterUnavailable, connect, require_ray
from transkit.cluster.journal import JOURNAL_NAME, Journal
from transkit.cluster.worker import STATUS_OK
from transkit.data import Document, Segment
from transkit.errors import ModelError, TranskitError
from transkit.pipeline import FileResult, TranslateOptions, TranslateRun

__all__ = ["ClusterOptions", "ClusterStats", "run_cluster_translate"]

#: How many missing ids a failure message lists before "and N more".
_LISTED = 20


@dataclass(frozen=True)
class ClusterOptions:
    """How to run on the cluster; ``--cluster``, ``--resume`` and friends map to these."""

    address: str = "auto"
    workers: int | None = None  # actors; None: one per CPU the cluster has
    cpus_per_worker: float = 1.0
    batch_segments: int = field(default_factory=batch_segments)  # as the local run
    resume: bool = False
    model_transport: str = "object-store"  # or "shared" (a path every node reads)
    attempts_log: Path | None = None  # workers append one line per segment attempt
    load_retries: int = 3  # consecutive workers that may die while loading the model
    rounds: int = 3  # executions over what the journal still lacks, after a failed one


@dataclass
class ClusterStats:
    """What the run did, for ``--json`` and the benchmark."""

    segments: int = 0  # segment ids of all files
    from_memory: int = 0
    already_committed: int = 0  # found in the journal (--resume)
    sent: int = 0  # unique segments given to the cluster (summed over rounds)
    committed: int = 0  # ids committed by this run
    rounds: int = 0
    startup_seconds: float = 0.0  # connect, ship the model, until the first result
    translate_seconds: float = 0.0
    commit_seconds: float = 0.0  # the driver's own cost of committing results

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in vars(self).items()}


def _fingerprint(documents: Sequence[Document], options: TranslateOptions, digest: str) -> str:
    """Same inputs, options and model: the journal may be resumed."""
    h = hashlib.sha256()
    h.update(digest.encode())
    h.update(repr((options.engine, options.num_hypotheses, options.glossary_paths)).encode())
    for doc in documents:
        h.update(pickle.dumps((doc.name, [dedup_key(s) for s in doc.segments])))
    return h.hexdigest()


def run_cluster_translate(
    inputs: Sequence[str],
    options: TranslateOptions,
    cluster: ClusterOptions,
    *,
    progress_factory: Callable[[int], Any] | None = None,
    stats: ClusterStats | None = None,
) -> TranslateRun:
    """`transkit.pipeline.run_translate`, with the translation spread over a Ray cluster.

    Returns the same `TranslateRun`; outputs are byte-identical to a local
    run's.  Raises `ClusterError` when segments are still missing after
    ``cluster.rounds`` executions, `ClusterUnavailable` without Ray or a cluster.
    """
    from transkit.models import resolve_model
    from transkit.pipeline import apply_memory, load_glossary, prepare_inputs, review_plan

    if "-" in inputs:
        raise ClusterUnavailable("--cluster translates files; standard input (-) runs locally")
    require_ray()
    started = time.perf_counter()
    stats = stats if stats is not None else ClusterStats()
    matcher, glossary_files, glossary = load_glossary(options.glossary_paths)
    prepared = prepare_inputs(inputs, options, matcher)
    documents = [doc for _, doc, _ in prepared if doc is not None]
    memory = None
    if documents and options.tm_path is not None:
        documents = apply_memory(documents, options)
        memory = str(options.tm_path)
    package = resolve_model(options.model)
    if (package.from_code, package.to_code) != ("de", "en"):
        raise ModelError(
            f"model translates {package.from_code}->{package.to_code}, not de->en",
            file=str(package.path),
        )
    model_label = package.label  # what a local engine calls itself, in every segment's origin
    review, pages, index = review_plan(inputs, options, glossary, glossary_files, model_label)

    journal_path = options.out_dir / JOURNAL_NAME
    if journal_path.exists() and not cluster.resume:
        raise ClusterError(
            "a journal of an unfinished run is there; add --resume to continue it, "
            "or delete it to start over",
            file=str(journal_path),
        )
    owns_connection = connect(cluster.address)
    try:
        from transkit.cluster.shipment import ship_model

        shipment = ship_model(package, cluster.model_transport)
        journal = Journal(journal_path)
        try:
            fingerprint = _fingerprint(documents, options, shipment.digest)
            found = journal.fingerprint()
            if found is not None and found != fingerprint:
                raise ClusterError(
                    "the journal belongs to another run (inputs, options or model changed); "
                    "delete it to start over",
                    file=str(journal_path),
                )
            journal.set_fingerprint(fingerprint)
            written, errors = _translate_and_write(
                documents,
                journal,
                shipment,
                glossary,
                options,
                cluster,
                stats,
                progress_factory,
                lambda doc: _write(doc, options, review, pages),
                started,
            )
            missing = _missing(documents, journal)
            if missing and not errors:
                listed = ", ".join(f"{f}#{i}" for f, i in missing[:_LISTED])
                more = f" and {len(missing) - _LISTED} more" if len(missing) > _LISTED else ""
                raise ClusterError(
                    f"{len(missing)} segment(s) never came back from the cluster: {listed}{more}; "
                    "run again with --resume",
                    file=str(journal_path),
                )
        except BaseException:
            journal.close()
            raise
        if not errors and not missing:
            journal.remove()
        else:
            journal.close()
    finally:
        if owns_connection:
            import ray

            ray.shutdown()

    results = []
    for name, doc, error in prepared:
        if doc is None:
            results.append(FileResult(path=name, error=error))
        elif name in errors:
            results.append(FileResult(path=name, error=errors[name]))
        else:
            done, outputs = written[name]
            results.append(FileResult(path=name, document=done, outputs=outputs))
    if index is not None and pages:
        from transkit.review import write_index

        place_of = {name: k for k, name in enumerate(inputs)}
        pages.sort(key=lambda page: place_of.get(page[0], len(place_of)))  # input order

        write_index(pages, index, model=model_label, glossaries=glossary_files)
    return TranslateRun(
        files=tuple(results),
        seconds=time.perf_counter() - started,
        model=model_label,
        glossaries=glossary_files,
        index=str(index) if index is not None and pages else None,
        memory=memory,
    )


def _write(
    document: Document,
    options: TranslateOptions,
    review: dict[str, Any],
    pages: list[tuple[str, Path, dict[str, int]]],
) -> tuple[Document, tuple[str, ...]]:
    """QA and write one finished document, as the local run does."""
    from transkit.enforce.report import annotate
    from transkit.pipeline import output_paths, write_document_outputs

    done = annotate(document)
    paths = output_paths(document.name, options.out_dir, options.formats)
    outputs = write_document_outputs(
        done, paths, options.xliff_version, review, pages, options.glossary_paths
    )
    return done, outputs


def _missing(documents: Sequence[Document], journal: Journal) -> list[tuple[str, int]]:
    """Ids of segments without a target that the journal lacks."""
    committed = journal.committed()
    return [
        (doc.name, i)
        for doc in documents
        for i, seg in enumerate(doc.segments)
        if seg.target is None and (doc.name, i) not in committed
    ]


def _assemble(document: Document, journal: Journal) -> Document:
    """The document with every translated segment taken from the journal."""
    rows = journal.segments_of(document.name)
    segments = tuple(
        seg if seg.target is not None else rows[i] for i, seg in enumerate(document.segments)
    )
    return replace(document, segments=segments)


def _translate_and_write(
    documents: Sequence[Document],
    journal: Journal,
    shipment: Any,
    glossary: Any,
    options: TranslateOptions,
    cluster: ClusterOptions,
    stats: ClusterStats,
    progress_factory: Callable[[int], Any] | None,
    write: Callable[[Document], tuple[Document, tuple[str, ...]]],
    started: float,
) -> tuple[dict[str, tuple[Document, tuple[str, ...]]], dict[str, str]]:
    """Send what the journal lacks, commit what comes back, write each file when complete.

    Returns the written files (name -> annotated document, outputs) and the
    files that failed (name -> one-line error).
    """
    from transkit.cluster.dispatch import result_batches, worker_count

    by_name = {doc.name: doc for doc in documents}
    flat = [(doc.name, i) for doc in documents for i in range(len(doc.segments))]
    batches, where = plan_batches(
        [seg for doc in documents for seg in doc.segments], cluster.batch_segments
    )
    committed = journal.committed()
    remaining: dict[str, int] = {doc.name: 0 for doc in documents}
    pending: set[int] = set()
    for number, batch in enumerate(batches):
        ids = [flat[i] for key in batch for i in where[number][key]]
        done = [x in committed for x in ids]
        if all(done):  # a batch is committed in one transaction: all or nothing
            stats.already_committed += len(ids)
            continue
        pending.add(number)
        for name, _ in ids:
            remaining[name] += 1
    stats.segments = len(flat)
    stats.from_memory = sum(seg.target is not None for doc in documents for seg in doc.segments)
    del committed
    written: dict[str, tuple[Document, tuple[str, ...]]] = {}
    failed: dict[str, str] = {}
    segment_errors: dict[tuple[str, int], str] = {}

    def finish(name: str) -> None:
        if any(file == name for file, _ in segment_errors):
            return  # reported below; the journal keeps the rest for --resume
        try:
            written[name] = write(_assemble(by_name[name], journal))
        except (TranskitError, OSError) as err:
            failed[name] = err.one_line() if isinstance(err, TranskitError) else f"{name}: {err}"

    for name, todo in remaining.items():
        if todo == 0:
            finish(name)
    last_failure = ""
    total = sum(remaining.values())
    bar_cm = progress_factory(total) if progress_factory is not None else None
    bar = bar_cm.__enter__() if bar_cm is not None else None
    try:
        workers = worker_count(cluster.workers, cluster.cpus_per_worker) if pending else 0
        stats.startup_seconds = time.perf_counter() - started
        translate_started = time.perf_counter()
        first = True
        while pending and stats.rounds < cluster.rounds:
            stats.rounds += 1
            rows = [
                {
                    "id": number,
                    "sources": "\n".join(key.source for key in batches[number]),
                    "segments": pickle.dumps(batches[number]),
                }
                for number in sorted(pending)
            ]
            stats.sent += sum(len(batches[number]) for number in pending)
            try:
                for batch in result_batches(
                    rows,
                    shipment,
                    options.engine,
                    glossary=glossary,
                    num_hypotheses=options.num_hypotheses,
                    workers=workers,
                    cpus_per_worker=cluster.cpus_per_worker,
                    load_retries=cluster.load_retries,
                    attempts_log=str(cluster.attempts_log) if cluster.attempts_log else None,
                ):
                    if first:  # start-up ends with the first result
                        first = False
                        now = time.perf_counter()
                        stats.startup_seconds = now - started
                        translate_started = now
                    tick = time.perf_counter()
                    rows_in: list[tuple[str, int, Segment]] = []
                    touched: list[str] = []
                    for number, statuses, blob in zip(
                        batch["id"], batch["statuses"], batch["segments"], strict=True
                    ):
                        number = int(number)
                        if number not in pending:
                            continue  # delivered twice
                        pending.discard(number)
                        results = pickle.loads(blob)
                        for key, status, result in zip(
                            batches[number], pickle.loads(statuses), results, strict=True
                        ):
                            for i in where[number][key]:
                                name, index = flat[i]
                                if status != STATUS_OK:
                                    segment_errors[(name, index)] = str(status)
                                    remaining[name] -= 1
                                    continue
                                original = by_name[name].segments[index]
                                rows_in.append((name, index, place(result, original)))
                    new = journal.commit(rows_in)
                    stats.committed += new
                    for name, _, _ in rows_in:
                        remaining[name] -= 1
                        touched.append(name)
                    stats.commit_seconds += time.perf_counter() - tick
                    if bar is not None and new:
                        bar.update(new)
                    for name in dict.fromkeys(touched):
                        if remaining[name] == 0:
                            finish(name)
            except TranskitError:
                raise
            except Exception as err:  # noqa: BLE001 - Ray's failure; what is missing is re-sent
                text = str(err).strip()
                last_failure = text.splitlines()[-1] if text else type(err).__name__
        stats.translate_seconds = time.perf_counter() - translate_started
    finally:
        if bar_cm is not None:
            bar_cm.__exit__(None, None, None)
    for (name, index), status in segment_errors.items():
        failed.setdefault(name, f"{name}: segment {index + 1} failed on the cluster: {status}")
        written.pop(name, None)
    if pending and last_failure:
        missing = [
            "{}#{}".format(*flat[i])
            for n in sorted(pending)
            for k in batches[n]
            for i in where[n][k]
        ]
        listed = ", ".join(missing[:_LISTED])
        more = f" and {len(missing) - _LISTED} more" if len(missing) > _LISTED else ""
        raise ClusterError(
            f"{len(missing)} segment(s) missing after {stats.rounds} execution(s) "
            f"({last_failure}): {listed}{more}; run again with --resume",
            file=str(journal.path),
        )
    return written, failed
