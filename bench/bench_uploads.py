"""Photo uploads: a worker's peak memory with four large uploads at once, against a floor.

    python bench/bench_uploads.py [--postgres] [--cases floor,jpeg24,...]

Each case runs in a fresh child process (a process's peak memory only ever grows): it builds
a migrated throw-away database (SQLite file, or a PostgreSQL database on 127.0.0.1:5432 with
--postgres), signs an inspector in, pushes one inspection that references the case's four
photos, uploads one small photo to warm up, resets the peak (Linux ``clear_refs``), and then
PUTs the four photos from four threads at the same moment through the test client (bodies
streamed from files, as from a socket). Peak is ``VmHWM``.

* floor: four 1600 × 1200 JPEGs (what the field app sends) — the same run's baseline;
* the other cases: four camera-sized photos each; the ratio is their peak over the floor's.
* ``-nogate`` / ``-nodraft`` variants decode in each request's own thread instead of the one
  decoding thread, or switch off the reduced-scale JPEG decode, to show what each buys.

Also reported: how long each database transaction of the uploads lasted (on SQLite: the
write lock). Not a test: numbers go to docs/benchmarks.md with the machine they came from.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: case → (pixels, format, save options); four distinct photos each.
CASES: dict[str, tuple[tuple[int, int], str, dict[str, Any]]] = {
    "floor": ((1600, 1200), "JPEG", {"quality": 85}),
    "jpeg24": ((6000, 4000), "JPEG", {"quality": 85}),
    "jpeg24-progressive": ((6000, 4000), "JPEG", {"quality": 85, "progressive": True}),
    "jpeg24-444-progressive": (
        (6000, 4000),
        "JPEG",
        {"quality": 85, "progressive": True, "subsampling": 0},
    ),
    "png24-rgba": ((6000, 4000), "PNG", {}),
    "webp16": ((4800, 3200), "WEBP", {"quality": 70}),
    "jpeg24-nogate": ((6000, 4000), "JPEG", {"quality": 85}),
    "jpeg24-nodraft": ((6000, 4000), "JPEG", {"quality": 85}),
    "png24-rgba-nogate": ((6000, 4000), "PNG", {}),
}


def _make_photos(case: str, directory: Path) -> list[Path]:
    from PIL import Image, ImageDraw

    size, fmt, options = CASES[case]
    paths = []
    for n in range(4):
        if fmt == "PNG":  # a flat picture: small file, full decoding cost
            gradient = Image.linear_gradient("L").resize(size)
            image = Image.merge("RGBA", (gradient, gradient, gradient.rotate(90), gradient))
        else:  # photo-like noise: a camera-sized file
            w, h = size
            base = Image.effect_noise((w // 8, h // 8), 60).convert("RGB").resize(size)
            image = Image.blend(base, Image.effect_noise(size, 25).convert("RGB"), 0.3)
        ImageDraw.Draw(image).rectangle((n * 10, 0, n * 10 + 5, 5), fill="red")  # distinct
        path = directory / f"{case}-{n}.{fmt.lower()}"
        image.save(path, format=fmt, **options)
        paths.append(path)
    return paths


def _rss_mb() -> float:
    """Peak resident memory of this process so far, MB. Linux's VmHWM, not ``ru_maxrss``:
    the latter survives ``exec`` and would start the child at the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> float:
    """Forget the set-up's peak (Linux: ``clear_refs`` 5 resets VmHWM to the current RSS), so
    the peak measured next is the uploads'; returns the resident memory now, MB."""
    with contextlib.suppress(OSError):  # elsewhere the set-up's peak stays in the figure
        Path("/proc/self/clear_refs").write_text("5")
    return _rss_mb()


def _child(case: str, photos: list[Path], postgres: bool) -> dict[str, Any]:
    """Runs in its own process: set up, warm up, measure four uploads at once."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from bench.bench_sync import _database
    from inspect_app import create_app
    from inspect_app.extensions import db
    from inspect_app.models import Region, User
    from inspect_app.models.instrument import InstrumentKind
    from inspect_app.models.place import MerchantKind
    from inspect_app.models.user import Role
    from inspect_app.services import accounts, image_decoding, reference
    from tests.payloads import item, scale_answers

    if case.endswith("-nogate"):  # decode in each request's own thread, all at once
        image_decoding.decode = image_decoding._decode_now
    if case.endswith("-nodraft"):
        from PIL import JpegImagePlugin

        JpegImagePlugin.JpegImageFile.draft = lambda self, mode, size: None  # type: ignore[method-assign]

    shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in photos]
    with tempfile.TemporaryDirectory() as tmp:
        uri, drop = _database(postgres, Path(tmp))
        app = create_app(
            {
                "SECRET_KEY": "bench-secret-key-0123",
                "AUDIT_KEY": "bench-audit-key-0123",
                "SQLALCHEMY_DATABASE_URI": uri,
                "ATTACHMENTS_DIR": str(Path(tmp) / "att"),
            }
        )
        held: list[float] = []
        try:
            with app.app_context():
                upgrade()
                region = Region(code="B", name_zh="区", name_en="Region")
                db.session.add(region)
                db.session.flush()
                merchant = reference.add_merchant(
                    None, region_id=region.id, kind=MerchantKind.STALL, name="摊位"
                )
                scale = reference.add_instrument(
                    None,
                    merchant,
                    code="NM-B-1",
                    kind=InstrumentKind.PRICE_COMPUTING_SCALE,
                    accuracy_class="III",
                    max_capacity=15000,
                    min_capacity=40,
                    e_value=5,
                    d_value=5,
                )
                db.session.add(
                    User(
                        username="bench",
                        display_name="bench",
                        role=Role.INSPECTOR,
                        region_id=region.id,
                        password_hash=accounts.hash_password("bench-pw"),
                    )
                )
                db.session.commit()
                merchant_id, scale_code = merchant.id, scale.code
                engine = db.engine

            client = app.test_client()
            token = client.post(
                "/api/v1/auth/token",
                json={"username": "bench", "password": "bench-pw", "device_name": "bench"},
            ).get_json()["token"]
            headers = {"Authorization": f"Bearer {token}"}

            from PIL import Image

            warm = Path(tmp) / "warm.jpg"
            Image.new("RGB", (320, 240), "red").save(warm, "JPEG")
            warm_sha = hashlib.sha256(warm.read_bytes()).hexdigest()
            answers = scale_answers(merchant_id, scale_code, nameplate_photo=shas[0])
            pushed = client.post(
                "/api/v1/sync/push",
                json={
                    "inspections": [item("bazaar_scale", answers, attachments=[*shas, warm_sha])]
                },
                headers=headers,
            )
            assert pushed.status_code == 200, pushed.get_json()

            def put(path: Path, digest: str) -> int:
                with path.open("rb") as body:
                    response = client.put(
                        f"/api/v1/attachments/{digest}",
                        input_stream=body,
                        headers=headers | {"Content-Type": "image/jpeg"},
                    )
                return response.status_code

            assert put(warm, warm_sha) == 201

            begun: dict[int, float] = {}

            def on_begin(conn: Any) -> None:
                begun[threading.get_ident()] = time.perf_counter()

            def on_end(conn: Any) -> None:
                start = begun.pop(threading.get_ident(), None)
                if start is not None:
                    held.append(time.perf_counter() - start)

            sa.event.listen(engine, "begin", on_begin)
            sa.event.listen(engine, "commit", on_end)
            sa.event.listen(engine, "rollback", on_end)

            floor_rss = _reset_peak()
            barrier = threading.Barrier(4)
            statuses: list[int] = []

            def tablet(path: Path, digest: str) -> None:
                barrier.wait()
                statuses.append(put(path, digest))

            threads = [
                threading.Thread(target=tablet, args=(p, s))
                for p, s in zip(photos, shas, strict=True)
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - start
            with app.app_context():
                db.engine.dispose()
        finally:
            drop()
    return {
        "case": case,
        "statuses": sorted(statuses),
        "before_mb": floor_rss,
        "peak_mb": _rss_mb(),
        "seconds": seconds,
        "held_ms": sorted(round(h * 1000, 1) for h in held),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--photos", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = _child(args.child, [Path(p) for p in args.photos], args.postgres)
        print(json.dumps(result))
        return

    cases = args.cases.split(",")
    if "floor" not in cases:
        cases.insert(0, "floor")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            photos = _make_photos(case, Path(tmp))
            command = [sys.executable, __file__, "--child", case, "--photos", *map(str, photos)]
            if args.postgres:
                command.append("--postgres")
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                raise SystemExit(f"case {case} failed")
            results[case] = json.loads(done.stdout.strip().splitlines()[-1])
            for photo in photos:
                photo.unlink()

    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"engine: {engine}; four uploads at once per case, each case in a fresh process")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}"
    )
    floor = results["floor"]["peak_mb"]
    print(
        f"{'case':26} {'pixels':>18} {'before':>7} {'peak':>7} {'x floor':>8} "
        f"{'+MB':>6} {'seconds':>8}  each transaction, ms; statuses"
    )
    for case in cases:
        r = results[case]
        size, _fmt, _options = CASES[case]
        print(
            f"{case:26} {size[0]}x{size[1]:<13} {r['before_mb']:7.0f} {r['peak_mb']:7.0f} "
            f"{r['peak_mb'] / floor:8.2f} {r['peak_mb'] - r['before_mb']:6.0f} "
            f"{r['seconds']:8.2f}  {r['held_ms']}  {r['statuses']}"
        )


if __name__ == "__main__":
    main()
