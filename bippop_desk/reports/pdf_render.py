"""PDF pages as raw RGB pixels (pypdfium2), for the app's preview and its print dialog.

No Qt here: the UI wraps the pixels in QImages. Rendering may run on any thread.
"""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium


@dataclass(frozen=True)
class PagePixels:
    width: int
    height: int
    stride: int
    rgb: bytes  # 3 bytes per pixel, rows of `stride` bytes


def render_pages(
    pdf: bytes, dpi: float, first: int = 0, count: int | None = None
) -> list[PagePixels]:
    """Pages `first`..`first+count-1` of `pdf` rendered at `dpi` (all pages by default)."""
    document = pdfium.PdfDocument(pdf)
    try:
        last = len(document) if count is None else min(len(document), first + count)
        pages: list[PagePixels] = []
        for number in range(first, last):
            page = document[number]
            bitmap = page.render(scale=dpi / 72, rev_byteorder=True)  # RGB, not BGR
            pages.append(
                PagePixels(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
            )
            bitmap.close()
            page.close()
        return pages
    finally:
        document.close()
