"""One lock for every call into pdfium (it is not thread-safe): the preview, printing and PDF joining."""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.Lock()
