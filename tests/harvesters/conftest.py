"""Recorded HTTP for adapter tests: payloads from ../shared/corpus, no network."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from requests.structures import CaseInsensitiveDict

from harvesters.http import HttpError, Response

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


class RecordedHttp:
    """Answers ``get`` from a dict of URL -> (body bytes, content type).

    A URL with query parameters is looked up with them encoded in the given order;
    an unknown URL is a 404, as a real server would answer.
    """

    def __init__(self, responses: dict[str, tuple[bytes, str]]) -> None:
        self.responses = responses
        self.requested: list[str] = []

    def get(self, url, *, params=None, headers=None, conditional=False):
        full = f"{url}?{urlencode(params)}" if params else url
        self.requested.append(full)
        if full not in self.responses:
            raise HttpError(f"{full}: HTTP 404", full, 404)
        body, content_type = self.responses[full]
        return Response(full, 200, body, CaseInsensitiveDict({"Content-Type": content_type}))


@pytest.fixture
def corpus() -> Path:
    return CORPUS


@pytest.fixture
def recorded_http():
    return RecordedHttp
