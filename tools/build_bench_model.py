"""Build a transformer-base-sized de->en Argos package with random weights.

For throughput benchmarks (bench/): 6+6 layers, d_model 512, FFN 2048,
8 heads, like the released Argos models, so decoding costs what a real model
costs.  The weights are random (seeded), so the output is gibberish; the
end-of-sentence embedding is zeroed, which keeps its logit at 0 while ~8000
random logits compete, so decoding practically always runs to
``max_decoding_length``: a fixed, comparable amount of work per sentence.
Always benchmark with ``max_decoding_length`` set.

The SentencePiece model is the tiny test model's (it is the one we can train
in seconds); the vocabulary is padded with ``<extra_N>`` pieces up to
``--vocab-size`` so embedding and softmax have realistic cost.

    /work/venv/bin/python tools/build_bench_model.py bench/_work/base-random

``--marian`` builds the same shape as a Marian (OPUS-MT) model instead, through
Transformers and CTranslate2's own converter (`build_marian_bench`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from ct2_transformer import (  # noqa: E402
    ModelConfig,
    argos_metadata,
    convert_to_ct2,
    write_argos_package,
)

__all__ = ["BASE", "build_bench_package", "random_weights", "main"]

BASE = ModelConfig(
    vocab_size=8000, d_model=512, ffn=2048, heads=8, enc_layers=6, dec_layers=6, max_positions=1024
)
TINY_PACKAGE = HERE.parent / "tests" / "data" / "translate-de_en-tiny.argosmodel"


def random_weights(cfg: ModelConfig, seed: int = 0, eos_id: int = 2) -> dict[str, np.ndarray]:
    """Seeded random weights in `ct2_transformer`'s naming scheme."""
    rng = np.random.default_rng(seed)
    d, f = cfg.d_model, cfg.ffn
    w: dict[str, np.ndarray] = {}

    def lin(name: str, n_out: int, n_in: int) -> None:
        w[f"{name}.weight"] = rng.normal(0.0, n_in**-0.5, (n_out, n_in)).astype(np.float32)
        w[f"{name}.bias"] = np.zeros(n_out, np.float32)

    def ln(name: str) -> None:
        w[f"{name}.weight"] = np.ones(d, np.float32)
        w[f"{name}.bias"] = np.zeros(d, np.float32)

    emb = rng.normal(0.0, d**-0.5, (cfg.vocab_size, d)).astype(np.float32)
    emb[eos_id] = 0.0
    w["emb.weight"] = emb
    for side, n, cross in (("enc", cfg.enc_layers, False), ("dec", cfg.dec_layers, True)):
        ln(f"{side}.ln")
        for i in range(n):
            s = f"{side}.layers.{i}"
            attns = ("sa", "ca") if cross else ("sa",)
            for a in attns:
                ln(f"{s}.{a}_ln")
                for p in "qkvo":
                    lin(f"{s}.{a}.{p}", d, d)
            ln(f"{s}.ff_ln")
            lin(f"{s}.ff1", f, d)
            lin(f"{s}.ff2", d, f)
    return w


def build_bench_package(
    out_dir: Path,
    *,
    cfg: ModelConfig = BASE,
    sp_source: Path = TINY_PACKAGE,
    seed: int = 0,
    quantization: str = "int8",
) -> Path:
    """Write ``out_dir/translate-de_en-bench.argosmodel`` and the unpacked package
    ``out_dir/translate-de_en-bench/``; returns the unpacked directory."""
    import sentencepiece as spm

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        with zipfile.ZipFile(sp_source) as zf:
            name = next(n for n in zf.namelist() if n.endswith("/sentencepiece.model"))
            sp_path = tmpd / "sentencepiece.model"
            sp_path.write_bytes(zf.read(name))
        sp = spm.SentencePieceProcessor(model_file=str(sp_path))
        vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
        if len(vocab) > cfg.vocab_size:
            raise ValueError(f"vocab_size {cfg.vocab_size} < SentencePiece's {len(vocab)}")
        vocab += [f"<extra_{i}>" for i in range(cfg.vocab_size - len(vocab))]
        weights = random_weights(cfg, seed, eos_id=sp.eos_id())
        ct2 = convert_to_ct2(weights, cfg, vocab, tmpd / "ct2", quantization=quantization)
        pkg = out_dir / "translate-de_en-bench.argosmodel"
        metadata = argos_metadata(
            "translate-de_en-bench", "transkit random transformer-base (benchmarks only)"
        )
        write_argos_package(
            ct2,
            sp_path,
            pkg,
            top="translate-de_en-bench",
            metadata=metadata,
            readme="Random weights, transformer-base shape; benchmarks only.\n",
        )
    with zipfile.ZipFile(pkg) as zf:
        zf.extractall(out_dir)
    return out_dir / "translate-de_en-bench"


MARIAN_TINY = HERE.parent / "tests" / "data" / "marian-de_en-tiny"


def build_marian_bench(out_dir: Path, *, vocab_size: int = 8000, seed: int = 0) -> Path:
    """A transformer-base-sized Marian model with random weights, converted by
    CTranslate2's own converter like a user's OPUS-MT: ``out_dir/marian-de_en-bench``.

    The Marian test model's SentencePiece files, its vocabulary padded with
    ``<extra_N>`` pieces to ``vocab_size``; post-norm, swish, tied embeddings
    as OPUS-MT has them.  ``</s>``'s embedding is zeroed (as for the Argos
    bench model), so decoding runs to ``max_decoding_length``.  Needs
    transformers and torch (the ``marian`` extra).
    """
    import json
    import shutil
    import subprocess

    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    final = out_dir / "marian-de_en-bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab = json.loads((MARIAN_TINY / "shared_vocabulary.json").read_text(encoding="utf-8"))
    vocab += [f"<extra_{i}>" for i in range(vocab_size - 1 - len(vocab))] + ["<pad>"]
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        hf = Path(tmp) / "hf"
        hf.mkdir()
        (hf / "vocab.json").write_text(
            json.dumps({p: i for i, p in enumerate(vocab)}, ensure_ascii=False), encoding="utf-8"
        )
        for name in ("source.spm", "target.spm"):
            shutil.copy(MARIAN_TINY / name, hf / name)
        torch.manual_seed(seed)
        config = MarianConfig(
            vocab_size=len(vocab),
            d_model=BASE.d_model,
            encoder_layers=BASE.enc_layers,
            decoder_layers=BASE.dec_layers,
            encoder_attention_heads=BASE.heads,
            decoder_attention_heads=BASE.heads,
            encoder_ffn_dim=BASE.ffn,
            decoder_ffn_dim=BASE.ffn,
            max_position_embeddings=512,
            pad_token_id=len(vocab) - 1,
            eos_token_id=0,
            decoder_start_token_id=len(vocab) - 1,
        )
        model = MarianMTModel(config)
        with torch.no_grad():
            model.get_input_embeddings().weight[0].zero_()
        model.save_pretrained(hf)
        MarianTokenizer(
            source_spm=str(hf / "source.spm"),
            target_spm=str(hf / "target.spm"),
            vocab=str(hf / "vocab.json"),
        ).save_pretrained(hf)
        del model
        converter = Path(sys.executable).parent / "ct2-transformers-converter"
        subprocess.run(
            [str(converter), "--model", str(hf), "--output_dir", str(Path(tmp) / "ct2")]
            + ["--copy_files", "source.spm", "target.spm", "--quantization", "int8", "--force"],
            check=True,
        )
        if final.exists():
            shutil.rmtree(final)
        (Path(tmp) / "ct2").rename(final)
    return final


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--vocab-size", type=int, default=BASE.vocab_size)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--sp-source",
        type=Path,
        default=TINY_PACKAGE,
        help="an .argosmodel whose sentencepiece.model to reuse",
    )
    ap.add_argument(
        "--marian",
        action="store_true",
        help="a Marian model (converted by CTranslate2's converter)",
    )
    args = ap.parse_args(argv)
    t0 = time.time()
    if args.marian:
        path = build_marian_bench(args.out_dir, vocab_size=args.vocab_size, seed=args.seed)
        print(f"{path} in {time.time() - t0:.0f}s")
        return 0
    cfg = ModelConfig(**{**BASE.__dict__, "vocab_size": args.vocab_size})
    path = build_bench_package(args.out_dir, cfg=cfg, sp_source=args.sp_source, seed=args.seed)
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    print(f"{path} ({size / 1e6:.1f} MB) in {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
