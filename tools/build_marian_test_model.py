"""Build transkit's tiny de->en Marian (OPUS-MT-style) model on CPU.

The third test model, and the first of the Marian family: a small
``MarianMTModel`` trained with Hugging Face ``transformers`` on the test
grammar (`de_en_grammar`, with the same 80% preference for the forbidden
synonyms as the Argos test models, and no placeholders: a stranger model),
with separate German and English SentencePiece models and one shared
vocabulary, the way Helsinki-NLP's OPUS-MT models are laid out.  It is saved
with ``save_pretrained`` (weights, ``config.json``, ``vocab.json``,
``source.spm``, ``target.spm``: what ``MarianTokenizer`` reads) and then
converted by CTranslate2's own converter, exactly as a user converts
OPUS-MT::

    ct2-transformers-converter --model HF_DIR --output_dir OUT \\
        --copy_files source.spm target.spm --quantization int8

    nice /work/main/.venv/bin/python tools/build_marian_test_model.py \\
        --out tests/data/marian-de_en-tiny

The held-out set is tests/data/heldout.tsv (checked, not rewritten), so the
exact-match figures compare with the Argos test models'.  Needs the
``build-model`` and ``marian`` extras (torch, transformers, sentencepiece).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_test_model import (  # noqa: E402
    SEED,
    _batches,
    make_corpus,
    make_corpus_without_placeholders,
    make_heldout,
)

__all__ = ["build", "main"]

DEMO = [
    "Peking hat Exportkontrollen auf seltene Erden eingeführt.",
    "Japan will das Verteidigungsbudget erhöhen.",
    "Die Sicherheit der Lieferketten ist wichtig.",
]


def train_sentencepiece(lines: list[str], prefix: Path, vocab: int) -> Path:
    """One side's SentencePiece model (OPUS-MT has one per language); kept in
    the work folder and reused."""
    import sentencepiece as spm

    if prefix.with_suffix(".model").is_file():
        return prefix.with_suffix(".model")
    text = prefix.with_suffix(".txt")
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(prefix),
        vocab_size=vocab,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        minloglevel=2,
        seed_sentencepiece_size=200000,
    )
    return prefix.with_suffix(".model")


def shared_vocabulary(sp_models: list[Path]) -> list[str]:
    """Marian's layout: ``</s>`` 0, ``<unk>`` 1, every piece of both sides,
    ``<pad>`` last (Transformers adds it to start the decoder; CTranslate2's
    converter drops it again)."""
    import sentencepiece as spm

    pieces: list[str] = []
    seen = {"</s>", "<unk>", "<pad>", "<s>"}
    for path in sp_models:
        sp = spm.SentencePieceProcessor(model_file=str(path))
        for i in range(sp.get_piece_size()):
            piece = sp.id_to_piece(i)
            if piece not in seen and not sp.is_control(i) and not sp.is_unknown(i):
                seen.add(piece)
                pieces.append(piece)
    return ["</s>", "<unk>", *pieces, "<pad>"]


def make_model(vocab_size: int, args: argparse.Namespace):
    """A MarianMTModel configured locally (no hub): post-norm, swish, sinusoidal
    positions, tied embeddings, decoder started from ``<pad>`` (a zero embedding)."""
    import torch
    from transformers import MarianConfig, MarianMTModel

    torch.manual_seed(SEED)
    config = MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=args.d_model,
        encoder_layers=args.layers,
        decoder_layers=args.layers,
        encoder_attention_heads=args.heads,
        decoder_attention_heads=args.heads,
        encoder_ffn_dim=args.ffn,
        decoder_ffn_dim=args.ffn,
        max_position_embeddings=256,
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        pad_token_id=vocab_size - 1,
        eos_token_id=0,
        decoder_start_token_id=vocab_size - 1,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        num_beams=4,
        max_length=128,
    )
    model = MarianMTModel(config)
    _zero_start(model)
    return model


def _zero_start(model) -> None:
    """Marian starts the decoder from a zero embedding, and so does CTranslate2
    for a converted model (start_from_zero_embedding); Transformers starts from
    the ``<pad>`` row, which it does not zero and which the tied output layer
    keeps training.  Zeroed at the start and after every step, so the model
    learns what CTranslate2 will run (else every first word is lost)."""
    import torch

    with torch.no_grad():
        model.get_input_embeddings().weight[model.config.pad_token_id].zero_()


def train(model, tokenizer, pairs: list[tuple[str, str]], args: argparse.Namespace, log=print):
    """Label-smoothed cross-entropy, Adam, warm-up then linear decay, token batches."""
    import torch

    torch.set_num_threads(args.threads)
    pad = model.config.pad_token_id
    data = list(zip(_ids(tokenizer, 0, pairs), _ids(tokenizer, 1, pairs), strict=True))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    t0 = time.time()
    budget = 60 * args.max_minutes
    deadline = t0 + budget

    def lr_at(step: int) -> float:
        """Warm-up, then linear decay to 5% by the last step or the time limit,
        whichever comes first (a busy machine gets a shorter, complete schedule)."""
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        done = max(
            (step - args.warmup) / max(1, args.steps - args.warmup), (time.time() - t0) / budget
        )
        return args.lr * max(0.05, 1 - done)

    rng = random.Random(SEED)
    step, avg = 0, None
    model.train()
    while step < args.steps and time.time() < deadline:
        for idx in _batches(data, args.batch_tokens, rng):
            if step >= args.steps or time.time() >= deadline:
                break
            src_l = max(len(data[i][0]) for i in idx)
            tgt_l = max(len(data[i][1]) for i in idx)
            src = torch.full((len(idx), src_l), pad)
            labels = torch.full((len(idx), tgt_l), -100)
            for r, i in enumerate(idx):
                s, t = data[i]
                src[r, : len(s)] = torch.tensor(s)
                labels[r, : len(t)] = torch.tensor(t)
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            logits = model(input_ids=src, attention_mask=src != pad, labels=labels).logits
            loss = torch.nn.functional.cross_entropy(
                logits.view(-1, logits.shape[-1]),
                labels.view(-1),
                ignore_index=-100,
                label_smoothing=0.1,
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            _zero_start(model)
            step += 1
            avg = loss.item() if avg is None else 0.95 * avg + 0.05 * loss.item()
            if step % 25 == 0:
                log(f"step {step}/{args.steps} loss {avg:.3f} {time.time() - t0:.0f}s")
    model.eval()
    return step, avg, time.time() - t0


def _ids(tokenizer, side: int, pairs: list[tuple[str, str]]) -> list[list[int]]:
    """Token ids as ``MarianTokenizer`` gives them (pieces of that side's
    SentencePiece model looked up in the shared vocabulary, ``</s>`` last),
    computed with SentencePiece directly: the tokenizer's Python loop takes
    minutes over the corpus."""
    sp = tokenizer.spm_source if side == 0 else tokenizer.spm_target
    vocab = tokenizer.encoder
    unk, eos = vocab["<unk>"], vocab["</s>"]
    pieces = sp.encode([pair[side] for pair in pairs], out_type=str)
    return [[vocab.get(p, unk) for p in row] + [eos] for row in pieces]


def corpus(args: argparse.Namespace, work: Path) -> list[tuple[str, str]]:
    """The Argos stranger model's corpus (placeholder-free, held-out set
    excluded), generated once and kept in the work folder."""
    cached = work / "pairs.tsv"
    if cached.is_file():
        return [tuple(line.split("\t")) for line in cached.read_text("utf-8").splitlines()]
    pairs = make_corpus(args.corpus_size)
    heldout = make_heldout({d for d, _ in pairs}, n=args.heldout_size)
    pairs = make_corpus_without_placeholders(pairs, {r["de"] for r in heldout})
    with open(args.heldout, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))
    assert [r["de"] for r in rows] == [r["de"] for r in heldout], "held-out set differs"
    cached.write_text("".join(f"{d}\t{e}\n" for d, e in pairs), encoding="utf-8")
    return pairs


def read_heldout(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))


def convert(hf_dir: Path, out: Path) -> None:
    """CTranslate2's own converter, as a user runs it on OPUS-MT."""
    converter = shutil.which("ct2-transformers-converter", path=str(Path(sys.executable).parent))
    subprocess.run(
        [
            converter or "ct2-transformers-converter",
            "--model",
            str(hf_dir),
            "--output_dir",
            str(out),
            "--copy_files",
            "source.spm",
            "target.spm",
            "--quantization",
            "int8",
            "--force",
        ],
        check=True,
    )


def translate(ct2_dir: Path, sentences: list[str], num_hypotheses: int = 1) -> list[list[str]]:
    """Raw CTranslate2 decoding of the converted model (source pieces + ``</s>``)."""
    import ctranslate2
    import sentencepiece as spm

    src = spm.SentencePieceProcessor(model_file=str(ct2_dir / "source.spm"))
    tgt = spm.SentencePieceProcessor(model_file=str(ct2_dir / "target.spm"))
    tr = ctranslate2.Translator(str(ct2_dir), device="cpu", compute_type="int8", intra_threads=2)
    res = tr.translate_batch(
        [[*src.encode(s, out_type=str), "</s>"] for s in sentences],
        beam_size=4,
        num_hypotheses=num_hypotheses,
        max_decoding_length=256,
        max_batch_size=64,
    )
    return [[tgt.decode_pieces(h) for h in r.hypotheses] for r in res]


def build(args: argparse.Namespace) -> dict[str, object]:
    from transformers import MarianTokenizer

    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    pairs = corpus(args, work)
    heldout = read_heldout(args.heldout)
    assert not {d for d, _ in pairs}.intersection(r["de"] for r in heldout)
    print(f"corpus: {len(pairs)} pairs; held-out {len(heldout)}", flush=True)

    source_spm = train_sentencepiece([d for d, _ in pairs], work / "source", args.vocab)
    target_spm = train_sentencepiece([e for _, e in pairs], work / "target", args.vocab)
    vocab = shared_vocabulary([source_spm, target_spm])
    (work / "vocab.json").write_text(
        json.dumps({p: i for i, p in enumerate(vocab)}, ensure_ascii=False), encoding="utf-8"
    )
    tokenizer = MarianTokenizer(
        source_spm=str(source_spm),
        target_spm=str(target_spm),
        vocab=str(work / "vocab.json"),
        source_lang="de",
        target_lang="en",
    )
    if args.resume:
        from transformers import MarianMTModel

        model = MarianMTModel.from_pretrained(args.resume)
        _zero_start(model)
    else:
        model = make_model(len(vocab), args)
    print(f"vocabulary {len(vocab)}; {sum(p.numel() for p in model.parameters())} parameters")
    steps, loss, train_s = train(model, tokenizer, pairs, args, log=lambda m: print(m, flush=True))
    hf_dir = work / "hf"
    model.save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    out = Path(args.out)
    convert(hf_dir, out)
    for scratch in out.glob("*.txt"):
        scratch.unlink()
    outs = translate(out, [r["de"] for r in heldout])
    em = sum(o[0] == r["en"] for o, r in zip(outs, heldout, strict=True)) / len(heldout)
    report = {
        "pairs": len(pairs),
        "vocab": len(vocab),
        "steps": steps,
        "train_seconds": round(train_s),
        "final_loss": round(float(loss or 0), 3),
        "heldout_exact_match": round(em, 4),
        "files": {p.name: p.stat().st_size for p in sorted(out.iterdir())},
        "total_seconds": round(time.time() - t_start),
    }
    for d, o in zip(DEMO, translate(out, DEMO, num_hypotheses=4), strict=True):
        print(f"{d}\n  -> " + "\n     ".join(o))
    print(json.dumps(report, indent=2))
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="tests/data/marian-de_en-tiny")
    ap.add_argument("--heldout", default="tests/data/heldout.tsv", help="checked, not written")
    ap.add_argument("--work-dir", default=str(HERE / "_work" / "marian-tiny"))
    ap.add_argument("--corpus-size", type=int, default=80_000)
    ap.add_argument("--heldout-size", type=int, default=500)
    ap.add_argument("--vocab", type=int, default=800, help="pieces per side")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--max-minutes", type=float, default=15.0, help="stop training by then")
    ap.add_argument(
        "--resume", default=None, help="continue training a saved Hugging Face model (a folder)"
    )
    ap.add_argument("--batch-tokens", type=int, default=1500)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=80)
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--ffn", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument(
        "--threads", type=int, default=1, help="torch threads (OpenMP spins on a busy machine)"
    )
    build(ap.parse_args(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
