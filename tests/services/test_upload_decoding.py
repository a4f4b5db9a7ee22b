"""Decoding an uploaded photo in bounded memory (no database: the decode step alone).

Figures for four concurrent uploads through the app: ``bench/bench_uploads.py`` and
docs/benchmarks.md. These tests guard the mechanisms those figures rest on.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from inspect_app.errors import AppError
from inspect_app.services import attachments, image_decoding
from tests.api.uploads import encoded, large_jpeg

ROOT = Path(__file__).resolve().parents[2]


def _file(tmp_path: Path, data: bytes, name: str = "upload.part") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_large_jpeg_is_decoded_at_the_scale_its_served_copy_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[tuple[int, int]] = []
    real = Image.Image.thumbnail

    def spy(image: Image.Image, *args: Any, **kwargs: Any) -> None:
        decoded.append(image.size)  # what was decoded, before it is reduced
        real(image, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "thumbnail", spy)
    served = tmp_path / "served.jpg"
    photo = image_decoding.decode(_file(tmp_path, large_jpeg((6000, 4000))), served)
    assert decoded == [(3000, 2000)]  # a quarter of the pixels (libjpeg's 1/2 scale)
    assert (photo.width, photo.height) == (6000, 4000)
    with Image.open(served) as served:
        assert served.size == (2560, 1707)


def test_a_png_cannot_be_decoded_at_reduced_scale_but_is_reduced_in_place(
    tmp_path: Path,
) -> None:
    data = encoded(Image.linear_gradient("L").resize((4000, 3000)).convert("RGB"), "PNG")
    image_decoding.decode(_file(tmp_path, data), tmp_path / "served.jpg")
    with Image.open(tmp_path / "served.jpg") as served:
        assert served.size == (2560, 1920)


def test_one_decode_at_a_time_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    active, most = 0, 0
    lock = threading.Lock()
    real = Image.Image.load

    threads_used: set[str] = set()

    def counting(image: Image.Image) -> Any:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
            threads_used.add(threading.current_thread().name)
        try:
            time.sleep(0.05)  # long enough for the others to try
            return real(image)
        finally:
            with lock:
                active -= 1

    paths = [
        _file(tmp_path, encoded(Image.new("RGB", (800, 600), c), "JPEG"), f"{c}.part")
        for c in ("red", "green", "blue", "white")
    ]
    monkeypatch.setattr(Image.Image, "load", counting)
    errors: list[BaseException] = []

    def decode(path: Path) -> None:
        try:
            image_decoding.decode(path, path.with_suffix(".jpg"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=decode, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and most == 1
    # all on the one decoding thread: what it frees, the next decode reuses
    assert len(threads_used) == 1 and threads_used.pop().startswith("photo-decode")


def test_a_forked_worker_starts_its_own_decoding_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = image_decoding._decoding_thread()
    assert image_decoding._decoding_thread() is parent
    monkeypatch.setattr(image_decoding.os, "getpid", lambda: -1)  # as after a fork
    assert image_decoding._decoding_thread() is not parent


def test_every_upload_gets_temporary_files_of_its_own(tmp_path: Path) -> None:
    digest = "0" * 64
    with (
        attachments.received(io.BytesIO(b"one"), digest, tmp_path, 100) as first,
        attachments.received(io.BytesIO(b"two"), digest, tmp_path, 100) as second,
    ):
        names = {first.path, first.served, second.path, second.served}
        assert len(names) == 4 and {p.parent for p in names} == {tmp_path / "tmp"}
        assert (first.path.read_bytes(), second.path.read_bytes()) == (b"one", b"two")
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_body_over_the_limit_leaves_no_temporary_file(tmp_path: Path) -> None:
    with (
        pytest.raises(AppError, match="ATTACHMENT_TOO_LARGE"),
        attachments.received(io.BytesIO(b"x" * 101), "0" * 64, tmp_path, 100),
    ):
        pass
    assert list((tmp_path / "tmp").iterdir()) == []


_PEAK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from inspect_app.services import image_decoding

    def hwm():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

    path, served = Path(sys.argv[1]), Path(sys.argv[2]) / "served.jpg"
    image_decoding.decode(path, served)  # warm up: imports, codecs, allocator
    Path("/proc/self/clear_refs").write_text("5")  # forget the peak so far
    before = hwm()
    image_decoding.decode(path, served)
    print(hwm() - before)
    """
)


def test_decoding_a_24_megapixel_jpeg_needs_less_memory_than_its_full_size_pixels(
    tmp_path: Path,
) -> None:
    """Its pixels alone take 96 MB at full size (Pillow keeps RGB as 4 bytes a pixel)."""
    path = _file(tmp_path, large_jpeg((6000, 4000)))
    script = _PEAK.format(root=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    grown_mb = float(done.stdout.strip())
    assert grown_mb < 80, grown_mb
