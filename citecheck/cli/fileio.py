"""Writing files atomically, and refusing to overwrite what the user wrote."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


class OutputError(Exception):
    """An output file cannot or must not be written. The message is one line."""


def atomic_write(path: str | Path, text: str, protect: Iterable[str | Path] = ()) -> None:
    """Write `text` to `path` through a temporary file in the same directory and a rename.

    A reader never sees a half-written file, and an interrupted run leaves the old file (or
    none) in place. `protect` lists input files the output must not replace.
    """
    target = Path(path)
    for item in protect:
        try:
            if target.exists() and target.resolve() == Path(item).resolve():
                raise OutputError(f"{path}: is an input file; refusing to overwrite it (use --in-place to mean it)")
        except OSError:
            continue
    if target.is_dir():
        raise OutputError(f"{path}: is a directory")
    directory = target.parent if str(target.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise OutputError(f"{path}: cannot write here ({error.strerror or error})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        # Interrupted or failed: leave no temporary file behind.
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
