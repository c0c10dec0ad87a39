"""Write a file atomically: a temporary file in the target's directory, then ``os.replace``.

A reader never sees a half-written file, and a failure leaves nothing behind.
Problems a user can fix (a missing or unwritable directory) raise
:class:`OutputError` with a one-line message that names the problem and the fix.
"""
from __future__ import annotations

import contextlib
import os
import tempfile


class OutputError(OSError):
    """The output file cannot be written; the message says why and what to do."""


def check_target(path: str, flag: str = "-o") -> str:
    """The absolute target path, after checking its directory exists and is writable."""
    target = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        raise OutputError(f"{flag} {path}: is a directory; give a file name, e.g. {os.path.join(path, 'out')}")
    if not os.path.isdir(folder):
        raise OutputError(f"{flag} {path}: directory {folder} does not exist; create it (mkdir -p {folder}) "
                          f"or choose another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{flag} {path}: no permission to write in {folder}; choose a writable directory")
    return target


@contextlib.contextmanager
def atomic_path(path: str, flag: str = "-o"):
    """Yield a temporary path next to ``path``; on success it replaces ``path``, on any error it is removed."""
    target = check_target(path, flag)
    folder, name = os.path.split(target)
    suffix = os.path.splitext(name)[1]
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=folder)
    except OSError as err:
        raise OutputError(f"{flag} {path}: cannot create a file in {folder} ({err.strerror}); "
                          f"choose a writable directory") from None
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(path: str, text: str, flag: str = "-o") -> str:
    """Write ``text`` to ``path`` atomically; returns the absolute path written."""
    with atomic_path(path, flag) as tmp:
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as err:
            raise OutputError(f"{flag} {path}: writing failed ({err.strerror}); free some space or choose "
                              f"another path") from None
    return os.path.abspath(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
