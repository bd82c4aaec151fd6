"""``python -m analytics demo``: generate the demo dataset into a folder."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("demo", help="generate the synthetic demo dataset")
    p.add_argument("--out", required=True, type=Path, help="dataset folder to create")
    p.add_argument("--scale", default="default", choices=("small", "default", "large"))
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=run)


@contextlib.contextmanager
def generation_lock(out: Path):
    """An exclusive file lock beside the dataset folder (``.<name>.generating.lock``), held
    while the demo is generated: two first visitors (two sessions, two processes, even two
    app servers on one disk) never generate into the same folder at once; the second waits
    and then finds the dataset there."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out.parent / f".{out.name}.generating.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def ensure_demo(out: Path, scale: str = "default", seed: int = 7, progress=None) -> dict | None:
    """Generate the demo into ``out`` unless a dataset is there (or appears while we wait for
    another generator); returns the new dataset's info, or None when it existed already."""
    from analytics import lake

    with generation_lock(out):
        if lake.has_dataset(out):
            return None
        if Path(out).is_dir() and any(Path(out).iterdir()):
            raise FileExistsError(f"{out} holds files but no dataset; choose an empty folder")
        return _build_demo(Path(out), scale, seed, progress)


def build_demo(out: Path, scale: str = "default", seed: int = 7, progress=None) -> dict:
    """Generate and load the demo dataset; returns what dataset.json records."""
    from analytics import lake

    with generation_lock(out):
        if lake.has_dataset(out):
            raise FileExistsError(f"{out} already holds a dataset; choose an empty folder")
        return _build_demo(Path(out), scale, seed, progress)


def _build_demo(out: Path, scale: str, seed: int, progress) -> dict:
    from analytics import lake
    from analytics.demo import generate
    from analytics.ingest import ingest_frames

    if scale == "large":
        from analytics.demo.large import build_large

        info = build_large(out, seed=seed, progress=progress)
        lake.write_dataset_info(out, info)
        return info
    t0 = time.perf_counter()

    def gen_progress(f, msg):
        if progress:
            progress(0.75 * f, msg)

    frames = generate(scale, seed=seed, progress=gen_progress)
    t1 = time.perf_counter()

    def load_progress(f, msg):
        if progress:
            progress(0.75 + 0.25 * f, msg)

    ingest_frames(out, frames, source=f"demo(scale={scale}, seed={seed})", progress=load_progress)
    info = {
        "kind": "demo",
        "scale": scale,
        "seed": seed,
        "rows": {k: int(len(v)) for k, v in frames.items()},
        "generate_s": round(t1 - t0, 1),
        "load_s": round(time.perf_counter() - t1, 1),
    }
    lake.write_dataset_info(out, info)
    return info


def run(args) -> int:
    from tqdm import tqdm

    bar = tqdm(total=100, unit="%", desc="demo", file=sys.stderr)

    def progress(f, msg):
        bar.set_postfix_str(msg[:40])
        bar.update(max(0, round(f * 100) - bar.n))

    try:
        info = build_demo(args.out, args.scale, args.seed, progress)
    except (FileExistsError, ValueError) as e:
        bar.close()
        print(f"error: {e}", file=sys.stderr)
        return 2
    bar.close()
    rows = ", ".join(f"{k} {v:,}" for k, v in info["rows"].items())
    print(
        f"demo dataset written to {args.out} in {info['generate_s'] + info['load_s']:.1f} s "
        f"(generate {info['generate_s']} s, load {info['load_s']} s): {rows}"
    )
    return 0
