"""An adapter's reading of its source in a child process with a memory limit.

One hostile or broken source can make a parser allocate without bound, and
pyoxigraph aborts the whole process when an allocation fails (SIGABRT, not a Python
exception), which in the shared harvest worker would kill every job. So
``records_within`` runs ``adapter.records()`` (download and parse) in a forked child
that limits its own address space (``RLIMIT_AS``) to what it had plus ``max_mb``.
Records come back through a pipe as they are read, and the parent maps and writes
them meanwhile; the pipe's buffer keeps the child from running far ahead. A
``MemoryError`` in the child, or the child aborted or killed, ends that harvest with
``MemoryLimitExceeded``; the worker lives on.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
from collections.abc import Iterator
from typing import Any

from harvesters.base import Adapter, Record, RecordError, SourceError

__all__ = ["MemoryLimitExceeded", "records_within"]


class MemoryLimitExceeded(SourceError):
    """The source's reading went past its memory limit, and was stopped."""

    def __init__(self, max_mb: int, detail: str) -> None:
        super().__init__(f"the harvest used more than {max_mb} MB of memory ({detail})")
        self.max_mb, self.detail = max_mb, detail


def records_within(
    adapter: Adapter, max_mb: int, memory: dict[str, Any] | None = None
) -> Iterator[Record | RecordError]:
    """``adapter.records()``, read in a child process using at most ``max_mb`` MB more
    than this one (0: no limit, read here). The adapter's ``memory`` (what it updates
    in place for the next harvest) is brought back into ``memory``, in place, when the
    child ends, with its last error, re-raised here."""
    if not max_mb:
        yield from adapter.records()
        return
    # fork: the child starts with the adapter as it is, nothing pickled or imported.
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_read, args=(adapter, max_mb, memory, sender))
    child.start()
    sender.close()
    end = None
    try:
        while end is None:
            try:
                kind, value = receiver.recv()
            except EOFError:  # the child died without a word
                break
            if kind == "record":
                yield value
            else:
                end = value
    finally:
        receiver.close()
        if end is None and child.is_alive():  # the caller stopped reading
            child.kill()
        child.join()
    if end is None:
        raise _died(child.exitcode, max_mb)
    child_memory, error = end
    if memory is not None:
        _bring_back(memory, child_memory)
    if error is not None:
        kind, args, attributes = error
        # Rebuilt as pickle would, but without calling __init__ with args alone,
        # which exceptions with arguments of their own (HttpError's url…) refuse.
        raise _rebuilt(kind, args, attributes)


def _read(adapter: Adapter, max_mb: int, memory: dict[str, Any] | None, sender) -> None:
    """The child: read the source under the limit, send each record, then the end."""
    _limit_address_space(max_mb)
    error = None
    try:
        for item in adapter.records():
            sender.send(("record", item))
    except MemoryError:
        error = MemoryLimitExceeded(max_mb, "MemoryError while reading the source")
    except BaseException as raised:  # re-raised in the parent, as if read there
        error = raised.with_traceback(None)  # frees the frames and what they hold
    portable = (type(error), error.args, vars(error)) if error is not None else None
    try:
        sender.send(("end", (memory, portable)))
    except Exception:  # an error holding what cannot be pickled: its description then
        kind = SourceError if isinstance(error, SourceError) else RuntimeError
        sender.send(("end", (memory, (kind, (str(error) or repr(error),), {}))))


def _bring_back(memory: dict[str, Any], child_memory: dict[str, Any]) -> None:
    """``memory`` made what the child left, in place at every level: the adapter (and
    its HTTP client) hold the nested dicts, and go on using them after the reading."""
    for key in memory.keys() - child_memory.keys():
        del memory[key]
    for key, value in child_memory.items():
        if isinstance(value, dict) and isinstance(memory.get(key), dict):
            _bring_back(memory[key], value)
        else:
            memory[key] = value


def _rebuilt(kind: type[BaseException], args: tuple, attributes: dict) -> BaseException:
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(attributes)
    return error


def _limit_address_space(max_mb: int) -> None:
    with open("/proc/self/statm") as statm:  # the first field: pages of address space
        current = int(statm.read().split()[0]) * resource.getpagesize()
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + max_mb * 2**20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _died(exitcode: int | None, max_mb: int) -> SourceError:
    if exitcode is not None and exitcode < 0:
        # A failed allocation in Rust or C aborts; the kernel's OOM killer kills.
        name = signal.Signals(-exitcode).name
        return MemoryLimitExceeded(max_mb, f"the process reading the source ended by {name}")
    return SourceError(f"the process reading the source ended with exit code {exitcode}")
