"""Model management: the shared package directory, installing from a file or an index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from transkit import models
from transkit.errors import ModelError, ModelMissingError


def model_bin(*, version: int = 6, garbage: bool = False) -> bytes:
    """A structurally valid CTranslate2 model.bin with one float32 variable."""
    import struct

    def string(text: str) -> bytes:
        return struct.pack("<H", len(text) + 1) + text.encode() + b"\0"

    data = struct.pack("<I", version) + string("TransformerSpec") + struct.pack("<I", 7)
    data += struct.pack("<I", 1) + string("encoder/w") + struct.pack("<BII", 2, 2, 3)
    data += struct.pack("<BI", 0, 24) + b"\1" * 24 + struct.pack("<I", 0)
    return bytes(reversed(data)) if garbage else data


def make_package(
    path: Path,
    *,
    top: str = "translate-de_en-1_0",
    version: str = "1.0",
    from_code: str = "de",
    to_code: str = "en",
    missing: str | None = None,
) -> Path:
    """A structurally valid .argosmodel (the engine is not loaded by these tests)."""
    files = {
        f"{top}/metadata.json": json.dumps(
            {
                "package_version": version,
                "argos_version": "1.0",
                "from_code": from_code,
                "to_code": to_code,
                "from_name": "German",
                "to_name": "English",
            }
        ),
        f"{top}/model/model.bin": model_bin(),
        f"{top}/model/config.json": "{}",
        f"{top}/sentencepiece.model": b"sp",
    }
    if missing:
        del files[f"{top}/{missing}"]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def pkgdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(target))
    monkeypatch.setenv("TRANSKIT_CACHE_DIR", str(tmp_path / "cache"))
    return target


def test_packages_dir_honours_env(pkgdir: Path) -> None:
    assert models.packages_dir() == pkgdir


def test_packages_dir_matches_argostranslate(tmp_path: Path) -> None:
    """Both tools must agree on where packages live (checked in a clean process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGOS_")}
    env.update(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    code = (
        "import argostranslate.settings as s, transkit.models as m;"
        "print(s.package_data_dir); print(m.packages_dir())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == out[1] == str(tmp_path / "data" / "argos-translate" / "packages")


def test_install_list_remove(tmp_path: Path, pkgdir: Path) -> None:
    archive = make_package(tmp_path / "p.argosmodel")
    package = models.install_from_file(archive)
    assert package.path == pkgdir / "translate-de_en-1_0"
    assert [p.code for p in models.installed_packages()] == ["translate-de_en"]
    assert models.find_installed("de-en") == package
    assert models.find_installed("translate-de_en-1_0") == package
    assert models.resolve_model(None) == package
    # Reinstalling replaces the old copy, leaves no staging directories.
    models.install_from_file(archive)
    assert sorted(p.name for p in pkgdir.iterdir()) == ["translate-de_en-1_0"]
    models.remove_package("de_en")
    assert models.installed_packages() == []
    with pytest.raises(ModelError, match="no installed model"):
        models.remove_package("de_en")


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("notzip", "must be a zip"),
        ("nometa", "missing metadata.json"),
        ("nomodel", "missing model/model.bin"),
        ("nosp", "missing sentencepiece.model"),
    ],
)
def test_bad_archives_are_refused(tmp_path: Path, pkgdir: Path, kind: str, message: str) -> None:
    path = tmp_path / "bad.argosmodel"
    if kind == "notzip":
        path.write_bytes(b"not a zip at all")
    else:
        missing = {
            "nometa": "metadata.json",
            "nomodel": "model/model.bin",
            "nosp": "sentencepiece.model",
        }[kind]
        make_package(path, missing=missing)
    with pytest.raises(ModelError) as info:
        models.install_from_file(path)
    assert message in info.value.one_line() and str(path) in info.value.one_line()
    assert not pkgdir.exists() or list(pkgdir.iterdir()) == []


def test_unsafe_zip_paths_refused(tmp_path: Path, pkgdir: Path) -> None:
    path = tmp_path / "evil.argosmodel"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../evil/metadata.json", "{}")
    with pytest.raises(ModelError, match="unsafe path"):
        models.install_from_file(path)


def test_no_model_message_names_the_commands(pkgdir: Path) -> None:
    with pytest.raises(ModelMissingError) as info:
        models.resolve_model(None)
    text = info.value.one_line()
    assert "transkit models install de en" in text
    assert "transkit models install --from FILE.argosmodel" in text
    assert info.value.exit_code == 2


def test_resolve_model_from_archive_is_cached(tmp_path: Path, pkgdir: Path) -> None:
    archive = make_package(tmp_path / "p.argosmodel")
    first = models.resolve_model(str(archive))
    second = models.resolve_model(str(archive))
    assert first == second and first.path.is_dir()
    assert (tmp_path / "cache") in first.path.parents
    with pytest.raises(ModelMissingError, match="model file not found"):
        models.resolve_model(str(tmp_path / "absent.argosmodel"))


def write_index(tmp_path: Path, archive: Path) -> str:
    index = [
        {
            "package_version": "1.0",
            "from_code": "de",
            "to_code": "en",
            "type": "translate",
            "from_name": "German",
            "to_name": "English",
            "links": [archive.as_uri()],
        },
        {
            "package_version": "1.0",
            "from_code": "en",
            "to_code": "de",
            "type": "translate",
            "links": ["file:///nonexistent.argosmodel"],
        },
    ]
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "index.json").write_text(json.dumps(index))
    return (tmp_path / "index").as_uri() + "/"


def test_install_from_local_index_with_progress(tmp_path: Path, pkgdir: Path) -> None:
    archive = make_package(tmp_path / "translate-de_en-1_0.argosmodel")
    url = write_index(tmp_path, archive)
    seen: list[tuple[int, int | None]] = []
    package = models.install_from_index(
        "de", "en", url=url, progress=lambda d, t: seen.append((d, t))
    )
    assert package.code == "translate-de_en"
    assert seen and seen[-1][0] == archive.stat().st_size
    with pytest.raises(ModelError, match="no de->fr"):
        models.install_from_index("de", "fr", url=url)
    with pytest.raises(ModelError, match="could not download"):
        models.install_from_index("en", "de", url=url)
    assert sorted(p.name for p in pkgdir.iterdir()) == ["translate-de_en-1_0"]


def test_unreachable_index_says_what_to_do(pkgdir: Path) -> None:
    with pytest.raises(ModelError) as info:
        models.install_from_index("de", "en", url="http://127.0.0.1:9/")
    text = info.value.one_line()
    assert "cannot reach the Argos package index" in text
    assert "transkit models install --from FILE.argosmodel" in text


# -- robustness: damaged model.bin, parallel first use --------------------------


@pytest.mark.parametrize(
    ("blob", "why"),
    [
        (model_bin(garbage=True), "format version"),
        (model_bin(version=99), "format version 99"),
        (model_bin()[:-10], "(truncated|sizes do not match)"),
        (model_bin() + b"extra", "unexpected data"),
        (b"\x06\x00\x00\x00\x03\x00ab\xff" + b"\x00" * 64, "malformed name"),
    ],
    ids=["garbage", "too-new", "truncated", "trailing", "bad-name"],
)
def test_install_refuses_a_damaged_model_bin(
    pkgdir: Path, tmp_path: Path, blob: bytes, why: str
) -> None:
    archive = make_package(tmp_path / "p.argosmodel")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("translate-de_en-1_0/model/model.bin.tmp", b"")  # harmless extra file
    broken = tmp_path / "broken.argosmodel"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = blob if item.filename.endswith("model/model.bin") else src.read(item)
            dst.writestr(item, data)
    with pytest.raises(ModelError, match=rf"broken\.argosmodel: .*model\.bin.*{why}"):
        models.install_from_file(broken)
    assert not (pkgdir / "translate-de_en-1_0").exists()
    with pytest.raises(ModelError, match=why):
        models.resolve_model(str(broken))  # the --model FILE route refuses it too


def _first_use(archive: str, queue) -> None:  # type: ignore[no-untyped-def]
    try:
        package = models.resolve_model(archive)
        queue.put("ok" if (package.path / "model" / "model.bin").is_file() else "no model.bin")
    except BaseException as err:  # noqa: BLE001 - any failure is what is counted
        queue.put(f"{type(err).__name__}: {err}")


def test_parallel_first_uses_of_one_archive_all_succeed(pkgdir: Path) -> None:
    import multiprocessing

    archive = Path(__file__).parent / "data" / "translate-de_en-tiny.argosmodel"
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_first_use, args=(str(archive), queue)) for _ in range(8)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert results == ["ok"] * 8
    cache = Path(os.environ["TRANSKIT_CACHE_DIR"]) / "models"
    assert [c.name for c in cache.iterdir() if c.name.startswith(".")] == []


# -- fuzzing: any .argosmodel installs, or fails in one line naming the file --------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzzing import assert_one_line, fuzz_settings, mutated  # noqa: E402

_METADATA = json.dumps({"from_code": "de", "to_code": "en", "package_version": "1.0"}).encode()


@st.composite
def _archives(draw) -> bytes:  # type: ignore[no-untyped-def]
    """A zip whose members (names and contents) are valid, damaged or foreign."""
    import io

    top = draw(st.sampled_from(["translate-de_en-1_0", "x", "../evil", "a/b", ""]))
    members = {
        f"{top}/metadata.json": draw(mutated([_METADATA, b"[]", b'{"from_code": 1}'])),
        f"{top}/model/model.bin": draw(mutated([model_bin(), model_bin(version=3)])),
        f"{top}/sentencepiece.model": draw(st.binary(max_size=64)),
    }
    for name in draw(st.lists(st.sampled_from(sorted(members)), max_size=2)):
        members.pop(name, None)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    raw = out.getvalue()
    return draw(mutated([raw])) if draw(st.integers(0, 3)) == 0 else raw


@fuzz_settings(0.5)
@given(_archives())
def test_fuzz_install_from_file(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("fuzz")
    archive = base / "m.argosmodel"
    archive.write_bytes(data)
    try:
        models.install_from_file(archive, base / "packages")
    except ModelError as err:
        assert_one_line(err, str(archive))
    leftovers = (
        [p.name for p in (base / "packages").glob(".*")] if (base / "packages").exists() else []
    )
    assert leftovers == []


def _flagged_model_bin(flags: dict[str, int]) -> bytes:
    """A model.bin with one weight and one int8 scalar per flag."""
    import struct

    def string(text: str) -> bytes:
        return struct.pack("<H", len(text) + 1) + text.encode() + b"\0"

    data = struct.pack("<I", 6) + string("TransformerSpec") + struct.pack("<I", 7)
    data += struct.pack("<I", 1 + len(flags))
    data += string("encoder/w") + struct.pack("<BII", 2, 2, 3) + struct.pack("<BI", 0, 24)
    data += b"\1" * 24
    for name, value in flags.items():
        data += string(name) + struct.pack("<B", 0) + struct.pack("<BI", 1, 1)
        data += struct.pack("<b", value)
    return data + struct.pack("<I", 0)


def test_model_bin_scalars_reads_the_spec_flags(tmp_path: Path) -> None:
    from transkit.modelbin import model_bin_scalars

    path = tmp_path / "model.bin"
    path.write_bytes(_flagged_model_bin({"decoder/start_from_zero_embedding": 1, "x/y": -1}))
    assert model_bin_scalars(path) == {"decoder/start_from_zero_embedding": 1, "x/y": -1}


def test_alternatives_mode_only_for_decoders_that_do_not_start_from_zero(tmp_path: Path) -> None:
    """CTranslate2's one-step prefix mishandles a zero start embedding
    (Marian conversions): such a model keeps beam search for completions."""
    from transkit.engine.ct2 import _alternatives_safe

    marian = tmp_path / "marian.bin"
    marian.write_bytes(_flagged_model_bin({"decoder/start_from_zero_embedding": 1}))
    onmt = tmp_path / "onmt.bin"
    onmt.write_bytes(_flagged_model_bin({"decoder/start_from_zero_embedding": 0}))
    broken = tmp_path / "broken.bin"
    broken.write_bytes(b"\0\1")
    assert not _alternatives_safe(marian)
    assert _alternatives_safe(onmt)
    assert not _alternatives_safe(broken)
