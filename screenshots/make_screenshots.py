"""Regenerate the screenshots in this folder from the fixed traces the snapshot
tests use (never from a live run), as SVG, and as PNG where rsvg-convert is
installed (Debian: apt-get install librsvg2-bin).

    .venv/bin/python screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from factory_tui.engine import UI_DEFAULTS, Config  # noqa: E402
from factory_tui.model import RunState  # noqa: E402
from factory_tui.trace import load_trace  # noqa: E402
from factory_tui.ui.app import FactoryApp  # noqa: E402

TRACES = ROOT / "tests" / "traces"


def moment(events, predicate) -> int:
    state = RunState()
    for index, event in enumerate(events, start=1):
        state.apply(event)
        if predicate(state):
            return index
    return len(events)


SHOTS = [
    # name, trace (or None for a fresh app), the moment to show, keys, size
    ("idle", None, None, [], (120, 40)),
    ("blocked-producers", "drain", lambda s: sum(w.state == "blocked" for w in s.producers.values()) >= 2, [],
     (120, 40)),
    ("broken-found", "drain", lambda s: s.phase == "stopping", [], (120, 40)),
    ("finished", "drain", None, [], (120, 40)),
    ("abort-discarded", "abort", None, [], (120, 40)),
    ("prefilled-id-channel", "prefilled", lambda s: s.stopped and s.after_stop >= 10, [], (120, 40)),
    ("32x32-workers", "many", lambda s: s.phase == "stopping", [], (120, 40)),
    ("help", None, None, ["question_mark"], (120, 40)),
    ("insights", "prefilled", None, ["i"], (120, 40)),
    ("80x24", "drain", lambda s: s.phase == "stopping", [], (80, 24)),
]


async def shoot(name, trace, predicate, keys, size) -> Path:
    if trace:
        events = load_trace(TRACES / f"{trace}.jsonl")
        app = FactoryApp(Config.from_dict(events[0]["config"]), trace=events)
    else:
        app = FactoryApp(UI_DEFAULTS)
    async with app.run_test(size=size) as pilot:
        if trace:
            app.seek_to(moment(events, predicate) if predicate else len(events))
            await pilot.pause()
        if keys:
            await pilot.press(*keys)
        await pilot.pause()
        return Path(app.save_screenshot(filename=f"{name}.svg", path=str(HERE)))


def main() -> None:
    converter = shutil.which("rsvg-convert")
    for shot in SHOTS:
        svg = asyncio.run(shoot(*shot))
        print(svg.relative_to(ROOT))
        if converter:
            png = svg.with_suffix(".png")
            subprocess.run([converter, str(svg), "-o", str(png)], check=True)
            print(png.relative_to(ROOT))
    if not converter:
        print("rsvg-convert not found: SVG only (apt-get install librsvg2-bin for PNG)")


if __name__ == "__main__":
    main()
