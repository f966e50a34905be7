"""Where a corpus run writes: a local directory (a shared file system on a cluster) or an
object-store URL, with whole-file writes that are atomic either way.

On a local file system a file is written beside its destination and renamed into place
(`os.replace`, after fsync); on an object store a single PUT is atomic by the store's own
rules. A reader never sees half a file, so a run killed at any moment leaves every file it
wrote either whole or absent.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from citecheck.corpus.inputs import is_url

__all__ = ["OutputStore"]


class OutputStore:
    """Files under one root directory or URL, addressed by relative paths (`findings/part-00001.parquet`)."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/") if is_url(root) else str(Path(root))
        self._fs: Any = None
        if is_url(root):
            import fsspec  # the `corpus` extra

            self._fs, self._base = fsspec.core.url_to_fs(root)
            self._protocol = root.split("://", 1)[0]

    @property
    def is_local(self) -> bool:
        """True for a local directory."""
        return self._fs is None

    def location(self, relative: str) -> str:
        """The path or URL of a file under the root."""
        return f"{self.root}/{relative}" if self._fs is not None else str(Path(self.root) / relative)

    def write(self, relative: str, data: bytes) -> None:
        """Write a whole file atomically (see the module docs)."""
        if self._fs is not None:
            self._fs.pipe_file(f"{self._base}/{relative}", data)
            return
        target = Path(self.root) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, relative: str) -> bytes | None:
        """A file's bytes, or None when it does not exist."""
        try:
            if self._fs is not None:
                return bytes(self._fs.cat_file(f"{self._base}/{relative}"))
            return (Path(self.root) / relative).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def exists(self, relative: str) -> bool:
        """True when the file exists."""
        if self._fs is not None:
            return bool(self._fs.exists(f"{self._base}/{relative}"))
        return (Path(self.root) / relative).is_file()

    def listdir(self, relative: str) -> list[str]:
        """The names of the files directly under a directory (empty when it does not exist)."""
        if self._fs is not None:
            try:
                return sorted(p.rsplit("/", 1)[-1] for p in self._fs.ls(f"{self._base}/{relative}", detail=False))
            except FileNotFoundError:
                return []
        directory = Path(self.root) / relative
        return sorted(p.name for p in directory.iterdir() if p.is_file()) if directory.is_dir() else []

    def remove(self, relative: str) -> None:
        """Delete a file if it exists."""
        if self._fs is not None:
            if self._fs.exists(f"{self._base}/{relative}"):
                self._fs.rm_file(f"{self._base}/{relative}")
            return
        (Path(self.root) / relative).unlink(missing_ok=True)

    def writable(self) -> str:
        """"" when the root can be written to, else why not (one line)."""
        if self._fs is not None:
            return ""
        root = Path(self.root)
        if root.exists() and not root.is_dir():
            return f"{self.root}: exists and is not a directory"
        try:
            root.mkdir(parents=True, exist_ok=True)
            probe = root / ".citecheck-write-probe"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            return f"{self.root}: cannot be written ({error.strerror or error})"
        return ""
