"""The code keeps its shape: lint-clean, and the layers import only what they may."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

RUFF = Path(sys.executable).parent / "ruff"


def imports(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved within its package)."""
    package = ".".join(path.relative_to(REPO).parent.parts)
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
    result = subprocess.run([str(RUFF), "check", "--output-format", "concise", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_model_knows_no_files_flask_or_channels():
    used = imports(REPO / "publisher" / "model.py")
    allowed_publisher = {"publisher", "publisher.calendar_zh"}
    assert not {m for m in used if m.startswith("publisher")} - allowed_publisher
    assert not {m for m in used if m.split(".")[0] in {"flask", "jinja2", "sqlalchemy", "publisher_channels", "os", "pathlib"}}


def core_modules() -> list[Path]:
    """Every module of the core: ``publisher`` less the web layer (``admin``) and the command line (``cli``)."""
    return [p for p in (REPO / "publisher").rglob("*.py") if p.relative_to(REPO / "publisher").parts[0] not in ("admin", "cli")]


def test_core_is_free_of_flask_and_werkzeug():
    web = {"flask", "flask_login", "flask_wtf", "werkzeug"}
    for path in core_modules():
        assert not {m for m in imports(path) if m.split(".")[0] in web}, path


def test_channels_depend_on_the_model_and_shared_helpers_only():
    """A channel never imports another channel, loading, the pipeline, config, the admin, the queue or the store."""
    forbidden = (
        "publisher.admin",
        "publisher.jobs",
        "publisher.store",
        "publisher.cli",
        "publisher.importer",
        "publisher.loading",
        "publisher.pipeline",
        "publisher.config",
    )
    packages = [p for p in (REPO / "publisher_channels").iterdir() if (p / "__init__.py").is_file()]
    assert {p.name for p in packages} >= {"rss", "epub", "pdf", "digest"}
    for package in packages:
        for path in package.rglob("*.py"):
            for module in imports(path):
                assert not module.startswith(forbidden), f"{path.relative_to(REPO)} imports {module}"
                if module.startswith("publisher_channels."):
                    assert module.split(".")[1] == package.name, f"{path.relative_to(REPO)} imports another channel: {module}"


def test_command_modules_never_import_the_group():
    """``publisher.cli`` imports every command module; a command module importing it back would be a cycle."""
    for path in (REPO / "publisher" / "cli").glob("*.py"):
        if path.name != "__init__.py":
            assert "publisher.cli" not in imports(path), path.name


def test_no_two_classes_share_a_name():
    seen: dict[str, Path] = {}
    for path in [*(REPO / "publisher").rglob("*.py"), *(REPO / "publisher_channels").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                assert node.name not in seen, (
                    f"class {node.name} in {path.relative_to(REPO)} and {seen[node.name].relative_to(REPO)}"
                )
                seen[node.name] = path
