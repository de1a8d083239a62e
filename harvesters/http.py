"""Safe HTTP for harvesting other people's servers.

(Being written: the contract below is what adapters rely on.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from requests.structures import CaseInsensitiveDict

from harvesters.base import SourceError

__all__ = ["Http", "HttpError", "Response"]


class HttpError(SourceError):
    """A request failed for good (after retries): the message says why, with the URL."""

    def __init__(self, message: str, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


@dataclass(frozen=True)
class Response:
    """A complete, size-checked response body (decompressed)."""

    url: str
    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower case ("" when absent)."""
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        charset = "utf-8"
        for param in self.headers.get("Content-Type", "").split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip('"')
        return self.content.decode(charset, errors="replace")

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError as error:
            raise HttpError(f"{self.url}: not JSON ({error})", self.url, self.status) from None


class Http:
    """Placeholder until the safe client lands."""
