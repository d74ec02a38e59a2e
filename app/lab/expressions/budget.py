"""Interrupt pure-Python work (sympy) in the current thread once it runs past a time budget.

sympy offers no cancellation, and a thread cannot be killed, so a timer thread asks CPython to
raise an exception in the working thread (PyThreadState_SetAsyncExc): it surfaces at the next
bytecode boundary, which in sympy's pure-Python algebra is within microseconds. The exception
types derive from BaseException so that sympy's own `except Exception` blocks cannot swallow them.
A process pool would bound the work too, but costs a sympy import (about a second) per worker
start and a pickle round trip per expression; this keeps everything in the request's thread.
"""

import ctypes
import gc
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


# The exception lands in whatever Python code the thread runs next. If that is a gc callback
# or a finaliser, Python reports it as "ignored" and the work goes on; so collection is paused
# while a budget runs (the counter keeps overlapping budgets in threads from re-enabling it
# early), and a fired timer fires again every RETRY_S until the block has really stopped.
RETRY_S = 0.01
_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


def _pause_gc() -> None:
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1


def _resume_gc() -> None:
    global _gc_pauses
    with _gc_lock:
        _gc_pauses -= 1
        if _gc_pauses == 0 and _gc_was_enabled:
            gc.enable()


@contextmanager
def time_limit(seconds: float, expired: type[Expired] = Expired) -> Iterator[None]:
    """Raise `expired` inside the with-block's thread once it has run for `seconds`.

    Also raised when the block finishes late without having been interrupted (the budget is a
    promise about wall time, whatever delayed the interruption).
    """
    thread_id = threading.get_ident()
    lock = threading.Lock()
    active = threading.Event()
    active.set()

    def fire() -> None:
        while True:
            with lock:
                if not active.is_set():
                    return
                _set_async_exc(thread_id, expired)
            time.sleep(RETRY_S)

    started = time.perf_counter()
    timer = threading.Timer(max(seconds, 0.0), fire)
    timer.daemon = True
    _pause_gc()
    timer.start()
    try:
        yield
    finally:
        with lock:
            active.clear()
            # fired but not yet delivered: take it back, so it cannot surface later in code
            # that has nothing to do with this budget (NULL clears the pending exception)
            _set_async_exc(thread_id, None)
        timer.cancel()
        _resume_gc()
    if time.perf_counter() - started > seconds:
        raise expired
