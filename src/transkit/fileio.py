"""File writing that never leaves a half-written file, or a half-written set, behind.

The output-path policy (one for every writer, `docs/robustness-writes.md`):

* a regular file (or a path that does not exist yet) is written atomically:
  a temporary file beside it, then a rename; a symlink to one is followed
  and its target replaced;
* a device, a FIFO, or a ``/dev/stdout``-style link (``/proc/self/fd/N``,
  ``/dev/fd/N``) is written in place, never replaced;
* a directory, socket or read-only file is refused, naming the file;
* `OutputClaims` refuses an output that is an input of the same run, or
  that another output of the same run already claimed, before anything is
  written; `preflight` checks that a folder takes new files at all.

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
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from transkit.errors import InputError, OutputError

__all__ = [
    "OutputClaims",
    "TEMP_SUFFIX",
    "open_output",
    "preflight",
    "is_stream",
    "same_file",
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


_FD_LINK = re.compile(r"^/(?:proc/(?:self|thread-self|\d+)/fd|dev/fd)/(\d+)$")


def _stream_fd(path: str | os.PathLike[str]) -> int | None:
    """The descriptor number when ``path`` names one of this process's (``/dev/stdout`` -> 1)."""
    hop = os.path.abspath(path)
    for _ in range(40):
        found = _FD_LINK.match(hop)
        if found:
            owner = hop.split("/")[2]
            if hop.startswith("/dev/fd/") or owner in ("self", "thread-self", str(os.getpid())):
                return int(found.group(1))
        if not os.path.islink(hop):
            return None
        hop = os.path.normpath(os.path.join(os.path.dirname(hop), os.readlink(hop)))
    return None


def is_stream(path: str | os.PathLike[str]) -> bool:
    """True for outputs written in place: devices, FIFOs, ``/dev/stdout``-style links."""
    if _stream_fd(path) is not None:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode)


def _identities(path: str | os.PathLike[str]) -> set[object]:
    """What makes two paths the same file: the resolved name, and the inode if it exists."""
    keys: set[object] = {str(real_target(path))}
    with contextlib.suppress(OSError):
        st = os.stat(path)
        if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
            keys.add((st.st_dev, st.st_ino))
    return keys


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when writing ``a`` would change ``b`` (links, hard links, ``..`` resolved)."""
    return bool(_identities(a) & _identities(b))


class OutputClaims:
    """The outputs of one run, claimed before the first write.

    An output that is one of the run's inputs, or one that another output of
    the run already claimed, is refused with an `OutputError` naming it.
    Streams (devices, FIFOs, ``/dev/stdout``) can be claimed any number of
    times: writing twice to ``/dev/null`` loses nothing.
    """

    def __init__(self, inputs: Iterable[str | os.PathLike[str]] = ()):
        self._inputs: dict[object, str] = {}
        self._outputs: dict[object, str] = {}
        for name in inputs:
            if str(name) != "-":
                self.add_input(name)

    def add_input(self, path: str | os.PathLike[str]) -> None:
        """Count ``path`` as read by this run (never to be written)."""
        if not is_stream(path):
            for key in _identities(path):
                self._inputs.setdefault(key, str(path))

    def claim(self, path: str | os.PathLike[str], owner: str | None = None) -> None:
        """Reserve ``path`` for ``owner``; refuse an input or an output claimed before."""
        shown = str(path)
        if is_stream(path):
            return
        keys = _identities(path)
        for key in keys:
            if key in self._inputs:
                raise OutputError(
                    f"is an input of this run ({self._inputs[key]}); not overwritten", file=shown
                )
            if key in self._outputs and self._outputs[key] != owner:
                raise OutputError(
                    f"would be written twice (also the output for {self._outputs[key]})",
                    file=shown,
                )
        for key in keys:
            self._outputs[key] = owner or shown


def preflight(path: str | os.PathLike[str]) -> None:
    """Refuse now, before anything is written, an output that cannot be written.

    A directory, a read-only file, or a folder that takes no new file
    (read-only mount, no permission, no space for even an empty file) is an
    `OutputError` naming ``path``.  Streams are left to the write itself.
    """
    shown = str(path)
    if is_stream(path):
        return
    target = real_target(path)
    _check_writable(shown, target)
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".transkit-check.", suffix=TEMP_SUFFIX)
    except OSError as err:
        raise OutputError(f"cannot write: {_why(err)} ({folder})", file=shown) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _why(err: OSError) -> str:
    if err.errno == errno.EROFS:
        return "read-only file system"
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
    if not stat.S_ISREG(st.st_mode):
        raise OutputError("cannot write: not a regular file, device or FIFO", file=shown)
    if not os.access(target, os.W_OK) and _read_only_mount(target):
        raise OutputError("cannot write: read-only file system", file=shown)
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise OutputError("read-only file, not overwritten (make it writable first)", file=shown)
    return st.st_mode & 0o777


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


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
    """Write several outputs together, by the output-path policy.

    Regular files are replaced together: all of them new, or (on any failure)
    all old.  SIGINT and SIGTERM are held back while this runs, so Ctrl-C or
    ``kill`` takes effect just after it, with every file new and no temporary
    file left.  Every temporary file is written and synced before the first
    rename; a failure there (disk full) removes them and leaves the old
    files.  Should a rename fail, the files already replaced are put back
    from hard links of the old versions.  Streams (devices, FIFOs,
    ``/dev/stdout``) are written in place after every temporary file is
    ready and before the renames.
    """
    with _signals_held():
        plan: list[tuple[str, Path, str]] = []
        streams = [(path, data) for path, data in files.items() if is_stream(path)]
        try:
            for path, data in files.items():
                if is_stream(path):
                    continue
                shown, target = str(path), real_target(path)
                plan.append((shown, target, _write_temp(shown, target, data)))
            for path, data in streams:
                _write_in_place(str(path), path, data)
        except BaseException:
            for _, _, tmp in plan:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            raise
        _rename_all(plan)


def _open_in_place(shown: str, path: str | os.PathLike[str]) -> int:
    """A descriptor to write a stream output to (ours duplicated, else opened)."""
    number = _stream_fd(path)
    try:
        if number is not None:
            return os.dup(number)  # keeps the shell's ``>>`` and pipes as they are
        return os.open(path, os.O_WRONLY | os.O_NOCTTY)
    except OSError as err:
        raise OutputError(f"cannot write: {_why(err)}", file=shown) from None


def _write_in_place(shown: str, path: str | os.PathLike[str], data: bytes) -> None:
    fd = _open_in_place(shown, path)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as err:
        raise OutputError(f"cannot write: {_why(err)}", file=shown) from None
    finally:
        os.close(fd)


#: Errors of a write that say the output, not the program, is at fault.
_OUTPUT_ERRNOS = frozenset(
    (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS, errno.EPIPE, errno.EACCES)
)


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary handle for a streamed output (a big TMX), by the output-path policy.

    A regular file is written to a temporary file beside it, synced and
    renamed over when the block ends without error; on any error the
    temporary file is removed and the old file stays.  A stream is written in
    place.  Disk full and the like become an `OutputError` naming ``path``.
    """
    shown = str(path)
    if is_stream(path):
        handle = os.fdopen(_open_in_place(shown, path), "wb")
        try:
            with handle:
                yield handle
        except OSError as err:
            if err.errno not in _OUTPUT_ERRNOS:
                raise
            raise OutputError(f"cannot write: {_why(err)}", file=shown) from None
        return
    target = real_target(path)
    mode = _check_writable(shown, target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    except OSError as err:
        raise OutputError(f"cannot write: {_why(err)}", file=shown) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644 if mode is None else mode)
        with _signals_held():
            os.replace(tmp, target)
    except OSError as err:
        if err.errno not in _OUTPUT_ERRNOS:
            raise
        raise OutputError(f"cannot write: {_why(err)}", file=shown) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


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
            data = _read_up_to(handle, limit + 1)
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


def _read_up_to(handle: IO[bytes], most: int) -> bytes:
    """At most ``most`` bytes, read in pieces (``read(most)`` would allocate them all)."""
    parts: list[bytes] = []
    left = most
    while left > 0:
        part = handle.read(min(left, 1 << 24))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def max_input_bytes() -> int:
    """The input size limit now in force (bytes)."""
    value = os.environ.get("TRANSKIT_MAX_INPUT_MB", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value) * 1024 * 1024
    return MAX_INPUT_BYTES
