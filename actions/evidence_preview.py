"""A small picture of an image evidence file for the review queue (docs/evidence.md).

Evidence files are untrusted uploads, so the stored bytes are never sent inline. An
image (PNG or JPEG, already checked on upload) is decoded by Pillow within fixed
bounds and drawn again as a new PNG of at most THUMBNAIL_PIXELS a side: what reaches
the browser is pixels we wrote, with no metadata, comments or trailing data from the
upload. Anything else (PDFs, which may carry scripts, Office files) has no preview;
the queue links to the download, which is always an attachment.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

PREVIEWABLE_TYPES = frozenset({"image/png", "image/jpeg"})
THUMBNAIL_PIXELS = 240
# A decoded image costs about 4 bytes a pixel; a photograph of a page is a few
# megapixels. Anything larger gets no preview rather than a web worker's memory.
MAX_SOURCE_PIXELS = 40_000_000


def is_previewable(content_type: str) -> bool:
    return content_type in PREVIEWABLE_TYPES


def thumbnail_png(stream) -> bytes | None:
    """The image redrawn as a PNG thumbnail, or None when it cannot be, safely."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=["PNG", "JPEG"]) as image:
                width, height = image.size
                if width * height > MAX_SOURCE_PIXELS:
                    return None
                # A JPEG is decoded at a fraction of its size when that is enough.
                image.draft("RGB", (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
                image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
                redrawn = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        return None
    out = io.BytesIO()
    redrawn.save(out, format="PNG", optimize=False)
    return out.getvalue()
