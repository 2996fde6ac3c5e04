"""Atomic file output: nothing half-written is ever visible under its final name."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

#: The timestamp every deterministic archive entry carries (zip cannot go earlier than 1980).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync it, then ``os.replace`` it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; published files must be readable by a web server
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, data: str) -> None:
    write_bytes(path, data.encode("utf-8"))


def replace_dir(staged: Path, final: Path) -> None:
    """Move the finished folder ``staged`` to ``final``, replacing any older one in two renames."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(staged, 0o755)  # mkdtemp makes 0700
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, old)
    os.replace(staged, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def deterministic_zip(entries: list[tuple[str, bytes, bool]]) -> bytes:
    """A zip whose bytes depend only on ``entries`` (name, data, compress) in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, compress in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data)
    return buffer.getvalue()
