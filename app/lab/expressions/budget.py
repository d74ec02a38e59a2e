"""Interrupt pure-Python work (sympy) in the current thread once it runs past a time budget.

sympy offers no cancellation, and a thread cannot be killed, so a timer thread asks CPython to
raise an exception in the working thread (PyThreadState_SetAsyncExc): it surfaces at the next
bytecode boundary, which in sympy's pure-Python algebra is within microseconds. The exception
types derive from BaseException so that sympy's own `except Exception` blocks cannot swallow them.
A process pool would bound the work too, but costs a sympy import (about a second) per worker
start and a pickle round trip per expression; this keeps everything in the request's thread.
"""

import ctypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    # No argtypes on the shared ctypes.pythonapi function (other code may call it): None is
    # passed as NULL, which clears a pending exception.
    payload = None if exc is None else ctypes.py_object(exc)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), payload)


class Expired(BaseException):
    """Raised into a thread whose time budget ran out."""


@contextmanager
def time_limit(seconds: float, expired: type[Expired] = Expired) -> Iterator[None]:
    """Raise `expired` inside the with-block's thread once it has run for `seconds`.

    Also raised when the block finishes late without having been interrupted (the budget is a
    promise about wall time, whatever delayed the interruption).
    """
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"active": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["active"]:
                state["fired"] = True
                _set_async_exc(thread_id, expired)

    started = time.perf_counter()
    timer = threading.Timer(max(seconds, 0.0), fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["active"] = False
            if state["fired"]:
                # fired but not yet delivered: take it back, so it cannot surface later in code
                # that has nothing to do with this budget (NULL clears the pending exception)
                _set_async_exc(thread_id, None)
        timer.cancel()
    if time.perf_counter() - started > seconds:
        raise expired
