"""Argos Translate packages: where they live, which are installed, installing them.

transkit shares argostranslate's package directory (``ARGOS_PACKAGES_DIR``,
else ``$XDG_DATA_HOME/argos-translate/packages``), so a package installed by
either tool serves both.  The directory is computed here rather than read
from ``argostranslate.settings``, because importing that module creates
directories and reads settings at import time; argostranslate itself is only
imported for the package index (``transkit models install FROM TO``).

An ``.argosmodel`` is a zip of one directory holding ``metadata.json``, a
CTranslate2 model in ``model/`` and ``sentencepiece.model``.  The other
family, CTranslate2 directories converted from Marian/OPUS-MT, is described
in `transkit.modeldir`; both come back as a `ModelPackage` whose ``family``
says which engine runs it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from transkit.errors import ModelError, ModelMissingError
from transkit.modelbin import check_model_bin
from transkit.modeldir import (
    ZIP_ERRORS,
    check_model_dir,
    holds_model_dir,
    install_model_dir,
    is_model_dir,
    model_dir_files,
    models_dir,
    read_languages,
    replace_dir,
)

__all__ = [
    "DEFAULT_INDEX_URL",
    "ModelPackage",
    "packages_dir",
    "installed_packages",
    "find_installed",
    "resolve_model",
    "read_package",
    "install_from_file",
    "check_model_bin",
    "install_from_index",
    "fetch_index",
    "remove_package",
    "missing_model_message",
    "package_files",
]

DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"

ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True)
class ModelPackage:
    """An unpacked Argos package, or a Marian model directory, on disk."""

    path: Path
    from_code: str
    to_code: str
    package_version: str = ""
    argos_version: str = ""
    from_name: str = ""
    to_name: str = ""
    target_prefix: str = ""
    family: str = "argos"

    @property
    def code(self) -> str:
        """The name ``argospm`` uses too, e.g. ``translate-de_en``."""
        return f"translate-{self.from_code}_{self.to_code}"

    @property
    def label(self) -> str:
        """Engine and model, as recorded in every segment's origin."""
        version = f" {self.package_version}" if self.package_version else ""
        return f"{self.family}:{self.path.name}{version}"


def _argos_setting(key: str) -> str | None:
    """A setting as argostranslate resolves it: environment, then settings.json."""
    value = os.environ.get(key)
    if value is not None:
        return value
    config_home = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    settings_file = config_home / "argos-translate" / "settings.json"
    try:
        data = json.loads(settings_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return str(value) if value is not None else None


def packages_dir() -> Path:
    """The directory argostranslate installs packages into (not created here)."""
    configured = _argos_setting("ARGOS_PACKAGES_DIR")
    if configured:
        return Path(configured).expanduser()
    home = Path(os.environ["SNAP_USER_DATA"]) if "SNAP" in os.environ else Path.home()
    data_home = Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share"))
    return data_home / "argos-translate" / "packages"


def index_url() -> str:
    """The package index URL (``ARGOS_PACKAGE_INDEX`` as in argostranslate)."""
    url = _argos_setting("ARGOS_PACKAGE_INDEX") or DEFAULT_INDEX_URL
    return url if url.endswith("/") else url + "/"


def read_model_dir(path: Path) -> ModelPackage:
    """Read a Marian model directory, refusing one that lacks a file."""
    check_model_dir(path)
    from_code, to_code = read_languages(path)
    return ModelPackage(path=path, from_code=from_code, to_code=to_code, family="marian")


def read_package(path: Path) -> ModelPackage:
    """Read an unpacked package directory, checking what an engine needs."""
    if is_model_dir(path):
        return read_model_dir(path)
    metadata_path = path / "metadata.json"
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError("not an Argos package: no metadata.json", file=str(path)) from None
    except (OSError, ValueError) as err:
        raise ModelError(f"unreadable metadata.json ({err})", file=str(metadata_path)) from None
    if (
        not isinstance(metadata, dict)
        or not metadata.get("from_code")
        or not metadata.get("to_code")
    ):
        raise ModelError("metadata.json lacks from_code/to_code", file=str(metadata_path))
    if not (path / "model" / "model.bin").is_file():
        raise ModelError("not a CTranslate2 package: no model/model.bin", file=str(path))
    if not (path / "sentencepiece.model").is_file():
        if (path / "bpe.model").is_file():
            raise ModelError(
                "package uses BPE tokenization (bpe.model); transkit runs SentencePiece "
                "packages only",
                file=str(path),
            )
        raise ModelError("package has no sentencepiece.model", file=str(path))
    return ModelPackage(
        path=path,
        from_code=str(metadata["from_code"]),
        to_code=str(metadata["to_code"]),
        package_version=str(metadata.get("package_version", "")),
        argos_version=str(metadata.get("argos_version", "")),
        from_name=str(metadata.get("from_name", "")),
        to_name=str(metadata.get("to_name", "")),
        target_prefix=str(metadata.get("target_prefix", "")),
    )


def package_files(package: ModelPackage) -> dict[str, bytes]:
    """What an engine loads, read into memory: every file under ``model/`` and
    ``sentencepiece.model``, keyed by their path in the package (POSIX); for a
    Marian directory, its files by name (`transkit.modeldir.model_dir_files`).
    A cluster ships these to workers that cannot see the package's folder."""
    root = package.path
    if package.family == "marian":
        return model_dir_files(root)
    files: dict[str, bytes] = {}
    try:
        for path in sorted((root / "model").rglob("*")):
            if path.is_file():
                files[path.relative_to(root).as_posix()] = path.read_bytes()
        files["sentencepiece.model"] = (root / "sentencepiece.model").read_bytes()
    except OSError as err:
        raise ModelError(f"cannot read the package: {err}", file=str(root)) from None
    return files


def installed_packages(directory: Path | None = None) -> list[ModelPackage]:
    """Every readable package in the package directory, sorted by name; without
    ``directory``, the Marian models in transkit's own folder after them."""
    roots = [directory] if directory else [packages_dir(), models_dir()]
    found = []
    for root in roots:
        if not root.is_dir():
            continue
        for child in sorted(root.iterdir()):
            if child.is_dir() and not child.name.startswith("."):
                try:
                    found.append(read_package(child))
                except ModelError:
                    continue
    return found


def _normalise_code(code: str) -> tuple[str, str] | None:
    """``de-en``, ``de_en``, ``translate-de_en`` or ``de:en`` -> ("de", "en")."""
    text = code.strip().lower().removeprefix("translate-")
    for sep in ("_", "-", ":", ">"):
        if sep in text:
            left, _, right = text.partition(sep)
            if left and right:
                return left, right
    return None


def find_installed(code: str, directory: Path | None = None) -> ModelPackage | None:
    """The installed package for a language pair or directory name."""
    packages = installed_packages(directory)
    for package in packages:
        if package.path.name == code:
            return package
    pair = _normalise_code(code)
    if pair:
        matching = [p for p in packages if (p.from_code, p.to_code) == pair]
        if matching:
            return max(matching, key=lambda p: _version_key(p.package_version))
    return None


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def missing_model_message(from_code: str = "de", to_code: str = "en") -> str:
    """What to tell a user who has no model: the exact commands that fix it."""
    return (
        f"no {from_code}->{to_code} translation model is installed in {packages_dir()}; "
        f"install one with `transkit models install {from_code} {to_code}` "
        f"or, offline, `transkit models install --from FILE.argosmodel` "
        f"(or pass --model PATH)"
    )


def resolve_model(spec: str | None, *, from_code: str = "de", to_code: str = "en") -> ModelPackage:
    """Turn ``--model CODE|PATH`` (or the default) into an unpacked package.

    A ``.argosmodel`` file is unpacked once into a cache directory keyed by
    its content hash, so repeated runs start fast.
    """
    if spec is None:
        package = find_installed(f"{from_code}_{to_code}")
        if package is None:
            raise ModelMissingError(missing_model_message(from_code, to_code))
        return package
    path = Path(spec).expanduser()
    if path.is_dir():
        return read_package(path)
    if path.is_file():
        return _unpack_cached(path)
    package = find_installed(spec)
    if package is not None:
        return package
    if any(sep in spec for sep in ("/", os.sep)) or spec.endswith(".argosmodel"):
        raise ModelMissingError("model file not found", file=spec)
    raise ModelMissingError(
        f"no installed model called {spec!r}; see `transkit models list`, "
        f"install with `transkit models install {from_code} {to_code}` "
        f"or `transkit models install --from FILE.argosmodel`"
    )


def cache_root() -> Path:
    """transkit's per-user cache folder (``TRANSKIT_CACHE_DIR`` overrides it)."""
    return _cache_root()


def _cache_root() -> Path:
    override = os.environ.get("TRANSKIT_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("transkit"))


def _unpack_cached(archive: Path) -> ModelPackage:
    """Unpack an ``.argosmodel`` once into the cache; parallel first uses take the
    lock in turn: the first extracts, the others find the finished package."""
    from transkit.fileio import edit_lock, terminate_cleanly

    digest = hashlib.sha256()
    try:
        with archive.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as err:
        raise ModelError(f"cannot read ({err.strerror or err})", file=str(archive)) from None
    target = _cache_root() / "models" / digest.hexdigest()[:20]
    if not _complete(target):
        with edit_lock(target), terminate_cleanly():
            if not _complete(target):
                _extract_package(archive, target)
    return read_package(_single_package_dir(target))


def _complete(root: Path) -> bool:
    """Whether a cached package directory is there and whole."""
    try:
        read_package(_single_package_dir(root))
    except (ModelError, OSError):
        return False
    return True


def _single_package_dir(root: Path) -> Path:
    children = [c for c in root.iterdir() if c.is_dir()]
    if (root / "metadata.json").exists():
        return root
    if len(children) != 1:
        raise ModelError("an .argosmodel must hold exactly one package directory", file=str(root))
    return children[0]


#: What zipfile raises for damaged archives (encrypted or oddly compressed members included).
_ZIP_ERRORS = ZIP_ERRORS


def _check_archive(archive: Path) -> str:
    """Validate an .argosmodel zip without extracting; return its top directory."""
    if not zipfile.is_zipfile(archive):
        raise ModelError(
            "not an Argos package (.argosmodel must be a zip archive)", file=str(archive)
        )
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if n and not n.startswith("__MACOSX")]
            bad = zf.testzip()
    except _ZIP_ERRORS as err:
        raise ModelError(f"damaged archive ({err})", file=str(archive)) from None
    if bad is not None:
        raise ModelError(f"damaged archive (bad CRC in {bad})", file=str(archive))
    tops = set()
    for name in names:
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts:
            raise ModelError(f"unsafe path in archive: {name}", file=str(archive))
        tops.add(pure.parts[0])
    if len(tops) != 1:
        raise ModelError(
            "an .argosmodel must hold exactly one package directory", file=str(archive)
        )
    top = tops.pop()
    needed = {f"{top}/metadata.json", f"{top}/sentencepiece.model", f"{top}/model/model.bin"}
    missing = sorted(n.split("/", 1)[1] for n in needed if n not in set(names))
    if missing:
        raise ModelError(
            f"not a CTranslate2 Argos package: missing {', '.join(missing)}", file=str(archive)
        )
    return top


def _extract_package(archive: Path, target: Path) -> None:
    """Extract into a temporary sibling, check it, rename (the caller holds the lock)."""
    _check_archive(archive)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".unpack-"))
    try:
        _extract_checked(archive, staging)
        replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _extract_checked(archive: Path, staging: Path) -> Path:
    """Extract ``archive`` into ``staging``; return the package directory, checked."""
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(staging)
    except _ZIP_ERRORS as err:
        raise ModelError(f"cannot unpack ({err})", file=str(archive)) from None
    try:
        package = _single_package_dir(staging)
        read_package(package)
    except ModelError as err:
        # Name the archive the user gave, not the staging directory.
        raise ModelError(err.message, file=str(archive)) from None
    check_model_bin(package / "model" / "model.bin", shown=str(archive))
    return package


def install_from_file(archive: Path, directory: Path | None = None) -> ModelPackage:
    """Install an ``.argosmodel`` into the shared package directory.

    The archive is checked first (zip, layout, and the structure of
    ``model.bin``); the package lands atomically under its own top-level
    directory name, replacing an older copy of the same name.  Parallel
    installs take turns.
    """
    from transkit.fileio import edit_lock, terminate_cleanly

    archive = Path(archive)
    if archive.is_dir() or (archive.is_file() and holds_model_dir(archive)):
        return read_model_dir(install_model_dir(archive))
    if not archive.is_file():
        raise ModelError("no such file", file=str(archive))
    top = _check_archive(archive)
    root = directory or packages_dir()
    final = root / top
    try:
        root.mkdir(parents=True, exist_ok=True)
        with edit_lock(final), terminate_cleanly():
            staging = Path(tempfile.mkdtemp(dir=root, prefix=".install-"))
            try:
                _extract_checked(archive, staging)
                replace_dir(staging / top, final)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as err:
        raise ModelError(f"cannot install ({err.strerror or err})", file=str(final)) from None
    return read_package(final)


def _open_url(url: str, timeout: float):
    request = urllib.request.Request(url, headers={"User-Agent": "transkit"})
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (http/https/file)


def fetch_index(url: str | None = None, *, timeout: float = 20.0) -> list[dict]:
    """Download the Argos package index (http, https or file URL)."""
    base = url or index_url()
    target = base + "index.json" if base.endswith("/") else base
    offline = (
        "cannot reach the Argos package index at {url} ({why}); without network, install "
        "a package file: `transkit models install --from FILE.argosmodel`"
    )
    try:
        with _open_url(target, timeout) as response:
            data = response.read()
    except (urllib.error.URLError, OSError, ValueError) as err:
        why = getattr(err, "reason", err)
        raise ModelError(offline.format(url=target, why=why)) from None
    try:
        index = json.loads(data)
    except ValueError as err:
        raise ModelError(f"the package index is not valid JSON ({err})", file=target) from None
    if not isinstance(index, list):
        raise ModelError("the package index is not a list of packages", file=target)
    return [entry for entry in index if isinstance(entry, dict)]


def install_from_index(
    from_code: str,
    to_code: str,
    *,
    url: str | None = None,
    directory: Path | None = None,
    progress: ProgressCallback | None = None,
) -> ModelPackage:
    """Find ``from_code->to_code`` in the Argos index, download it, install it.

    The index entries are read with ``argostranslate.package.AvailablePackage``
    (its metadata rules and package naming); the download is done here so it
    can show progress, time out, resume nothing half-written, and accept
    ``file://`` mirrors for offline sites.
    """
    from argostranslate.package import AvailablePackage, argospm_package_name

    entries = fetch_index(url)
    candidates = [AvailablePackage(entry) for entry in entries]
    matching = [
        p
        for p in candidates
        if p.type == "translate" and p.from_code == from_code and p.to_code == to_code
    ]
    if not matching:
        raise ModelError(f"the package index has no {from_code}->{to_code} translation package")
    chosen = max(matching, key=lambda p: _version_key(p.package_version))
    if not chosen.links:
        raise ModelError(f"the index entry for {argospm_package_name(chosen)} has no download link")
    root = directory or packages_dir()
    root.mkdir(parents=True, exist_ok=True)
    errors = []
    from transkit.fileio import terminate_cleanly

    for link in chosen.links:
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".download-", suffix=".argosmodel")
        os.close(fd)
        try:
            with terminate_cleanly():
                _download(link, Path(tmp), progress)
                return install_from_file(Path(tmp), root)
        except ModelError as err:
            errors.append(err.one_line())
        finally:
            Path(tmp).unlink(missing_ok=True)
    raise ModelError(
        f"could not download {argospm_package_name(chosen)} ({'; '.join(errors)}); "
        "without network, install a package file: `transkit models install --from FILE.argosmodel`"
    )


def _download(url: str, dest: Path, progress: ProgressCallback | None) -> None:
    scheme = urllib.parse.urlparse(url).scheme
    if scheme not in ("http", "https", "file"):
        raise ModelError(f"unsupported download link {url!r}")
    try:
        with _open_url(url, 60.0) as response, dest.open("wb") as out:
            total = response.headers.get("Content-Length")
            size = int(total) if total and total.isdigit() else None
            done = 0
            while block := response.read(1 << 16):
                out.write(block)
                done += len(block)
                if progress:
                    progress(done, size)
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise ModelError(f"download failed: {getattr(err, 'reason', err)}", file=url) from None


def remove_package(code: str, directory: Path | None = None) -> ModelPackage:
    """Uninstall the package named by directory name or language pair."""
    package = find_installed(code, directory)
    if package is None:
        raise ModelError(f"no installed model called {code!r} (see `transkit models list`)")
    path = package.path
    try:
        if path.is_symlink():
            path.unlink()  # the install is the link; the folder it points to is someone's
            return package
        # Renamed aside first: a read-only folder fails here, with nothing removed,
        # and a failure halfway leaves no half package under the real name.
        aside = path.with_name(f".{path.name}.removing")
        shutil.rmtree(aside, ignore_errors=True)
        os.rename(path, aside)
    except OSError as err:
        raise ModelError(f"cannot remove: {err.strerror or err}", file=str(path)) from None
    try:
        shutil.rmtree(aside)
    except OSError as err:
        raise ModelError(
            f"removed from the model list, but some files stay ({err.strerror or err})",
            file=str(aside),
        ) from None
    return package
