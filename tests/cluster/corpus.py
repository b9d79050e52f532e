"""A generated German corpus: sentences recombined from the held-out news.

Deterministic (seeded), mostly unique sentences, a few exact repeats (so
deduplication is exercised), split over several files.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data"


def news_sentences() -> list[str]:
    """The held-out news sentences (tests/data/heldout_news.tsv, German column)."""
    lines = (DATA / "heldout_news.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t")[0].strip() for line in lines if line.strip()]


def write_corpus(
    folder: Path, segments: int, files: int = 3, seed: int = 19, matcher: Any = None
) -> list[Path]:
    """``segments`` sentences over ``files`` text files, and the news as one more file.

    With a `TermMatcher`, words that are glossary terms are left out of the
    generated sentences: enforcement of word salad costs the tiny model
    seconds a sentence, and the news file carries the terms.
    """
    rng = random.Random(seed)
    sentences = news_sentences()
    words = [w.strip('.,;:!?\u201e\u201c"()') for s in sentences for w in s.split()]
    words = sorted({w for w in words if w and (matcher is None or not matcher.find(w))})
    made: list[str] = []
    for n in range(segments):
        if made and n % 50 == 0:
            made.append(rng.choice(made))  # an exact repeat
            continue
        count = rng.randint(4, 16)
        body = " ".join(rng.choice(words) for _ in range(count))
        made.append(body[0].upper() + body[1:] + ".")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    share = -(-len(made) // files)
    for k in range(files):
        part = made[k * share : (k + 1) * share]
        paragraphs = [" ".join(part[i : i + 5]) for i in range(0, len(part), 5)]
        path = folder / f"corpus_{k}.txt"
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        paths.append(path)
    news = folder / "news.txt"
    news.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    return [*paths, news]
