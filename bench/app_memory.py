"""The app's peak memory and time to first page: python bench/app_memory.py DATASET

Starts `streamlit run app.py` on DATASET, opens each page's default view in headless
Chromium (Python Playwright, Debian's chromium) and prints the time from launch to the
first page drawn and the server's peak RSS (VmHWM) after every page.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("service_level", "handle_time", "staffing", "complaints", "monthly_review")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def vmhwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def drawn(page):
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=180_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=180_000)


def main(dataset: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CALLCENTER_DATASET": str(Path(dataset).resolve())}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            while True:  # the server answers before it runs the app script (on the first visit)
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.05)
            t_health = time.perf_counter() - t0
            while True:
                try:
                    page.goto(f"{url}/{PAGES[0]}", wait_until="domcontentloaded", timeout=2000)
                    break
                except Exception:
                    time.sleep(0.1)
            drawn(page)
            print(
                f"launch -> server answering: {t_health:.2f} s; -> first page drawn: {time.perf_counter() - t0:.2f} s; "
                f"peak RSS {vmhwm_mb(proc.pid):.0f} MB"
            )
            for name in PAGES:
                t = time.perf_counter()
                page.goto(f"{url}/{name}", wait_until="domcontentloaded")
                drawn(page)
                print(f"{name}: drawn in {time.perf_counter() - t:.2f} s; server peak RSS {vmhwm_mb(proc.pid):.0f} MB")
        finally:
            browser.close()
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main(sys.argv[1])
