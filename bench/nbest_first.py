"""Is a 1-best pass first, with n-best only for the segments whose terms it
misses, cheaper than n-best for every segment with terms?

On both test models, for the term-carrying sentences of the held-out sets
and the seed (terms matched with the repository's glossary), one run times,
side by side and best of ``--reps``:

* ``nbest``: n-best (4 hypotheses, beam 4, attention kept) for all of them,
  what `transkit.enforce.nbest.rerank` does;
* ``1best+nbest``: 1-best (beam 4) for all, then n-best for those whose
  1-best misses a term.

Prints both times, their ratio and how many 1-best translations missed.

    python bench/nbest_first.py [--reps 3]
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = (
    ROOT / "tests" / "data" / "translate-de_en-tiny.argosmodel",
    ROOT / "tests" / "data" / "translate-de_en-tiny-noph.argosmodel",
)


def term_sentences() -> list[tuple[str, tuple]]:
    from transkit.terms.glossary import load_glossaries
    from transkit.terms.match import TermMatcher
    from transkit.text.segment import segment_document

    matcher = TermMatcher.from_glossary(load_glossaries([ROOT / "glossary"]))
    texts: list[str] = []
    for name in ("heldout", "heldout_news"):
        with (ROOT / "tests" / "data" / f"{name}.tsv").open(encoding="utf-8") as handle:
            texts += [
                r["de"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            ]
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        texts += [s.source for s in segment_document(seed.name, seed.read_text()).segments]
    out = []
    for text in dict.fromkeys(texts):
        terms = tuple(matcher.find(text))
        if terms:
            out.append((text, terms))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    from transkit.enforce.find import all_obeyed, check_terms
    from transkit.engine.argos import ArgosEngine, EngineOptions
    from transkit.models import resolve_model

    items = term_sentences()
    sources = [s for s, _ in items]
    print(
        f"{len(items)} sentences with glossary terms; load {__import__('os').getloadavg()[0]:.1f}"
    )
    for model in MODELS:
        engine = ArgosEngine(resolve_model(str(model)), EngineOptions(threads=args.threads))
        engine.translate_batch(sources[:8])
        best = {"nbest": float("inf"), "1best+nbest": float("inf")}
        missed = 0
        for _ in range(args.reps):
            engine.forget()
            started = time.perf_counter()
            engine.translate_batch(sources, num_hypotheses=4)
            best["nbest"] = min(best["nbest"], time.perf_counter() - started)
            engine.forget()
            started = time.perf_counter()
            first = engine.translate_batch(sources, num_hypotheses=1)
            misses = [
                s
                for (s, terms), hyps in zip(items, first, strict=True)
                if not all_obeyed(check_terms(hyps[0].text, terms))
            ]
            if misses:
                engine.translate_batch(misses, num_hypotheses=4)
            best["1best+nbest"] = min(best["1best+nbest"], time.perf_counter() - started)
            missed = len(misses)
        ratio = best["1best+nbest"] / best["nbest"]
        print(
            f"{model.name}: nbest {best['nbest']:.2f} s, 1best+nbest {best['1best+nbest']:.2f} s "
            f"(ratio {ratio:.2f}), 1-best missed {missed}/{len(items)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
