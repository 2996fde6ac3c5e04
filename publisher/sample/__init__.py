"""The sample issue shipped with publisher (中国铝业报 No. 1330), so a fresh site has something to build."""

from __future__ import annotations

import shutil
from pathlib import Path

#: A content folder: ``issues/2025-04-19-1330/``.
CONTENT = Path(__file__).resolve().parent


def copy_into(content_dir: Path) -> list[str]:
    """Copy the sample issues into ``content_dir`` (only those it lacks); the ids copied."""
    copied = []
    for source in sorted((CONTENT / "issues").iterdir()):
        target = content_dir / "issues" / source.name
        if source.is_dir() and not target.exists():
            shutil.copytree(source, target)
            copied.append(source.name)
    return copied
