"""File writing that never leaves a half-written file, or a half-written set, behind.

* `atomic_write_bytes` writes a temporary file beside the target and renames
  it over; a symlink is followed (the shared file changes, not the link), a
  read-only file is refused, and every failure names the real file.
* `atomic_write_set` does the same for the outputs of one input (``.en.txt``,
  ``.xlf``, ``.tmx``): all temporary files first, then the renames, with
  SIGINT/SIGTERM held back throughout, so a run stopped at any moment leaves
  either all old or all new files and no temporary file.
* `edit_lock` serialises read-modify-write edits (``glossary add``) across
  processes, so parallel edits never lose an entry.
* `read_limited` reads a file with a size limit (``/dev/zero`` is not text).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from transkit.errors import InputError, OutputError

__all__ = [
    "TEMP_SUFFIX",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_set",
    "edit_lock",
    "terminate_cleanly",
    "real_target",
    "read_limited",
    "MAX_INPUT_BYTES",
    "max_input_bytes",
    "creation_time",
]

TEMP_SUFFIX = ".tmp"
#: The largest input file transkit reads (bytes); ``TRANSKIT_MAX_INPUT_MB`` overrides.
MAX_INPUT_BYTES = 100 * 1024 * 1024
_HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def real_target(path: str | os.PathLike[str]) -> Path:
    """The file a write to ``path`` must change: symlinks followed."""
    return Path(os.path.realpath(path))


def _why(err: OSError) -> str:
    if err.errno == errno.ENOSPC:
        return "disk full"
    if err.errno == errno.EDQUOT:
        return "disk quota exceeded"
    return err.strerror or str(err)


def _check_writable(shown: str, target: Path) -> int | None:
    """The mode to keep for an existing target; refuse a read-only one."""
    try:
        st = target.stat()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise OutputError(f"cannot write: {_why(err)}", file=shown) from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError("cannot write: is a directory", file=shown)
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise OutputError("read-only file, not overwritten (make it writable first)", file=shown)
    return st.st_mode & 0o777


def _write_temp(shown: str, target: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``target``; return its name."""
    mode = _check_writable(shown, target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    except OSError as err:
        raise OutputError(f"cannot write: {_why(err)}", file=shown) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644 if mode is None else mode)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OutputError(f"cannot write: {_why(err)}", file=shown) from None
        raise
    return tmp


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Defer SIGINT/SIGTERM until the block is done, then let them act.

    Masking is not enough: a signal sent to the process may be taken by any
    thread (CTranslate2 runs its own), and SIGTERM's default action ends the
    whole process.  So Python-level handlers record the signal while the
    block runs; afterwards the old handlers come back and the signal is raised
    again, so Ctrl-C still interrupts and ``kill`` still ends the run - just
    after the files are complete.  Only the main thread can do this; in other
    threads the block runs unprotected.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def defer(signum: int, _frame: object) -> None:
        pending.append(signum)

    old = {}
    try:
        for signum in _HELD_SIGNALS:
            old[signum] = signal.signal(signum, defer)
        yield
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """Let SIGTERM raise `SystemExit` (143) inside the block, so ``finally`` runs.

    For long steps that stage files (unpacking a model, a download): killed
    with SIGTERM, they remove their staging files instead of leaving them.
    Main thread only; elsewhere the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    old = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def creation_time() -> datetime:
    """The time stamped into written files: ``SOURCE_DATE_EPOCH`` when set (as
    reproducible builds do, so two runs compare byte for byte), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            pass  # not a number of seconds: ignored, as reproducible-builds.org says tools may
    return datetime.now(UTC)


def atomic_write_set(files: Mapping[str | os.PathLike[str], bytes]) -> None:
    """Replace several files together: all of them new, or (on any failure) all old.

    SIGINT and SIGTERM are held back while this runs, so Ctrl-C or ``kill``
    takes effect just after it, with every file new and no temporary file
    left.  Every temporary file is written and synced before the first
    rename; a failure there (disk full) removes them and leaves the old
    files.  Should a rename fail, the files already replaced are put back
    from hard links of the old versions.
    """
    with _signals_held():
        plan: list[tuple[str, Path, str]] = []
        try:
            for path, data in files.items():
                shown, target = str(path), real_target(path)
                plan.append((shown, target, _write_temp(shown, target, data)))
        except BaseException:
            for _, _, tmp in plan:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            raise
        _rename_all(plan)


def _rename_all(plan: list[tuple[str, Path, str]]) -> None:
    backups: list[tuple[Path, str | None]] = []
    done: list[tuple[Path, str | None]] = []
    try:
        for _, target, _ in plan:
            backups.append((target, _backup(target) if len(plan) > 1 else None))
        for (shown, target, tmp), (_, backup) in zip(plan, backups, strict=True):
            try:
                os.replace(tmp, target)
            except OSError as err:
                raise OutputError(f"cannot write: {_why(err)}", file=shown) from None
            done.append((target, backup))
    except BaseException:
        for target, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is None:
                    os.unlink(target)
                else:
                    os.replace(backup, target)
        raise
    finally:
        for _, _, tmp in plan:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for _, backup in backups:
            if backup is not None:
                with contextlib.suppress(OSError):
                    os.unlink(backup)


def _backup(target: Path) -> str | None:
    """A hard link to the old ``target`` (None when there is none to keep)."""
    if not target.exists():
        return None
    name = str(target.parent / f".{target.name}.{os.getpid()}.old{TEMP_SUFFIX}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)
    try:
        os.link(target, name)
    except OSError:
        return None
    return name


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over."""
    atomic_write_set({path: data})


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Text version of `atomic_write_bytes` (no newline translation)."""
    atomic_write_bytes(path, text.encode(encoding))


_lock_guard = threading.Lock()
_locks: dict[str, tuple[threading.RLock, list[int]]] = {}


@contextlib.contextmanager
def edit_lock(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold an exclusive lock for a read-modify-write of ``path``; yield its real path.

    The lock is ``flock`` on the directory that holds the real file (symlinks
    followed), so it covers a file that does not exist yet, leaves no lock
    file behind, and is released by the kernel if the process dies.  It is
    re-entrant within a process.  Without ``fcntl`` (Windows) only threads of
    one process are serialised.
    """
    target = real_target(path)
    folder = str(target.parent)
    with _lock_guard:
        rlock, depth = _locks.setdefault(folder, (threading.RLock(), [0]))
    with rlock:
        fd = None
        if depth[0] == 0:
            fd = _lock_folder(str(path), target.parent)
        depth[0] += 1
        try:
            yield target
        finally:
            depth[0] -= 1
            if fd is not None:
                os.close(fd)  # closing releases the flock


def _lock_folder(shown: str, folder: Path) -> int | None:
    try:
        import fcntl
    except ImportError:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
    except OSError as err:
        raise OutputError(f"cannot lock for editing: {_why(err)}", file=shown) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_limited(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of ``path``, refusing more than ``limit`` (`InputError` naming it)."""
    limit = limit or max_input_bytes()
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=name) from None
    except PermissionError:
        raise InputError("permission denied", file=name) from None
    except OSError as err:
        raise InputError(f"cannot read ({_why(err)})", file=name) from None
    except MemoryError:
        raise InputError("too large to read", file=name) from None
    if len(data) > limit:
        raise InputError(
            f"larger than {limit // (1024 * 1024)} MB; not read "
            "(TRANSKIT_MAX_INPUT_MB raises the limit)",
            file=name,
        )
    return data


def max_input_bytes() -> int:
    """The input size limit now in force (bytes)."""
    value = os.environ.get("TRANSKIT_MAX_INPUT_MB", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value) * 1024 * 1024
    return MAX_INPUT_BYTES
