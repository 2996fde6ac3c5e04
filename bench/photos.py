"""Time the photo fixture made camera-sized (six 4000 px JPEGs) through every channel, cold and warm cache.

    .venv/bin/python bench/photos.py

The first build makes every size (the image cache is empty); the second build of the same
output folder only reads them back. Prints seconds per channel and what each channel wrote.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publisher import loading, pipeline, plugins  # noqa: E402
from tests.conftest import make_config, root  # noqa: E402
from tests.test_photos import IMAGES, ISSUE, camera_jpeg  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "photos"
        shutil.copytree(root("photos"), content)
        started = time.perf_counter()
        for path in sorted(IMAGES.glob("*.jpg")):
            camera_jpeg(path, content / "issues" / ISSUE / "images" / path.name, 6 if path.name == "astronaut.jpg" else 1)
        originals = sum(p.stat().st_size for p in (content / "issues" / ISSUE / "images").glob("*.jpg"))
        print(f"six camera JPEGs made in {time.perf_counter() - started:.1f} s, {originals / 1e6:.1f} MB")
        config = make_config(content, Path(tmp))
        issue = loading.load_issue(loading.issue_dir(content, ISSUE))
        for label in ("cold cache", "warm cache"):
            report = pipeline.build(issue, list(plugins.usable().values()), config)
            assert report.ok, report.errors
            for result in report.results:
                size = sum(f.bytes for f in result.files)
                print(
                    f"{label:10}  {result.channel:6} {result.seconds:6.2f} s  {len(result.files):3} files  {size / 1e6:6.2f} MB"
                )


if __name__ == "__main__":
    main()
