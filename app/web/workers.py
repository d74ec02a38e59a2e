"""A bounded pool of worker processes for trainings, sweeps and gradient flow, with admission.

Why processes: numpy's small matrix products hold the GIL between calls, so a training in a
request thread slows every page and curve of the same process (the uncached curve p99 went from
2 ms to 26-43 ms while 4 trainings ran). Here each job runs in a worker process of its own,
started from multiprocessing's "forkserver" (a clean single-threaded process that has imported
the numpy code once, so no lock of ours is ever forked and a new worker starts in milliseconds).

Admission, on the event loop: at most `train_workers` jobs run and `train_queue` wait; the next
request is refused at once with 503 and Retry-After (`Busy`). A request's deadline is its arrival
plus the time limit: the worker stops itself between epochs (Control), and the parent kills it at
the deadline plus KILL_GRACE_S whatever it is doing (inside a long epoch), so no answer comes
later than the limit plus one second. A cancelled job (a stream's client went away) kills its
worker too. A worker is replaced after `train_worker_max_jobs` jobs or when its resident memory
after a job exceeds `train_worker_max_rss_mb`. `close()` (SIGTERM) refuses new work and ends
running and waiting jobs with `ShuttingDown`.

A job is `fn(control, *args) -> bytes` with `fn` a module-level function (it is pickled by name)
and picklable args; progress reports travel back over the worker's pipe.
"""

import asyncio
import math
import multiprocessing
import os
import pickle
import signal
import threading
import time
import traceback
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

from fastapi import HTTPException

from app.config import Settings
from app.lab.nn.control import Control, Progress, TimeLimitExceeded
from app.web.errors import error_item

Job = Callable[..., bytes]
ProgressHook = Callable[[Progress], None]

# After its deadline a worker gets this long to stop itself (it checks its clock between
# epochs) before the parent kills it. Short, so the answer comes well within the limit plus one
# second even on a loaded machine (0.5 s left too little room when the suite ran in 2 processes).
KILL_GRACE_S = 0.2
# The job time Retry-After assumes until jobs have finished (then a moving average of them).
TYPICAL_JOB_S = 2.0
TYPICAL_JOB_WEIGHT = 0.2  # weight of the newest job in that moving average
# Workers run at a lower CPU priority than the server: on a busy machine the kernel then gives
# the event loop (pages, curves, /healthz, admission's 503s) the CPU first and training the rest.
WORKER_NICENESS = 10
# Modules the forkserver imports once, so every worker forked from it starts with them loaded.
PRELOAD = ["app.web.routes.training", "app.web.routes.analysis", "app.web.live"]


class Busy(HTTPException):
    """503: every worker is busy and the queue is full (or the wait outlasted the deadline)."""

    def __init__(self, retry_after_s: int, running: int, waiting: int) -> None:
        msg = (
            f"the server is busy: {running} trainings running and {waiting} waiting, the most it "
            f"takes; retry in {retry_after_s} s"
        )
        super().__init__(
            503, [error_item([], msg, "busy")], headers={"Retry-After": str(retry_after_s)}
        )
        self.retry_after_s = retry_after_s


class ShuttingDown(HTTPException):
    """503: the server is stopping (SIGTERM); another replica, or this one restarted, answers."""

    MESSAGE = "the server is shutting down: the training was stopped; retry in a moment"

    def __init__(self) -> None:
        super().__init__(
            503, [error_item([], self.MESSAGE, "shutting_down")], headers={"Retry-After": "1"}
        )


class WorkerDied(RuntimeError):
    """The worker process ended without answering (killed from outside, out of memory)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, chained as its __cause__ for logs."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def resident_memory_bytes() -> int:
    """This process's resident set size from /proc (Linux); 0 where there is none."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _portable(err: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(err))
    except Exception:  # noqa: BLE001 - any failure to pickle means: send a stand-in
        return RuntimeError(f"{type(err).__name__}: {err}")
    return err


def serve(conn: Connection) -> None:
    """A worker's loop: run each job sent over conn and send back its progress and outcome."""
    # Ctrl+C in a terminal signals the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        fn, args, time_limit_s, interval = job
        control = Control(
            on_progress=lambda p: conn.send(("progress", p)),
            time_limit_s=time_limit_s,
            interval=interval,
        )
        outcome: tuple[Any, ...]
        try:
            outcome = ("result", fn(control, *args))
        except TimeLimitExceeded:
            outcome = ("time_limit", None)
        except Exception as err:  # noqa: BLE001 - sent to the parent, which logs it
            outcome = ("error", (_portable(err), traceback.format_exc()))
        conn.send((*outcome, resident_memory_bytes()))


class Worker:
    """One worker process, the parent's end of its pipe and the thread that reads it.

    The reader lives as long as the process (one thread per worker, started off the event loop
    with the process): starting a thread per job made the loop wait for the new thread to be
    scheduled, on a busy machine for milliseconds per admitted request, and the refusals of a
    burst queued behind them. It hands each message to the current job's `post` (none between
    jobs) and owns the pipe: on EOF (the process exited or was killed) it posts "exit" and closes
    it, so no other thread closes the pipe under a blocked read.
    """

    def __init__(self, ctx: BaseContext) -> None:
        parent, child = ctx.Pipe()
        process: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=serve, args=(child,), daemon=True, name="actlab-worker"
        )
        process.start()
        child.close()
        self.process = process
        self.conn = parent
        self.jobs = 0
        self.post: Callable[[tuple[Any, ...]], None] | None = None
        self.gone = False  # the reader saw EOF: a job given to it now would wait forever
        threading.Thread(target=self._read, name="actlab-worker-pipe", daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def _read(self) -> None:
        """Hand every message to the job that is running; a large result is read here, off
        the event loop."""
        while True:
            try:
                msg = self.conn.recv()
            except (EOFError, OSError):  # the worker exited, died or was killed
                self.gone = True  # before reading post: _execute sets post, then reads gone
                self.conn.close()
                post = self.post
                if post is not None:
                    post(("exit", None, 0))
                return
            post = self.post
            if post is not None:
                post(msg)

    def kill(self) -> None:
        """SIGKILL: total, even inside a numpy call (the reader then sees EOF)."""
        if self.process.is_alive():
            self.process.kill()

    def retire(self) -> None:
        """Ask an idle worker to exit (it frees its memory with it; the reader sees EOF)."""
        try:
            self.conn.send(None)
        except OSError:
            pass


# The place reserved for the request this task serves (WorkerPool.reserved), until its route's
# admit() takes it.
_RESERVED: ContextVar["Ticket | None"] = ContextVar("actlab_reserved_place", default=None)


class Ticket:
    """An admitted request: a place in the pool until it has run (or failed) once."""

    def __init__(self, pool: "WorkerPool", deadline: float) -> None:
        self.pool = pool
        self.deadline = deadline
        self.released = False
        self.claimed = False  # a reserved place, taken by the request's admit()

    def release(self) -> None:
        """Give the place back (idempotent: the routes also call it after a stream ends)."""
        if not self.released:
            self.released = True
            self.pool._leave()

    async def run(
        self, fn: Job, *args: Any, on_progress: ProgressHook | None = None, interval: float = 0.1
    ) -> bytes:
        """Wait for a worker, run fn(control, *args) there, return its bytes.

        Raises TimeLimitExceeded (the pool's limit) past the deadline, ShuttingDown on close(),
        Busy when the deadline passes before a worker was free, the job's own exception (its
        worker traceback chained) when it fails, WorkerDied when the process vanished.
        """
        try:
            await self.pool._acquire(self.deadline)
            try:
                return await self.pool._execute(self, fn, args, on_progress, interval)
            finally:
                self.pool._free_slot()
        finally:
            self.release()


class WorkerPool:
    """Worker processes (started lazily) behind an admission counter; see the module doc."""

    def __init__(self, settings: Settings, on_queue: Callable[[int], None] | None = None) -> None:
        self.size = settings.train_workers
        self.queue = settings.train_queue
        self.time_limit_s = settings.train_time_limit_s
        self.max_jobs = settings.train_worker_max_jobs
        self.max_rss = settings.train_worker_max_rss_mb * 2**20
        self.on_queue = on_queue
        self.typical_job_s = TYPICAL_JOB_S
        self.closing = False
        self.jobs_done = 0
        self.recycled = 0
        self._ctx: BaseContext | None = None
        self._lock = threading.Lock()
        self._admitted = 0  # running + waiting
        self._running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._idle: list[Worker] = []
        self._busy: dict[Worker, Callable[[tuple[Any, ...]], None]] = {}
        # called by close() too: the live sessions (app.web.live_sessions) end with the pool
        self.on_close: list[Callable[[], None]] = []
        # a pool dropped without close() (a test's app) still takes its processes with it
        weakref.finalize(self, _kill_all, self._idle, self._busy)
        POOLS.add(self)

    # --- admission ------------------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    @property
    def running(self) -> int:
        return self._running

    def retry_after_s(self) -> int:
        """Seconds until a place is likely free: the queue ahead, spread over the workers."""
        ahead = max(self._admitted - self.size + 1, 1)
        seconds = math.ceil(self.typical_job_s * ahead / self.size)
        return min(max(seconds, 1), math.ceil(self.time_limit_s))

    def refusal(self) -> Busy | None:
        """The Busy that admit() would raise now (every worker and queue place taken), else None."""
        if self._admitted < self.size + self.queue:
            return None
        return Busy(self.retry_after_s(), self._running, self._admitted - self._running)

    def admit(self) -> Ticket:
        """A place for one job, or Busy (503) at once when the workers and the queue are full;
        the place reserved for this request, if there is one."""
        reserved = _RESERVED.get()
        if reserved is not None and reserved.pool is self and not reserved.claimed:
            reserved.claimed = True
            reserved.deadline = time.monotonic() + self.time_limit_s  # from now, as admitted
            return reserved
        return self._take()

    def _take(self) -> Ticket:
        if self.closing:
            raise ShuttingDown
        with self._lock:
            busy = self.refusal()
            if busy is not None:
                raise busy
            self._admitted += 1
        return Ticket(self, time.monotonic() + self.time_limit_s)

    @contextmanager
    def reserved(self) -> Iterator[None]:
        """Take a place now for the request this task serves, before it is read and validated;
        its route's admit() takes this place, and one it did not take (a 422, a stored result)
        is given back on the way out. Nothing is reserved when the pool would refuse.

        Why: in a burst, the requests that will be admitted are validated and handed to a worker
        (~2 ms each) before the ones after them are read; with their places counted at once,
        the rest are refused first (app.web.admission) and their 503s do not wait behind that.
        """
        try:
            ticket = self._take()
        except (Busy, ShuttingDown):
            yield
            return
        token = _RESERVED.set(ticket)
        try:
            yield
        finally:
            _RESERVED.reset(token)
            if not ticket.claimed:
                ticket.release()

    def _leave(self) -> None:
        with self._lock:
            self._admitted -= 1

    async def _acquire(self, deadline: float) -> None:
        with self._lock:
            if self._running < self.size and not self._waiters:
                self._running += 1
                return
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(future)
        self._report_queue()
        try:
            await asyncio.wait_for(future, max(deadline - time.monotonic(), 0.0))
        except TimeoutError:
            raise Busy(self.retry_after_s(), self._running, len(self._waiters)) from None
        finally:
            with self._lock:
                if future in self._waiters:
                    self._waiters.remove(future)
                granted = future.done() and not future.cancelled() and not future.exception()
            if granted and not self.closing and deadline <= time.monotonic():
                self._free_slot()  # the slot came too late to use: pass it on
                raise Busy(self.retry_after_s(), self._running, len(self._waiters))
            self._report_queue()
        if self.closing:
            self._free_slot()
            raise ShuttingDown

    def _free_slot(self) -> None:
        """Hand the slot to the first waiter still waiting, else count it free."""
        with self._lock:
            while self._waiters:
                future = self._waiters.popleft()
                if not future.done():
                    future.get_loop().call_soon_threadsafe(self._grant, future)
                    return
            self._running -= 1

    def _grant(self, future: asyncio.Future[None]) -> None:
        if future.done():  # it gave up (timed out, cancelled) meanwhile
            with self._lock:
                self._running += 1  # _free_slot takes it back off
            self._free_slot()
        else:
            future.set_result(None)

    def _report_queue(self) -> None:
        if self.on_queue is not None:
            self.on_queue(len(self._waiters))

    # --- running a job --------------------------------------------------------------------------

    def _context(self) -> BaseContext:
        if self._ctx is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            self._ctx = ctx
        return self._ctx

    def context(self) -> BaseContext:
        """The forkserver context the workers start from (live sessions start theirs there)."""
        return self._context()

    def warm(self) -> None:
        """Start the forkserver (a second or more: numpy and the app's modules load), so the
        first job does not wait for it; the worker processes still start with their first job."""
        self._context()
        forkserver.ensure_running()

    async def _checkout(self) -> Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive() and not worker.gone:
                    return worker
        # starting the forkserver the first time takes a second: never on the event loop
        return await asyncio.to_thread(Worker, self._context())

    def _checkin(self, worker: Worker, rss: int) -> None:
        worker.jobs += 1
        if self.closing or worker.jobs >= self.max_jobs or rss > self.max_rss:
            self.recycled += 1
            worker.retire()
            return
        with self._lock:
            self._idle.append(worker)

    async def _execute(
        self,
        ticket: Ticket,
        fn: Job,
        args: tuple[Any, ...],
        on_progress: ProgressHook | None,
        interval: float,
    ) -> bytes:
        worker = await self._checkout()
        loop = asyncio.get_running_loop()
        inbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

        def post(msg: tuple[Any, ...]) -> None:
            try:
                loop.call_soon_threadsafe(inbox.put_nowait, msg)
            except RuntimeError:  # the loop is gone: nobody waits for this job any more
                pass

        started = time.monotonic()
        finished = False
        self._busy[worker] = post
        worker.post = post
        try:
            if self.closing:
                raise ShuttingDown
            remaining = max(ticket.deadline - started, 0.0)
            try:
                if worker.gone:
                    raise OSError("the pipe is closed")
                worker.conn.send((fn, args, remaining, interval))
            except OSError:
                raise WorkerDied(f"worker process {worker.pid} exited before the job") from None
            while True:
                timeout = ticket.deadline + KILL_GRACE_S - time.monotonic()
                try:
                    kind, payload, *rest = await asyncio.wait_for(inbox.get(), max(timeout, 0))
                except TimeoutError:
                    raise TimeLimitExceeded(self.time_limit_s) from None
                if kind == "progress":
                    if on_progress is not None:
                        on_progress(payload)
                    continue
                if kind == "shutdown":
                    raise ShuttingDown
                if kind == "exit":
                    raise WorkerDied(f"worker process {worker.pid} exited during the job")
                finished = True
                worker.post = None
                self._checkin(worker, rest[0])
                self._learn(time.monotonic() - started)
                if kind == "time_limit":
                    raise TimeLimitExceeded(self.time_limit_s)
                if kind == "error":
                    err, text = payload
                    raise err from RemoteTraceback(text)
                body: bytes = payload
                return body
        finally:
            del self._busy[worker]
            if not finished:  # cancelled, past its deadline, shutting down: stop it now
                worker.kill()

    def _learn(self, seconds: float) -> None:
        self.jobs_done += 1
        self.typical_job_s += TYPICAL_JOB_WEIGHT * (seconds - self.typical_job_s)

    # --- shutdown -------------------------------------------------------------------------------

    def close(self) -> None:
        """Refuse new jobs and end running and waiting ones with ShuttingDown (any thread)."""
        self.closing = True
        with self._lock:
            waiters = list(self._waiters)
            busy = list(self._busy.items())
            idle, self._idle = self._idle, []
        for future in waiters:
            future.get_loop().call_soon_threadsafe(_fail, future, ShuttingDown())
        for worker, post in busy:
            post(("shutdown", None))
            worker.kill()
        for worker in idle:
            worker.retire()
        for hook in self.on_close:
            hook()

    def worker_pids(self) -> list[int]:
        """The live worker processes' ids (idle and busy), for tests and benchmarks."""
        with self._lock:
            workers = [*self._idle, *self._busy]
        return [w.pid for w in workers if w.pid is not None and w.process.is_alive()]


POOLS: "weakref.WeakSet[WorkerPool]" = weakref.WeakSet()


def close_all() -> None:
    """close() every pool of this process: the SIGTERM hook (app.cli) calls it on the loop."""
    for pool in list(POOLS):
        pool.close()


def chain_sigterm() -> Callable[[], None]:
    """On SIGTERM, close every pool (on the event loop) before uvicorn's own handler runs, so
    running trainings answer 503 at once instead of holding the graceful shutdown; returns the
    function that puts the previous handler back. Only the main thread may set handlers (a
    test client's app runs elsewhere): there it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum: int, frame: Any) -> None:
        loop.call_soon_threadsafe(close_all)
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _fail(future: asyncio.Future[None], err: BaseException) -> None:
    if not future.done():
        future.set_exception(err)


def _kill_all(idle: list[Worker], busy: dict[Worker, Any]) -> None:
    for worker in idle:
        worker.kill()
    for worker in busy:
        worker.kill()
