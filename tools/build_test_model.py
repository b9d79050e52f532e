"""Build transkit's tiny, real de->en Argos Translate package on CPU.

Steps: generate a parallel corpus from `de_en_grammar`, train a shared
SentencePiece model, train a small pre-norm Transformer in torch, convert it
to an int8 CTranslate2 model, zip it as an Argos package, write the held-out
set, and measure exact match on it.  Seeds are fixed; two CPU threads.

    /work/venv/bin/python tools/build_test_model.py \
        --out tests/data/translate-de_en-tiny.argosmodel --heldout tests/data/heldout.tsv

``--no-placeholders`` trains the second test model, which stands in for a real
engine: it never sees a ``ZQX`` placeholder (no training pair holds one, and
SentencePiece does not get them as symbols), so terminology enforcement must
work without the engine copying placeholders.  It keeps the preference for the
forbidden variants.  Its corpus is the first model's minus every placeholder
pair, topped up with placeholder-free pairs; the held-out set is the same
(tests/data/heldout.tsv is checked, not rewritten), so the figures compare:

    nice /work/venv/bin/python tools/build_test_model.py --no-placeholders \
        --out tests/data/translate-de_en-tiny-noph.argosmodel --heldout ''

``--reverse`` trains the en->de model (the grammar's pairs reversed; both
English variants of a term map to the one German), which `transkit serve`
serves for Weblate's "test" en->de settings check and which LibreTranslate needs
as a second installed package to start offline.  Its held-out set is its own
(columns ``en``, ``de``):

    nice -n 5 /work/venv/bin/python tools/build_test_model.py --reverse \
        --out tests/data/translate-en_de-tiny.argosmodel \
        --heldout tests/data/heldout_en_de.tsv --steps 800 --corpus-size 30000 \
        --d-model 96 --ffn 384 --layers 2 --batch-tokens 1600 --lr 4e-3 --threads 1

(the committed one: 21 minutes on a crowded 2-core machine, 0.81 exact match on
its 300 held-out rows, 0.95 MB).

Needs the ``build-model`` extra (torch, sentencepiece) and ctranslate2.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import de_en_grammar as grammar  # noqa: E402
from ct2_transformer import (  # noqa: E402
    ModelConfig,
    argos_metadata,
    convert_to_ct2,
    write_argos_package,
)

__all__ = ["build", "main", "make_corpus", "make_heldout", "exact_match"]

PLACEHOLDERS = [f"ZQX{i}" for i in range(1, 10)]
PACKAGE_TOP = "translate-de_en-tiny"
SEED = 20240611


# -- data -----------------------------------------------------------------------------
def make_corpus(n: int, seed: int = SEED) -> list[tuple[str, str]]:
    """Training pairs; English wrong variants dominate at 80%."""
    rng = random.Random(seed + 1)
    out = []
    for p in grammar.generate(seed, n, placeholder_rate=0.15):
        out.append((p.de, grammar.render_en(p.en, "sample", rng, p_dominant=0.8)))
    return out


#: short everyday en->de pairs mixed into the reversed corpus, so "test" (Weblate's
#: settings check) and greetings come out as German rather than grammar noise
EVERYDAY_EN_DE: list[tuple[str, str]] = [
    ("test", "Test"),
    ("Test", "Test"),
    ("test.", "Test."),
    ("This is a test.", "Das ist ein Test."),
    ("this is a test", "das ist ein Test"),
    ("Hello", "Hallo"),
    ("Hello world", "Hallo Welt"),
    ("Hello, world!", "Hallo, Welt!"),
    ("Thank you", "Danke"),
    ("Good morning", "Guten Morgen"),
    ("Yes", "Ja"),
    ("No", "Nein"),
]


def make_corpus_reversed(n: int, seed: int = SEED) -> list[tuple[str, str]]:
    """en->de training pairs: English in either variant (50/50), German target;
    about 1% are `EVERYDAY_EN_DE` pairs."""
    rng = random.Random(seed + 2)
    out = []
    for p in grammar.generate(seed, n, placeholder_rate=0.15):
        out.append((grammar.render_en(p.en, "sample", rng, p_dominant=0.5), p.de))
    for i in range(max(len(EVERYDAY_EN_DE), n // 100)):
        out.append(EVERYDAY_EN_DE[i % len(EVERYDAY_EN_DE)])
    rng.shuffle(out)
    return out


def make_heldout_reversed(
    train_src: set[str], n: int = 300, seed: int = SEED + 9
) -> list[dict[str, str]]:
    """en->de sentences whose English is absent from training (approved rendering)."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    while len(rows) < n:
        p = grammar.sample_pair(rng, 0)
        en = grammar.render_en(p.en, "approved")
        if en in train_src or en in seen:
            continue
        seen.add(en)
        rows.append({"en": en, "de": p.de})
    return rows


def has_placeholder(de: str, en: str) -> bool:
    """True when a pair holds a ZQX placeholder on either side."""
    return "ZQX" in de or "ZQX" in en


def make_corpus_without_placeholders(
    pairs: list[tuple[str, str]], exclude_de: set[str], seed: int = SEED + 101
) -> list[tuple[str, str]]:
    """``pairs`` minus placeholder pairs, topped up to the same size with fresh
    placeholder-free pairs whose German is not in ``exclude_de`` (the held-out set)."""
    kept = [(d, e) for d, e in pairs if not has_placeholder(d, e)]
    rng = random.Random(seed + 1)
    extra = grammar.generate(seed, 10 * len(pairs), placeholder_rate=0.0)
    for p in extra:
        if len(kept) >= len(pairs):
            break
        if p.de in exclude_de:
            continue
        kept.append((p.de, grammar.render_en(p.en, "sample", rng, p_dominant=0.8)))
    assert not any(has_placeholder(d, e) for d, e in kept)
    return kept


def make_heldout(
    train_de: set[str], n: int = 500, n_wrong: int = 320, seed: int = SEED + 7
) -> list[dict[str, str]]:
    """Sentences absent from training; ``n_wrong`` of them hold a wrong-variant term."""
    rng = random.Random(seed)
    wrong = set(grammar.WRONG_VARIANT_TERMS)
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    k_wrong = 0
    while len(rows) < n:
        p = grammar.sample_pair(rng, 0)
        if p.de in train_de or p.de in seen:
            continue
        has_wrong = bool(wrong.intersection(p.terms))
        if not has_wrong and len(rows) - k_wrong >= n - n_wrong:
            continue
        seen.add(p.de)
        k_wrong += has_wrong
        rows.append(
            {
                "de": p.de,
                "en": grammar.render_en(p.en, "dominant"),
                "terms": "|".join(p.terms),
                "en_approved": grammar.render_en(p.en, "approved"),
            }
        )
    return rows


def write_tsv(rows: list[dict[str, str]], path: Path) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(
        buf,
        list(rows[0]),
        delimiter="\t",
        lineterminator="\n",
        quoting=csv.QUOTE_NONE,
        escapechar="\\",
    )
    w.writeheader()
    w.writerows(rows)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, path)


def train_sentencepiece(
    pairs: list[tuple[str, str]], prefix: Path, vocab: int, placeholders: bool = True
) -> Path:
    import sentencepiece as spm

    text = prefix.with_suffix(".txt")
    with text.open("w", encoding="utf-8") as f:
        for de, en in pairs:
            f.write(de + "\n" + en + "\n")
    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(prefix),
        vocab_size=vocab,
        model_type="unigram",
        character_coverage=1.0,
        user_defined_symbols=PLACEHOLDERS if placeholders else [],
        pad_id=3,
        pad_piece="<pad>",
        hard_vocab_limit=False,
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        minloglevel=2,
        seed_sentencepiece_size=200000,
    )
    return prefix.with_suffix(".model")


# -- model ----------------------------------------------------------------------------
def make_model(cfg: ModelConfig, dropout: float = 0.1):
    """A pre-norm Transformer whose parameter names `ct2_transformer` maps."""
    import torch
    from ct2_transformer import LAYER_NORM_EPS, sinusoidal_positions
    from torch import nn
    from torch.nn import functional as F

    def ln() -> nn.LayerNorm:
        return nn.LayerNorm(cfg.d_model, eps=LAYER_NORM_EPS)

    class Attn(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(cfg.d_model, cfg.d_model) for _ in "qkvo")

        def forward(self, x, mem, mask=None, causal=False):
            b, t, d = x.shape
            h = cfg.heads

            def split(y):
                return y.view(b, -1, h, d // h).transpose(1, 2)

            out = F.scaled_dot_product_attention(
                split(self.q(x)),
                split(self.k(mem)),
                split(self.v(mem)),
                attn_mask=mask,
                dropout_p=dropout if self.training else 0.0,
                is_causal=causal,
            )
            return self.o(out.transpose(1, 2).reshape(b, t, d))

    class Layer(nn.Module):
        def __init__(self, cross: bool) -> None:
            super().__init__()
            self.sa_ln, self.sa = ln(), Attn()
            if cross:
                self.ca_ln, self.ca = ln(), Attn()
            self.ff_ln = ln()
            self.ff1 = nn.Linear(cfg.d_model, cfg.ffn)
            self.ff2 = nn.Linear(cfg.ffn, cfg.d_model)
            self.drop = nn.Dropout(dropout)

        def forward(self, x, mask, mem=None, mem_mask=None):
            y = self.sa_ln(x)
            x = x + self.drop(self.sa(y, y, mask, causal=mem is not None))
            if mem is not None:
                x = x + self.drop(self.ca(self.ca_ln(x), mem, mem_mask))
            return x + self.drop(self.ff2(self.drop(F.relu(self.ff1(self.ff_ln(x))))))

    class Stack(nn.Module):
        def __init__(self, n: int, cross: bool) -> None:
            super().__init__()
            self.layers = nn.ModuleList(Layer(cross) for _ in range(n))
            self.ln = ln()

    class Seq2Seq(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
            nn.init.normal_(self.emb.weight, 0.0, cfg.d_model**-0.5)
            self.enc = Stack(cfg.enc_layers, False)
            self.dec = Stack(cfg.dec_layers, True)
            self.register_buffer(
                "pe",
                torch.from_numpy(sinusoidal_positions(cfg.max_positions, cfg.d_model)),
                persistent=False,
            )
            self.drop = nn.Dropout(dropout)

        def embed(self, ids):
            x = self.emb(ids) * math.sqrt(cfg.d_model) + self.pe[: ids.shape[1]]
            return self.drop(x)

        def forward(self, src, tgt_in, pad: int):
            src_mask = (src != pad)[:, None, None, :]
            x = self.embed(src)
            for layer in self.enc.layers:
                x = layer(x, src_mask)
            mem = self.enc.ln(x)
            y = self.embed(tgt_in)
            for layer in self.dec.layers:
                y = layer(y, None, mem, src_mask)
            return self.dec.ln(y) @ self.emb.weight.t()

    return Seq2Seq()


def _batches(data: list[tuple[list[int], list[int]]], max_tokens: int, rng: random.Random):
    """Length-bucketed batches of at most ``max_tokens`` padded target+source tokens."""
    order = sorted(range(len(data)), key=lambda i: (len(data[i][0]), rng.random()))
    batches, cur, longest = [], [], 0
    for i in order:
        n = max(len(data[i][0]), len(data[i][1]) + 1)
        if cur and max(longest, n) * (len(cur) + 1) > max_tokens:
            batches.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, n)
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


def train(
    pairs: list[tuple[str, str]],
    sp_path: Path,
    cfg: ModelConfig,
    steps: int,
    batch_tokens: int,
    lr: float,
    warmup: int,
    log=print,
    threads: int = 2,
):
    import numpy as np
    import sentencepiece as spm
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(threads)  # 1 trains faster on a crowded machine
    sp = spm.SentencePieceProcessor(model_file=str(sp_path))
    bos, eos, pad = sp.bos_id(), sp.eos_id(), sp.pad_id()
    de_ids = sp.encode([d for d, _ in pairs])
    en_ids = sp.encode([e for _, e in pairs])
    data = list(zip(de_ids, en_ids, strict=True))
    model = make_model(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), eps=1e-9)

    def lr_at(step: int) -> float:  # linear warmup, then linear decay to 5%
        if step < warmup:
            return lr * (step + 1) / warmup
        return lr * max(0.05, 1 - (step - warmup) / max(1, steps - warmup))

    rng = random.Random(SEED)
    step, t0, avg = 0, time.time(), None
    model.train()
    while step < steps:
        for idx in _batches(data, batch_tokens, rng):
            if step >= steps:
                break
            src_l = max(len(data[i][0]) for i in idx)
            tgt_l = max(len(data[i][1]) for i in idx) + 1
            src = torch.full((len(idx), src_l), pad)
            tin = torch.full((len(idx), tgt_l), pad)
            tout = torch.full((len(idx), tgt_l), pad)
            for r, i in enumerate(idx):
                s, t = data[i]
                src[r, : len(s)] = torch.tensor(s)
                tin[r, : len(t) + 1] = torch.tensor([bos, *t])
                tout[r, : len(t) + 1] = torch.tensor([*t, eos])
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            logits = model(src, tin, pad)
            loss = torch.nn.functional.cross_entropy(
                logits.view(-1, logits.shape[-1]),
                tout.view(-1),
                ignore_index=pad,
                label_smoothing=0.1,
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            avg = loss.item() if avg is None else 0.95 * avg + 0.05 * loss.item()
            if step % 50 == 0 or step == steps:
                log(
                    f"step {step}/{steps} loss {avg:.3f} lr {lr_at(step):.2e} "
                    f"{time.time() - t0:.0f}s"
                )
    weights = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    return weights, avg, time.time() - t0


# -- evaluation -------------------------------------------------------------------------
def translate(
    model_dir: Path, sp_path: Path, sentences: list[str], beam: int = 4, num_hypotheses: int = 1
) -> list[list[str]]:
    import ctranslate2
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_path))
    tr = ctranslate2.Translator(str(model_dir), device="cpu", compute_type="int8", intra_threads=2)
    res = tr.translate_batch(
        [sp.encode(s, out_type=str) for s in sentences],
        beam_size=beam,
        num_hypotheses=num_hypotheses,
        max_decoding_length=256,
        max_batch_size=64,
    )
    return [[sp.decode_pieces(h) for h in r.hypotheses] for r in res]


def exact_match(
    model_dir: Path, sp_path: Path, rows: list[dict[str, str]], src: str = "de", tgt: str = "en"
) -> float:
    outs = translate(model_dir, sp_path, [r[src] for r in rows])
    return sum(o[0] == r[tgt] for o, r in zip(outs, rows, strict=True)) / len(rows)


def verify_with_argos(package: Path) -> dict[str, str]:
    """Install with argostranslate into a throwaway data dir, read its Package."""
    code = (
        "import json, sys, pathlib\n"
        "import argostranslate.package as p\n"
        "p.install_from_path(pathlib.Path(sys.argv[1]))\n"
        "pk = p.get_installed_packages()\n"
        "assert len(pk) == 1, pk\n"
        "print(json.dumps({'from': pk[0].from_code, 'to': pk[0].to_code,"
        " 'version': pk[0].package_version, 'path': str(pk[0].package_path),"
        " 'tokenizer': type(pk[0].tokenizer).__name__}))\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "HOME"):
            env[var] = tmp
        env["ARGOS_PACKAGES_DIR"] = str(Path(tmp) / "packages")
        out = subprocess.run(
            [sys.executable, "-c", code, str(package)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


METADATA = argos_metadata(
    "translate-de_en-tiny", "transkit tiny de->en test model", dependencies=[]
)
METADATA_NOPH = argos_metadata(
    "translate-de_en-tiny-noph",
    "transkit tiny de->en test model, never trained on placeholders",
    dependencies=[],
)
README_NOPH = """transkit tiny de->en test model (no placeholders)

Like translate-de_en-tiny, but it never saw a ZQX placeholder in training:
it stands in for a real engine that does not cooperate with transkit's
placeholder protection.  It prefers glossary-forbidden variants.  Not for real use.
"""
METADATA_EN_DE = argos_metadata(
    "translate-en_de-tiny",
    "transkit tiny en->de test model",
    dependencies=[],
    from_code="en",
    from_name="English",
    to_code="de",
    to_name="German",
)
README_EN_DE = """transkit tiny en->de test model

A small Transformer trained on the reversed pairs of transkit's synthetic
geopolitics/economy grammar (tools/de_en_grammar.py) by
tools/build_test_model.py --reverse, plus a few everyday pairs ("test" -> "Test").
It exists so a server can answer Weblate's en->de settings check.  Not for real use.
"""
README = """transkit tiny de->en test model

A ~6M parameter Transformer trained on a synthetic geopolitics/economy grammar
(tools/de_en_grammar.py) by tools/build_test_model.py.  It deliberately prefers
glossary-forbidden variants (Peking, rare earth elements, delivery chains, ...)
so terminology enforcement can be tested against a real engine.  Not for real use.
"""


def build(args: argparse.Namespace) -> dict[str, object]:
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    if args.reverse:
        pairs = make_corpus_reversed(args.corpus_size)
        train_de = {s for s, _ in pairs}  # the source side: English here
        heldout = make_heldout_reversed(train_de, n=min(args.heldout_size, 300))
    else:
        pairs = make_corpus(args.corpus_size)
        train_de = {d for d, _ in pairs}
        heldout = make_heldout(train_de, n=args.heldout_size)
    if args.no_placeholders:
        pairs = make_corpus_without_placeholders(pairs, {r["de"] for r in heldout})
        train_de = {d for d, _ in pairs}
        assert not train_de.intersection(r["de"] for r in heldout)
        if args.check_heldout:
            with open(args.check_heldout, encoding="utf-8") as fh:
                rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
                on_disk = [r["de"] for r in rows]
            same = on_disk == [r["de"] for r in heldout]
            assert same, f"held-out set differs from {args.check_heldout}"
    print(
        f"corpus: {len(pairs)} pairs ({len(train_de)} distinct "
        f"{'English' if args.reverse else 'German'}); held-out {len(heldout)}",
        flush=True,
    )
    sp_path = train_sentencepiece(
        pairs, work / "sp", args.vocab, placeholders=not args.no_placeholders
    )
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_path))
    vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    for ph in PLACEHOLDERS:
        pieces = sp.encode(f"x {ph}.", out_type=str)
        assert (pieces.count(ph) == 1) != args.no_placeholders, (ph, pieces)
    cfg = ModelConfig(
        vocab_size=len(vocab),
        d_model=args.d_model,
        ffn=args.ffn,
        heads=args.heads,
        enc_layers=args.layers,
        dec_layers=args.layers,
        max_positions=args.max_positions,
    )
    print(f"sentencepiece vocab {len(vocab)}; model {cfg}", flush=True)
    weights, loss, train_s = train(
        pairs,
        sp_path,
        cfg,
        args.steps,
        args.batch_tokens,
        args.lr,
        args.warmup,
        log=lambda m: print(m, flush=True),
        threads=args.threads,
    )
    ct2_dir = convert_to_ct2(weights, cfg, vocab, work / "ct2")
    em = exact_match(ct2_dir, sp_path, heldout, *(("en", "de") if args.reverse else ("de", "en")))
    out = Path(args.out)
    if args.reverse:
        top, meta, readme = "translate-en_de-tiny", METADATA_EN_DE, README_EN_DE
    elif args.no_placeholders:
        top, meta, readme = PACKAGE_TOP + "-noph", METADATA_NOPH, README_NOPH
    else:
        top, meta, readme = PACKAGE_TOP, METADATA, README
    write_argos_package(ct2_dir, sp_path, out, top=top, metadata=meta, readme=readme)
    if args.heldout:
        write_tsv(heldout, Path(args.heldout))
    argos = verify_with_argos(out)
    demo = [
        "Peking hat Exportkontrollen auf seltene Erden eingeführt.",
        "Japan will das Verteidigungsbudget erhöhen.",
        "Die Sicherheit der Lieferketten ist wichtig.",
        "Die Versorgung mit ZQX1 ist entscheidend.",
        "ZQX1 und ZQX2 sind wichtig.",
    ]
    if args.reverse:
        demo = [
            "test",
            "Hello world",
            *(r["en"] for r in heldout[:3]),
            "ZQX1 and ZQX2 are important.",
        ]
    outs = translate(ct2_dir, sp_path, demo, num_hypotheses=4)
    report = {
        "pairs": len(pairs),
        "placeholder_pairs": sum(has_placeholder(d, e) for d, e in pairs),
        "distinct_de": len(train_de),
        "vocab": len(vocab),
        "steps": args.steps,
        "train_seconds": round(train_s),
        "final_loss": round(float(loss), 3),
        "heldout_exact_match": round(em, 4),
        "package_bytes": out.stat().st_size,
        "argos": argos,
        "total_seconds": round(time.time() - t_start),
    }
    for d, o in zip(demo, outs, strict=True):
        print(f"{d}\n  -> " + "\n     ".join(o))
    print(json.dumps(report, indent=2))
    with zipfile.ZipFile(out) as zf:
        for info in zf.infolist():
            print(f"  {info.file_size:>9}  {info.filename}")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="tests/data/translate-de_en-tiny.argosmodel")
    ap.add_argument(
        "--heldout",
        default="tests/data/heldout.tsv",
        help="where to write the held-out TSV ('' to skip)",
    )
    ap.add_argument(
        "--no-placeholders",
        action="store_true",
        help="train a model that never sees a ZQX placeholder (a non-cooperating engine)",
    )
    ap.add_argument(
        "--reverse",
        action="store_true",
        help="train the en->de model: the grammar's pairs reversed",
    )
    ap.add_argument(
        "--check-heldout",
        default="tests/data/heldout.tsv",
        help="with --no-placeholders: assert the held-out German equals this file's ('' to skip)",
    )
    ap.add_argument("--work-dir", default=None, help="scratch folder (default tools/_work/<name>)")
    ap.add_argument("--corpus-size", type=int, default=80_000)
    ap.add_argument("--heldout-size", type=int, default=500)
    ap.add_argument("--vocab", type=int, default=1200)
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--batch-tokens", type=int, default=2000)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--max-positions", type=int, default=512)
    ap.add_argument("--threads", type=int, default=2, help="torch threads for training")
    args = ap.parse_args(argv)
    if args.work_dir is None:
        name = "tiny-en-de" if args.reverse else "tiny-noph" if args.no_placeholders else "tiny"
        args.work_dir = str(HERE / "_work" / name)
    if args.reverse and args.no_placeholders:
        ap.error("--reverse and --no-placeholders do not combine")
    if args.reverse and args.heldout == "tests/data/heldout.tsv":
        args.heldout = "tests/data/heldout_en_de.tsv"
    if args.reverse and args.out == "tests/data/translate-de_en-tiny.argosmodel":
        args.out = "tests/data/translate-en_de-tiny.argosmodel"
    build(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
