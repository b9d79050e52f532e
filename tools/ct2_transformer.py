"""Weights -> CTranslate2 Transformer -> Argos Translate package.

Shared by `build_test_model.py` (a trained tiny model) and
`build_bench_model.py` (a transformer-base model with random weights), so the
weight layout is mapped onto ``ctranslate2.specs`` in exactly one place.

Weights are a flat mapping of numpy arrays named like the torch module in
`build_test_model.py` (``enc.layers.0.sa.q.weight`` ...); the architecture is
pre-norm, ReLU, sinusoidal positions, one embedding matrix shared by encoder,
decoder and output projection (one SentencePiece vocabulary for both sides).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "ModelConfig",
    "WeightsConverter",
    "convert_to_ct2",
    "sinusoidal_positions",
    "spec_from_weights",
    "write_argos_package",
]

LAYER_NORM_EPS = 1e-6


@dataclass(frozen=True)
class ModelConfig:
    """Shape of the Transformer (also saved next to the weights)."""

    vocab_size: int
    d_model: int = 256
    ffn: int = 1024
    heads: int = 4
    enc_layers: int = 3
    dec_layers: int = 3
    max_positions: int = 1024


def sinusoidal_positions(length: int, dim: int) -> np.ndarray:
    """Position table [length, dim]: sin on the first half, cos on the second.

    Passed to CTranslate2 explicitly, so the training code and the runtime
    cannot disagree about layout.
    """
    half = dim // 2
    inc = math.log(10000.0) / (half - 1)
    inv = np.exp(np.arange(half, dtype=np.float64) * -inc)
    pos = np.arange(length, dtype=np.float64)[:, None] * inv[None, :]
    return np.concatenate([np.sin(pos), np.cos(pos)], axis=1).astype(np.float32)


def _set_ln(spec, w: Mapping[str, np.ndarray], scope: str) -> None:
    spec.gamma = w[f"{scope}.weight"]
    spec.beta = w[f"{scope}.bias"]


def _set_linear(spec, w: Mapping[str, np.ndarray], scope: str) -> None:
    spec.weight = w[f"{scope}.weight"]
    spec.bias = w[f"{scope}.bias"]


def _fused(w: Mapping[str, np.ndarray], scope: str, parts: str) -> tuple[np.ndarray, np.ndarray]:
    weight = np.concatenate([w[f"{scope}.{p}.weight"] for p in parts], axis=0)
    bias = np.concatenate([w[f"{scope}.{p}.bias"] for p in parts], axis=0)
    return weight, bias


def _set_attention(spec, w: Mapping[str, np.ndarray], scope: str, self_attn: bool) -> None:
    if self_attn:  # linear[0] = fused q,k,v; linear[1] = output
        spec.linear[0].weight, spec.linear[0].bias = _fused(w, scope, "qkv")
    else:  # linear[0] = q; linear[1] = fused k,v over the encoder output; linear[2] = output
        _set_linear(spec.linear[0], w, f"{scope}.q")
        spec.linear[1].weight, spec.linear[1].bias = _fused(w, scope, "kv")
    _set_linear(spec.linear[-1], w, f"{scope}.o")


def _set_ffn(spec, w: Mapping[str, np.ndarray], scope: str) -> None:
    _set_ln(spec.layer_norm, w, f"{scope}.ff_ln")
    _set_linear(spec.linear_0, w, f"{scope}.ff1")
    _set_linear(spec.linear_1, w, f"{scope}.ff2")


def spec_from_weights(w: Mapping[str, np.ndarray], cfg: ModelConfig, vocab: list[str]):
    """A ``ctranslate2.specs.TransformerSpec`` filled from ``w``."""
    from ctranslate2.specs import common_spec, transformer_spec

    spec = transformer_spec.TransformerSpec.from_config(
        (cfg.enc_layers, cfg.dec_layers),
        cfg.heads,
        pre_norm=True,
        activation=common_spec.Activation.RELU,
    )
    spec.config.layer_norm_epsilon = LAYER_NORM_EPS
    positions = sinusoidal_positions(cfg.max_positions, cfg.d_model)
    emb = w["emb.weight"]
    for side, prefix in ((spec.encoder, "enc"), (spec.decoder, "dec")):
        side.scale_embeddings = True  # x * sqrt(d_model) before adding positions
        side.position_encodings.encodings = positions
        _set_ln(side.layer_norm, w, f"{prefix}.ln")
    spec.encoder.embeddings[0].weight = emb
    spec.decoder.embeddings.weight = emb
    spec.decoder.projection.weight = emb  # tied; CTranslate2 stores it once
    for i, layer in enumerate(spec.encoder.layer):
        scope = f"enc.layers.{i}"
        _set_ln(layer.self_attention.layer_norm, w, f"{scope}.sa_ln")
        _set_attention(layer.self_attention, w, f"{scope}.sa", self_attn=True)
        _set_ffn(layer.ffn, w, scope)
    for i, layer in enumerate(spec.decoder.layer):
        scope = f"dec.layers.{i}"
        _set_ln(layer.self_attention.layer_norm, w, f"{scope}.sa_ln")
        _set_attention(layer.self_attention, w, f"{scope}.sa", self_attn=True)
        _set_ln(layer.attention.layer_norm, w, f"{scope}.ca_ln")
        _set_attention(layer.attention, w, f"{scope}.ca", self_attn=False)
        _set_ffn(layer.ffn, w, scope)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    return spec


def _converter_class():
    from ctranslate2.converters import Converter

    class _WeightsConverter(Converter):
        """Hands a ready spec to CTranslate2's converter machinery."""

        def __init__(self, weights: Mapping[str, np.ndarray], cfg: ModelConfig, vocab: list[str]):
            self._weights, self._cfg, self._vocab = weights, cfg, vocab

        def _load(self):
            return spec_from_weights(self._weights, self._cfg, self._vocab)

    return _WeightsConverter


def WeightsConverter(weights: Mapping[str, np.ndarray], cfg: ModelConfig, vocab: list[str]):  # noqa: N802
    """A ``ctranslate2.converters.Converter`` for ``weights`` (built lazily so
    importing this module does not import ctranslate2)."""
    return _converter_class()(weights, cfg, vocab)


def convert_to_ct2(
    weights: Mapping[str, np.ndarray],
    cfg: ModelConfig,
    vocab: list[str],
    out_dir: Path,
    quantization: str | None = "int8",
) -> Path:
    """Write a CTranslate2 model directory; returns it."""
    WeightsConverter(weights, cfg, vocab).convert(
        str(out_dir), quantization=quantization, force=True
    )
    return out_dir


def _zip_dir(src: Path, top: str, dest: Path) -> None:
    """Zip ``src`` as ``top/...`` with fixed timestamps (byte-identical rebuilds)."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".zip", dir=str(dest.parent))
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            zf.writestr(zipfile.ZipInfo(top + "/", (1980, 1, 1, 0, 0, 0)), b"")
            for path in sorted(p for p in src.rglob("*")):
                rel = path.relative_to(src).as_posix()
                name = f"{top}/{rel}" + ("/" if path.is_dir() else "")
                info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o40755 if path.is_dir() else 0o100644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, b"" if path.is_dir() else path.read_bytes())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def argos_metadata(code: str, name: str, **extra: object) -> dict[str, object]:
    """metadata.json for a package built by this project's tools (de->en unless ``extra`` says)."""
    return {
        "package_version": "0.1",
        "argos_version": "1.9.0",
        "from_code": "de",
        "from_name": "German",
        "to_code": "en",
        "to_name": "English",
        "type": "translate",
        "code": code,
        "name": name,
        "links": [],
        **extra,
    }


def write_argos_package(
    ct2_dir: Path,
    sp_model: Path,
    dest: Path,
    *,
    top: str,
    metadata: Mapping[str, object],
    readme: str = "",
) -> Path:
    """Zip ``model/``, ``sentencepiece.model``, ``metadata.json`` (and README.md)
    under one top directory, the layout ``argostranslate.package`` installs."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=str(dest.parent)) as tmp:
        root = Path(tmp) / top
        shutil.copytree(ct2_dir, root / "model")
        shutil.copyfile(sp_model, root / "sentencepiece.model")
        (root / "metadata.json").write_text(
            json.dumps(dict(metadata), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if readme:
            (root / "README.md").write_text(readme, encoding="utf-8")
        _zip_dir(root, top, dest)
    return dest
