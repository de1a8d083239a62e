"""Request sizes and shapes refused before any work.

A 1 MB anonymous ``q`` held a web thread for seconds, 10,000 repeated parameters
rendered a 1 GB search page, JSON nested 1,000 deep or holding a lone surrogate
("\\ud800") and a list where an id belongs reached the database and answered 500.
One ``before_request`` hook bounds every request as it arrives: its body, its
query string and, for the Action API, the data the action will be given. What is
a valid value of a field is the schema's business (``logic/validators.py``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.views.api import _get_request_data
from flask import Flask, make_response, request
from werkzeug.exceptions import HTTPException

from ckanext.wepulse.logic.validators import quoted_briefly  # one way to quote a value briefly

__all__ = ["install", "refuse_malformed_request"]

MB = 1024 * 1024
# JSON strings (whose brackets do not nest) and the brackets that do.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def install(app: Flask) -> None:
    """Bound what Werkzeug reads for anyone (CSRF's form parsing runs before our
    hook) by the largest upload, then refine per request in the hook."""
    app.config["MAX_CONTENT_LENGTH"] = _upload_limit()
    app.before_request(refuse_malformed_request)


def refuse_malformed_request() -> Any:
    try:
        _check_body_size()
        _check_query_string()
        if request.endpoint == "api.action":
            _check_api_data(request.view_args.get("logic_function", ""))
    except _Refused as refused:
        return refused.response()
    return None


class _Refused(Exception):
    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field

    def response(self) -> Any:
        if request.blueprint != "api":
            # Not CKAN's error page: it would link the whole request back, per language.
            return make_response(
                self.message, self.status, {"Content-Type": "text/plain; charset=utf-8"}
            )
        if self.field:
            error = {"__type": "Validation Error", self.field: [self.message]}
        else:
            error = {"__type": "Bad Request", "message": self.message}
        return make_response(
            json.dumps({"success": False, "error": error}),
            self.status,
            {"Content-Type": "application/json;charset=utf-8"},
        )


def _upload_limit() -> int:
    """Files (resources, images) come as multipart forms, with a few fields."""
    largest_file = max(
        tk.config.get("ckan.max_resource_size"), tk.config.get("ckan.max_image_size")
    )
    return largest_file * MB + tk.config.get("ckanext.wepulse.limits.max_body_size")


def _check_body_size() -> None:
    if request.mimetype == "multipart/form-data":
        limit = _upload_limit()
    else:
        limit = tk.config.get("ckanext.wepulse.limits.max_body_size")
    # Werkzeug stops reading a body there, chunked ones too.
    request.max_content_length = limit + 1
    if request.content_length is None and request.environ.get("wsgi.input_terminated"):
        size = len(request.get_data(cache=True))  # chunked: its size is known once read
    else:
        size = request.content_length or 0
    if size > limit:
        raise _Refused(
            413,
            tk._("The request is too large: at most {limit} MB are accepted.").format(
                limit=f"{limit / MB:.3g}"
            ),
        )


def _check_query_string() -> None:
    args = list(request.args.items(multi=True))
    max_params = tk.config.get("ckanext.wepulse.limits.max_params")
    if len(args) > max_params:
        raise _Refused(
            400,
            tk._("Too many parameters: at most {max} are accepted.").format(max=max_params),
        )
    for name, value in args:
        _check_length(name, value)


def _check_length(name: str, value: Any) -> None:
    max_length = tk.config.get("ckanext.wepulse.limits.max_param_length")
    if isinstance(value, str) and len(value) > max_length or len(name) > max_length:
        raise _Refused(
            400,
            tk._("The parameter {name} is too long: at most {max} characters are accepted.").format(
                name=name[:100], max=max_length
            ),
            field=name[:100],
        )


def _check_api_data(action: str) -> None:
    # The text CKAN will parse as JSON: the body, or a form's only key.
    if request.mimetype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        _check_json_depth(request.get_data(cache=True))
    elif len(request.form) == 1:
        _check_json_depth(next(iter(request.form)).encode())
    try:
        function = tk.get_action(action)
        # Exactly what the action will be given (CKAN caches the parsing).
        data = _get_request_data(try_url_params=getattr(function, "side_effect_free", False))
    except (KeyError, ValueError, HTTPException):
        return  # unknown action or not a JSON object: the API answers 400 itself
    if not isinstance(data, dict):
        return
    _check_unicode(data)
    for name, value in data.items():
        # An id goes straight into SQL: a list or a dict there is a 500.
        if (name in ("id", "name_or_id") or name.endswith("_id")) and not (
            value is None or isinstance(value, str)
        ):
            raise _Refused(
                400,
                tk._("{name} must be one id or name, as text, got {value}").format(
                    name=name, value=quoted_briefly(value)
                ),
                field=name,
            )
        # A read's parameters are bounded as in the query string, however sent.
        if getattr(function, "side_effect_free", False):
            _check_length(name, value)


def _check_json_depth(body: bytes) -> None:
    max_depth = tk.config.get("ckanext.wepulse.limits.max_json_depth")
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return  # the common case, without scanning
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        depth += 1 if bracket[0] in b"[{" else -1
        if depth > max_depth:
            raise _Refused(
                400,
                tk._("The JSON is nested too deeply: at most {max} levels are accepted.").format(
                    max=max_depth
                ),
            )


def _check_unicode(data: dict[str, Any]) -> None:
    """JSON may escape half of a UTF-16 pair ("\\ud800"): Python keeps it, and
    PostgreSQL and Solr cannot store it."""
    try:
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        path = _surrogate_path(data)
        raise _Refused(
            400,
            tk._("{name} is not valid text: it holds a lone surrogate (such as \\ud800).").format(
                name=path
            ),
            field=path,
        ) from None


def _surrogate_path(value: Any, path: str = "") -> str:
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        here = f"{path}.{key}" if path else str(key)
        if not _encodable(str(key)) or isinstance(item, str) and not _encodable(item):
            return here.encode("utf-8", "backslashreplace").decode()[:100]
        if isinstance(item, (dict, list)):
            found = _surrogate_path(item, here)
            if found:
                return found
    return ""


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
