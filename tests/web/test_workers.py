"""The worker pool with real processes: isolation, progress, deadlines, cancelling, recycling,
admission and shutdown. Jobs live at module level here because the pool pickles them by name."""

import asyncio
import os
import time
from typing import Any

import pytest

from app.config import Settings
from app.lab.nn.control import Control, Progress, TimeLimitExceeded
from app.web.workers import Busy, RemoteTraceback, ShuttingDown, WorkerDied, WorkerPool


def pid_job(control: Control) -> bytes:
    return str(os.getpid()).encode()


def counting_job(control: Control, epochs: int) -> bytes:
    for epoch in range(epochs):
        time.sleep(0.01)
        control.tick(epoch + 1, epochs, None)
    return b"counted"


def sleeping_job(control: Control, seconds: float) -> bytes:
    time.sleep(seconds)  # one long call: nothing in it checks a clock, like a huge numpy epoch
    return b"slept"


def failing_job(control: Control) -> bytes:
    raise ValueError("a bug in a job")


def dying_job(control: Control) -> bytes:
    os._exit(3)


def pool_of(**settings: Any) -> WorkerPool:
    return WorkerPool(Settings(**{"train_workers": 1, "train_queue": 0, **settings}))


def run(pool: WorkerPool, job: Any, *args: Any) -> bytes:
    async def go() -> bytes:
        return await pool.admit().run(job, *args)

    return asyncio.run(go())


def test_a_job_runs_in_another_process_and_its_bytes_come_back() -> None:
    pool = pool_of()
    try:
        first, second = int(run(pool, pid_job)), int(run(pool, pid_job))
        assert first != os.getpid() and first == second  # the worker is reused
        assert pool.worker_pids() == [first]
    finally:
        pool.close()


def test_progress_reports_come_back_over_the_pipe() -> None:
    pool = pool_of()
    seen: list[Progress] = []

    async def go() -> bytes:
        return await pool.admit().run(counting_job, 50, on_progress=seen.append, interval=0.05)

    try:
        assert asyncio.run(go()) == b"counted"
    finally:
        pool.close()
    assert len(seen) >= 3
    assert [p.epoch for p in seen] == sorted(p.epoch for p in seen)
    assert all(p.epochs == 50 for p in seen)


@pytest.mark.slow
def test_a_job_stuck_in_one_call_is_killed_at_the_deadline() -> None:
    pool = pool_of(train_time_limit_s=60)  # room for the forkserver's cold start
    try:
        run(pool, pid_job)  # the worker exists, so only the job's own time counts below
        pool.time_limit_s = 0.5
        [pid] = pool.worker_pids()
        start = time.monotonic()
        with pytest.raises(TimeLimitExceeded) as caught:
            run(pool, sleeping_job, 30.0)
        elapsed = time.monotonic() - start
        assert caught.value.limit_s == 0.5
        assert elapsed < 0.5 + 1.0  # the bound: the limit plus one second
        assert pool.running == 0 and pool.worker_pids() == []
        assert _gone(pid)
        pool.time_limit_s = 60  # room for a new worker to start on a busy machine
        assert run(pool, sleeping_job, 0.0) == b"slept"  # the slot is free again
    finally:
        pool.close()


def test_cancelling_a_job_kills_its_worker_and_frees_the_slot() -> None:
    pool = pool_of()

    async def go() -> None:
        task = asyncio.ensure_future(pool.admit().run(sleeping_job, 30.0))
        while not pool.worker_pids():
            await asyncio.sleep(0.01)
        [pid] = pool.worker_pids()
        await asyncio.sleep(0.2)  # the job has been sent
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert _gone(pid)
        assert pool.running == 0
        assert await pool.admit().run(sleeping_job, 0.0) == b"slept"

    try:
        asyncio.run(go())
    finally:
        pool.close()


def test_workers_are_recycled_after_max_jobs() -> None:
    pool = pool_of(train_worker_max_jobs=2)
    try:
        pids = [int(run(pool, pid_job)) for _ in range(4)]
    finally:
        pool.close()
    assert pids[0] == pids[1] != pids[2] == pids[3]
    assert pool.recycled == 2


def test_a_worker_over_its_memory_mark_is_recycled() -> None:
    pool = pool_of(train_worker_max_rss_mb=16)  # a worker with numpy loaded is far above it
    try:
        pids = [int(run(pool, pid_job)) for _ in range(2)]
    finally:
        pool.close()
    assert pids[0] != pids[1] and pool.recycled == 2


def test_a_failing_job_raises_its_own_error_with_the_worker_traceback() -> None:
    pool = pool_of()
    try:
        with pytest.raises(ValueError, match="a bug in a job") as caught:
            run(pool, failing_job)
        assert isinstance(caught.value.__cause__, RemoteTraceback)
        assert "in failing_job" in str(caught.value.__cause__)
        assert run(pool, sleeping_job, 0.0) == b"slept"  # the worker survived it
    finally:
        pool.close()


def test_a_worker_that_dies_is_reported_and_replaced() -> None:
    pool = pool_of()
    try:
        with pytest.raises(WorkerDied):
            run(pool, dying_job)
        assert run(pool, sleeping_job, 0.0) == b"slept"
    finally:
        pool.close()


def test_admission_refuses_beyond_workers_plus_queue_at_once() -> None:
    queued: list[int] = []
    pool = WorkerPool(Settings(train_workers=1, train_queue=1), on_queue=queued.append)

    async def go() -> None:
        first = asyncio.ensure_future(pool.admit().run(sleeping_job, 0.5))
        second = asyncio.ensure_future(pool.admit().run(sleeping_job, 0.0))
        await asyncio.sleep(0.1)
        assert (pool.running, pool.waiting) == (1, 1)
        start = time.monotonic()
        with pytest.raises(Busy) as caught:
            pool.admit()
        assert time.monotonic() - start < 0.05
        assert caught.value.status_code == 503
        assert caught.value.headers == {"Retry-After": str(caught.value.retry_after_s)}
        assert 1 <= caught.value.retry_after_s <= 60
        detail: Any = caught.value.detail  # HTTPException types it as str; ours is a list
        assert detail[0]["type"] == "busy"
        assert await first == b"slept" and await second == b"slept"
        assert await pool.admit().run(sleeping_job, 0.0) == b"slept"  # places are given back

    try:
        asyncio.run(go())
    finally:
        pool.close()
    assert queued[0] == 1 and queued[-1] == 0  # the queue-length gauge's feed


def test_a_reserved_place_is_the_one_admit_gives_and_comes_back_when_unused() -> None:
    pool = pool_of(train_queue=1)  # two places
    try:
        with pool.reserved():
            assert pool._admitted == 1  # counted at once
            ticket = pool.admit()
            assert ticket.claimed and pool._admitted == 1  # the same place, not a second
            assert pool.admit() is not ticket and pool._admitted == 2  # a second call: a new one
            with pytest.raises(Busy):
                pool.admit()
        assert pool._admitted == 2  # taken places are the tickets' to give back
        pool._admitted = 0
        with pool.reserved():
            assert pool._admitted == 1
        assert pool._admitted == 0  # not taken (a 422, a stored result): given back
        pool._admitted = 2
        with pool.reserved():  # full: nothing reserved, admit() refuses as before
            assert pool._admitted == 2
            with pytest.raises(Busy):
                pool.admit()
        assert pool._admitted == 2
    finally:
        pool.close()


def test_retry_after_grows_with_the_queue_ahead() -> None:
    pool = WorkerPool(Settings(train_workers=2, train_queue=8))
    pool.typical_job_s = 3.0
    assert pool.retry_after_s() == 2  # nothing ahead: one job's time over two workers
    pool._admitted = 10
    assert pool.retry_after_s() == 14  # nine ahead of the next one, two at a time


def test_close_ends_running_and_waiting_jobs_and_refuses_new_ones() -> None:
    pool = WorkerPool(Settings(train_workers=1, train_queue=1))

    async def go() -> None:
        running = asyncio.ensure_future(pool.admit().run(sleeping_job, 30.0))
        waiting = asyncio.ensure_future(pool.admit().run(sleeping_job, 30.0))
        while not pool.worker_pids():
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        start = time.monotonic()
        pool.close()
        for task in (running, waiting):
            with pytest.raises(ShuttingDown):
                await task
        assert time.monotonic() - start < 1.0
        with pytest.raises(ShuttingDown):
            pool.admit()

    asyncio.run(go())
    assert pool.worker_pids() == []


def _gone(pid: int, within_s: float = 2.0) -> bool:
    """Whether the process ends within a moment (SIGKILL is asynchronous; a zombie awaiting the
    forkserver's reaping counts as ended)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split()[2] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.01)
    return False
