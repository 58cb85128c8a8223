"""Waits until an X screen shows a painted window that has settled, then saves it as PNG.

Usage: python first_window.py OUT.png [TIMEOUT_S]   (DISPLAY names the screen)

Runs with the project's own virtualenv (PySide6), as one more X client that maps no
window: it grabs the root window every half second. "Painted" is a screen that is no
longer blank; "settled" is the same picture for SETTLE_S seconds in a row (the window,
then the registry opened and the sign-in dialog on top), or SETTLE_MAX_S after the first
paint. Exit 0 with the file written, 1 when nothing was painted in time.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtGui import QGuiApplication, QImage

POLL_S = 0.5
SETTLE_S = 3.0
SETTLE_MAX_S = 60.0
MAX_CHANGED_SAMPLES = 16


def grab(app: QGuiApplication) -> QImage:
    screen = app.primaryScreen()
    return screen.grabWindow(0).toImage()


def samples(image: QImage) -> list[int]:
    """The screen's pixels on a 128 x 128 grid."""
    step_x, step_y = max(1, image.width() // 128), max(1, image.height() // 128)
    return [
        image.pixel(x, y)
        for x in range(0, image.width(), step_x)
        for y in range(0, image.height(), step_y)
    ]


def same(one: list[int], other: list[int]) -> bool:
    """The same picture but for a few points: a text cursor blinks in the sign-in dialog."""
    return sum(a != b for a, b in zip(one, other, strict=True)) <= MAX_CHANGED_SAMPLES


def blank(image: QImage) -> bool:
    """One colour all over (Xvfb's empty root), sampled on a grid."""
    first = image.pixel(0, 0)
    step_x, step_y = max(1, image.width() // 64), max(1, image.height() // 64)
    return all(
        image.pixel(x, y) == first
        for x in range(0, image.width(), step_x)
        for y in range(0, image.height(), step_y)
    )


def main() -> int:
    out = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0
    app = QGuiApplication([*sys.argv[:1], "-platform", "xcb"])
    deadline = time.monotonic() + timeout
    first_paint: float | None = None
    previous: list[int] | None = None
    image: QImage | None = None
    same_since = 0.0
    while time.monotonic() < deadline:
        image = grab(app)
        now = time.monotonic()
        if not blank(image):
            if first_paint is None:
                first_paint = now
                print("first_window: the screen shows a window", flush=True)
            points = samples(image)
            if previous is None or not same(points, previous):
                previous, same_since = points, now
            elif now - same_since >= SETTLE_S or now - first_paint >= SETTLE_MAX_S:
                image.save(out)
                print(
                    f"first_window: saved {out} ({now - first_paint:.1f} s after the first paint)",
                    flush=True,
                )
                return 0
        time.sleep(POLL_S)
    if image is not None:
        image.save(out)
    print("first_window: nothing settled on the screen in time", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
