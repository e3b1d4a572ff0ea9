"""The shop's static files, served from memory under `/static/` with ETags and caching.

Every file is read once at start-up from a folder (the package's `static/`), so a request can
only ever name one of those files: `..`, encoded dots, absolute paths and symlinks that lead
out of the folder find nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from apps.boutique.frontend.web import Response

PREFIX = "/static/"
CACHE_CONTROL = "public, max-age=3600"
CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}
"""Served suffixes; other files in the folder (e.g. LICENSE) are not served."""


@dataclass(frozen=True, slots=True)
class StaticFile:
    """One file's bytes, content type and strong ETag."""

    data: bytes
    content_type: str
    etag: str


def _not_found() -> Response:
    return Response(status=404, body=b"404 page not found", content_type="text/plain; charset=utf-8")


class StaticFiles:
    """The files under `root` whose suffix is in CONTENT_TYPES, by their `/`-separated name."""

    def __init__(self, root: Path) -> None:
        self.files: dict[str, StaticFile] = {}
        base = root.resolve()
        for path in sorted(root.rglob("*")):
            real = path.resolve()
            if not real.is_file() or not real.is_relative_to(base):
                continue  # a directory, or a symlink that leads out of the folder
            content_type = CONTENT_TYPES.get(path.suffix.lower())
            if content_type is None:
                continue
            data = real.read_bytes()
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            self.files[path.relative_to(root).as_posix()] = StaticFile(data, content_type, etag)

    @classmethod
    def packaged(cls) -> StaticFiles:
        """The frontend package's own `static/` folder."""
        with resources.as_file(resources.files("apps.boutique.frontend") / "static") as root:
            return cls(root)

    def respond(self, path: str, headers: dict[str, str]) -> Response:
        """The response to a GET or HEAD of `path` (which starts with PREFIX)."""
        f = self.files.get(path.removeprefix(PREFIX))
        if f is None:
            return _not_found()
        common = [("etag", f.etag), ("cache-control", CACHE_CONTROL)]
        if _matches(headers.get("if-none-match", ""), f.etag):
            return Response(status=304, content_type=f.content_type, headers=common)
        return Response(body=f.data, content_type=f.content_type, headers=common)


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 says)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))
