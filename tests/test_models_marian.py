"""`transkit models install|list|remove|convert` with Marian/OPUS-MT models."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import TEST_MODELS, private_env

MARIAN = TEST_MODELS["marian-tiny"]
TRANSKIT = shutil.which("transkit", path=str(Path(sys.executable).parent)) or "transkit"

pytestmark = pytest.mark.skipif(
    not MARIAN.exists(), reason=f"{MARIAN.name} not built (tools/build_marian_test_model.py)"
)


def _run(args: list[str], base: Path, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRANSKIT, *args],
        env=private_env(base),
        cwd=base,
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


def _archive(kind: str, tmp_path: Path) -> Path:
    if kind == "dir":
        return MARIAN
    if kind == "zip":
        out = tmp_path / "opus.zip"
        with zipfile.ZipFile(out, "w") as zf:
            for f in sorted(MARIAN.iterdir()):
                zf.write(f, f"{MARIAN.name}/{f.name}")
        return out
    out = tmp_path / "opus.tar.gz"
    with tarfile.open(out, "w:gz") as tf:
        tf.add(MARIAN, arcname=MARIAN.name)
    return out


@pytest.mark.parametrize("kind", ["dir", "zip", "tar"])
def test_install_list_use_remove(tmp_path: Path, kind: str) -> None:
    source = _archive(kind, tmp_path)
    done = _run(["models", "install", "--from", str(source)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "marian" in done.stdout and MARIAN.name in done.stdout
    listed = _run(["models", "list", "--json"], tmp_path)
    (entry,) = json.loads(listed.stdout)
    assert (entry["name"], entry["family"], entry["from"], entry["to"]) == (
        MARIAN.name,
        "marian",
        "de",
        "en",
    )
    installed = Path(entry["path"])
    assert not installed.is_relative_to(tmp_path / "packages")  # argostranslate's folder
    assert (installed / "model.bin").read_bytes() == (MARIAN / "model.bin").read_bytes()
    table = _run(["models", "list"], tmp_path).stdout
    assert any(MARIAN.name in line and "marian" in line for line in table.splitlines())
    # The installed model serves --model by name and by language pair.
    src = tmp_path / "a.txt"
    src.write_text("Japan will das Verteidigungsbudget erhöhen.\n", encoding="utf-8")
    for spec in (MARIAN.name, "de-en"):
        out = _run(
            ["translate", "--model", spec, "--no-glossary", "-"], tmp_path, input="Peking baut.\n"
        )
        assert out.returncode == 0 and out.stdout.strip(), out.stderr
    gone = _run(["models", "remove", MARIAN.name], tmp_path)
    assert gone.returncode == 0 and not installed.exists()


def test_a_half_archive_is_refused_naming_the_file(tmp_path: Path) -> None:
    out = tmp_path / "half.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for f in sorted(MARIAN.iterdir()):
            if f.name != "source.spm":
                zf.write(f, f"{MARIAN.name}/{f.name}")
    done = _run(["models", "install", "--from", str(out)], tmp_path)
    assert done.returncode != 0
    assert "no source.spm" in done.stderr and str(out) in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "data" / "transkit" / "models" / MARIAN.name).exists()


def _random_hf_marian(folder: Path) -> Path:
    """A Hugging Face Marian folder with random weights over the test model's
    SentencePiece files and vocabulary (what a download of OPUS-MT holds)."""
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    vocab = json.loads((MARIAN / "shared_vocabulary.json").read_text(encoding="utf-8"))
    vocab = [*vocab, "<pad>"]
    folder.mkdir()
    (folder / "vocab.json").write_text(
        json.dumps({p: i for i, p in enumerate(vocab)}, ensure_ascii=False), encoding="utf-8"
    )
    for name in ("source.spm", "target.spm"):
        shutil.copy(MARIAN / name, folder / name)
    tokenizer = MarianTokenizer(
        source_spm=str(folder / "source.spm"),
        target_spm=str(folder / "target.spm"),
        vocab=str(folder / "vocab.json"),
    )
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=64,
        pad_token_id=len(vocab) - 1,
        eos_token_id=0,
        decoder_start_token_id=len(vocab) - 1,
    )
    MarianMTModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_convert_wraps_ctranslate2s_converter(tmp_path: Path) -> None:
    pytest.importorskip("transformers", reason="the marian extra (transformers) is not installed")
    hf = _random_hf_marian(tmp_path / "hf")
    out = tmp_path / "converted"
    done = _run(["models", "convert", str(hf), str(out)], tmp_path)
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.iterdir()}
    assert {
        "model.bin",
        "config.json",
        "shared_vocabulary.json",
        "source.spm",
        "target.spm",
    } <= names
    again = _run(["models", "convert", str(hf), str(out)], tmp_path)
    assert again.returncode != 0 and "--force" in again.stderr
    used = _run(
        ["translate", "--model", str(out), "--no-glossary", "-"], tmp_path, input="Peking.\n"
    )
    assert used.returncode == 0, used.stderr
    (hf / "target.spm").unlink()
    half = _run(["models", "convert", str(hf), str(tmp_path / "other")], tmp_path)
    assert half.returncode != 0 and "no target.spm" in half.stderr
    assert not (tmp_path / "other").exists()


def test_convert_says_what_is_missing_without_the_extra(tmp_path: Path) -> None:
    hf = tmp_path / "hf"
    hf.mkdir()
    (hf / "config.json").write_text('{"model_type": "marian"}', encoding="utf-8")
    for name in ("source.spm", "target.spm", "vocab.json"):
        (hf / name).write_text("x", encoding="utf-8")
    code = (
        "import sys; sys.modules['transformers'] = None\n"
        "from transkit.cli import main\n"
        f"main(['models', 'convert', {str(hf)!r}, {str(tmp_path / 'out')!r}])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=private_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "transformers" in proc.stderr and "transkit[marian]" in proc.stderr
    assert "Traceback" not in proc.stderr
