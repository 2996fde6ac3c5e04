"""The code keeps its shape: lint-clean, and the layers import only what they may."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from publisher.config import PROJECT_ROOT

RUFF = Path(sys.executable).parent / "ruff"


def imports(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved within its package)."""
    package = "publisher_channels" if path.parent.name == "channels" else ".".join(path.relative_to(PROJECT_ROOT).parent.parts)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = f"{package}.{base}".rstrip(".")
                names.update(f"{base}.{alias.name}" for alias in node.names)
            names.add(base)
    return names


def test_ruff_is_clean():
    result = subprocess.run([str(RUFF), "check", "--output-format", "concise", "."], cwd=PROJECT_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_model_knows_no_files_flask_or_channels():
    used = imports(PROJECT_ROOT / "publisher" / "model.py")
    allowed_publisher = {"publisher", "publisher.calendar_zh"}
    assert not {m for m in used if m.startswith("publisher")} - allowed_publisher
    assert not {m for m in used if m.split(".")[0] in {"flask", "jinja2", "sqlalchemy", "publisher_channels", "os", "pathlib"}}


def test_core_is_free_of_flask():
    for path in (PROJECT_ROOT / "publisher").glob("*.py"):
        assert not {m for m in imports(path) if m.split(".")[0] in {"flask", "flask_login", "flask_wtf"}}, path.name


def test_channels_depend_on_the_model_and_shared_helpers_only():
    """A channel never imports another channel, the admin, the queue or the store; pdf_* helpers belong to pdf."""
    forbidden = ("publisher.admin", "publisher.jobs", "publisher.store", "publisher.cli", "publisher.importer")
    modules = [p for p in (PROJECT_ROOT / "channels").glob("*.py") if p.name != "__init__.py"]
    assert {p.stem for p in modules} >= {"rss", "epub", "pdf", "digest"}
    for path in modules:
        family = path.stem.split("_")[0]
        for module in imports(path):
            assert not module.startswith(forbidden), f"{path.name} imports {module}"
            if module.startswith("publisher_channels."):
                other = module.split(".")[1].split("_")[0]
                assert other == family, f"{path.name} imports another channel: {module}"
