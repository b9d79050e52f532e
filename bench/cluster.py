"""A cluster run against a local run, on one machine; the driver's commit rate.

Starts a loopback Ray cluster (tests/cluster/raycluster.py: a head node
without CPUs for the driver, one-CPU worker nodes) and translates the same
generated corpus (tests/cluster/corpus.py, sentences without glossary terms,
plus the held-out news) three ways, side by side in one run:

* local: `transkit.pipeline.run_translate` (all CPUs);
* cluster, one one-CPU worker: `run_cluster_translate`; start-up (joining,
  shipping the model, until the first result) is reported apart and left
  out of the ratio.  Target: <= 1.5 x the local run;
* cluster, two one-CPU workers: throughput against one.

Each cluster run prints the driver's cost per segment of committing results
(target >= 5,000 segments/s) and each worker's segments/s (from the
workers' attempts log).  Then the driver alone: `Ledger.take` over result
batches shaped as a worker's, and assembling the files from the journal.

    python bench/cluster.py [--segments 3000] [--batch 256] [--model PATH]
    python bench/cluster.py --driver-only [--segments 30000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests" / "cluster"))


def _driver_rate(documents: list, folder: Path, batch: int) -> tuple[float, float, float]:
    """The driver's whole per-segment path on result batches shaped as a worker's.

    `Ledger.take` (ids of each planned batch, the commit of the worker's
    bytes into the journal) over ``documents``' planned batches, and then
    assembling every file from the journal (unpickling and placing each
    segment).  Returns segments/s and microseconds a segment of the commit
    path, and microseconds a segment of assembling.
    """
    import pickle

    from transkit.batch import plan_batches
    from transkit.cluster.driver import _assemble
    from transkit.cluster.journal import Journal, encode_segment
    from transkit.cluster.ledger import Ledger

    flat = [s for d in documents for s in d.segments]
    pending = [replace(s, target=None) for s in flat]
    batches, where = plan_batches(pending, batch)
    results = []
    for number, keys in enumerate(batches):  # translated keys, as a worker pickles them
        done = [flat[where[k][0]] for k in keys]
        results.append(
            {
                "id": [number],
                "statuses": [pickle.dumps(["ok"] * len(keys))],
                "segments": [pickle.dumps([encode_segment(replace(s, id="")) for s in done])],
            }
        )
    unplaced = list(documents)
    offset = 0
    for k, d in enumerate(documents):
        unplaced[k] = replace(d, segments=tuple(pending[offset : offset + len(d.segments)]))
        offset += len(d.segments)
    journal = Journal(folder / "bench-journal.sqlite")
    started = time.perf_counter()
    ledger = Ledger.plan(unplaced, batches, where, journal.committed())
    for result in results:
        ledger.take(journal, result)
    seconds = time.perf_counter() - started
    assert not ledger.pending and journal.count() == len(flat)
    started = time.perf_counter()
    for doc in unplaced:
        _assemble(doc, journal)
    assemble = time.perf_counter() - started
    journal.remove()
    return len(flat) / seconds, 1e6 * seconds / len(flat), 1e6 * assemble / len(flat)


def _driver_only(count: int, batch: int) -> None:
    """The driver's per-segment path alone, on prepared segments of the generated corpus."""
    from corpus import write_corpus

    from transkit.pipeline import load_glossary, prepare_document

    folder = Path(tempfile.mkdtemp(prefix="tkb", dir="/tmp"))
    try:
        matcher, _, _ = load_glossary([REPO / "glossary"])
        paths = write_corpus(folder / "in", count, matcher=matcher)
        documents = []
        for path in paths:
            doc = prepare_document(str(path), path.read_text(encoding="utf-8"), matcher)
            segments = tuple(replace(s, target=s.source, method="nbest") for s in doc.segments)
            documents.append(replace(doc, segments=segments))
        total = sum(len(d.segments) for d in documents)
        rate, cost, assemble = _driver_rate(documents, folder, batch)
        print(
            f"driver alone (Ledger.take: plan ids, commit the workers' bytes), {total} segments "
            f"in batches of {batch}: {rate:,.0f} segments/s, {cost:.1f} us/segment; "
            f"assembling the files from the journal {assemble:.1f} us/segment"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def main() -> None:
    from transkit.batch import batch_segments

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=batch_segments(), help="the plan's batch")
    parser.add_argument(
        "--model", default=str(REPO / "tests" / "data" / "translate-de_en-tiny.argosmodel")
    )
    parser.add_argument(
        "--driver-only",
        action="store_true",
        help="only the driver's per-segment path (segments prepared, targets copied from sources)",
    )
    args = parser.parse_args()
    os.environ["TRANSKIT_BATCH_SEGMENTS"] = str(args.batch)  # the local run plans the same
    print(_load(), flush=True)
    if args.driver_only:
        _driver_only(args.segments, args.batch)
        print(_load())
        return

    folder = Path(tempfile.mkdtemp(prefix="tkb", dir="/tmp"))
    from raycluster import LocalCluster, ray_environment

    os.environ.update(ray_environment(folder))
    os.environ["SOURCE_DATE_EPOCH"] = "1767225600"
    from corpus import write_corpus

    from transkit.cluster.driver import ClusterOptions, ClusterStats, run_cluster_translate
    from transkit.pipeline import TranslateOptions, load_glossary, run_translate

    glossary = REPO / "glossary"
    matcher, _, _ = load_glossary([glossary])
    inputs = [str(p) for p in write_corpus(folder / "in", args.segments, matcher=matcher)]
    inputs = inputs[:-1]  # the generated corpus only: the news' terms cost the tiny model most

    def options(name: str) -> TranslateOptions:
        return TranslateOptions(model=args.model, glossary_paths=(glossary,), out_dir=folder / name)

    import ray

    started = time.perf_counter()
    try:
        cluster = LocalCluster(folder, 2)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    ray.init(
        address=cluster.address,
        logging_level="WARNING",
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
    )
    print(f"cluster start (head + 2 one-CPU nodes): {time.perf_counter() - started:.1f} s")
    try:
        t = time.perf_counter()
        local = run_translate(inputs, options("local"))
        local_s = time.perf_counter() - t
        segments = sum(len(d.segments) for d in local.documents)
        print(f"segments: {segments} in {len(inputs)} files, planned batches of {args.batch}")
        print(f"local run: {local_s:.1f} s, {segments / local_s:.0f} segments/s; {_load()}")
        runs = {}
        for workers in (1, 2):
            stats = ClusterStats()
            log = folder / f"attempts-{workers}.log"
            t = time.perf_counter()
            run_cluster_translate(
                inputs,
                options(f"cluster{workers}"),
                ClusterOptions(address="auto", workers=workers, attempts_log=log),
                stats=stats,
            )
            wall = time.perf_counter() - t
            runs[workers] = stats
            work = wall - stats.startup_seconds
            per_worker: dict[str, int] = {}
            for line in log.read_text().splitlines():
                worker, event, _ = line.split("\t")
                if event == "attempt":
                    per_worker[worker] = per_worker.get(worker, 0) + 1
            rates = ", ".join(f"{n / stats.translate_seconds:.0f}" for n in per_worker.values())
            commit = stats.commit_seconds / max(1, stats.committed)
            print(
                f"cluster, {workers} worker(s): {wall:.1f} s wall, start-up "
                f"{stats.startup_seconds:.1f} s, then {work:.1f} s = {work / local_s:.2f} x local; "
                f"{segments / work:.0f} segments/s; per worker segments/s: {rates}; "
                f"driver commit {1e6 * commit:.0f} us/segment = {1 / commit:,.0f} segments/s, "
                f"writing files {1e6 * stats.write_seconds / segments:.0f} us/segment; {_load()}"
            )
            same = all(
                (folder / f"cluster{workers}" / p.name).read_bytes() == p.read_bytes()
                for p in (folder / "local").iterdir()
            )
            print(f"  outputs byte-identical to the local run: {same}")
        one = segments / (runs[1].translate_seconds or 1)
        two = segments / (runs[2].translate_seconds or 1)
        print(f"two workers / one worker throughput: {two / one:.2f} x")
        rate, cost, assemble = _driver_rate(local.documents, folder, args.batch)
        print(
            f"driver alone (Ledger.take), same segments: {rate:,.0f} segments/s, "
            f"{cost:.1f} us/segment; assembling {assemble:.1f} us/segment; {_load()}"
        )
    finally:
        ray.shutdown()
        cluster.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
