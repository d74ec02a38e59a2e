"""Thread-safe caches of serialised responses: an LRU bounded by entries and by bytes, and a
compute-once layer over it for responses that are pure functions of their request."""

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable


class BytesLRU:
    """Least-recently-used cache of bytes values; evicts until both limits hold."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # handlers run in a thread pool

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        if len(value) > self.max_bytes or self.max_entries == 0:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._items[key] = value
            self._size += len(value)
            while len(self._items) > self.max_entries or self._size > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._size -= len(evicted)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0

    @property
    def size_bytes(self) -> int:
        return self._size


class ResultCache:
    """Bytes that are a pure function of their key, computed once and then served from an LRU.

    Calls for a key that is being computed wait for that computation instead of repeating it
    (thirty students opening one shared link train once). A computation that raises stores
    nothing: a waiting call then computes for itself, so errors and time limits behave exactly
    as without the cache.
    """

    def __init__(self, store: BytesLRU) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Event] = {}
        self._pending_async: dict[Hashable, asyncio.Future[None]] = {}

    def get(self, key: Hashable) -> bytes | None:
        """The stored bytes for `key`, if any; never computes."""
        return self.store.get(key)

    def put(self, key: Hashable, value: bytes) -> None:
        """Store bytes computed elsewhere (a stream's result)."""
        self.store.put(key, value)

    def is_pending(self, key: Hashable) -> bool:
        """Whether get_or_compute_async is computing `key` now (a call for it would wait)."""
        return key in self._pending_async

    async def get_or_compute_async(
        self, key: Hashable, compute: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """get_or_compute for the event loop: waiters await the computation, blocking nothing,
        and take no worker while they wait."""
        loop = asyncio.get_running_loop()
        while True:
            value = self.store.get(key)
            if value is not None:
                return value
            pending = self._pending_async.get(key)
            # a computation on another event loop (a test client's) cannot be awaited from here
            if pending is None or pending.get_loop() is not loop:
                break
            await asyncio.shield(pending)
        mine: asyncio.Future[None] = loop.create_future()
        self._pending_async[key] = mine
        try:
            value = await compute()
            self.store.put(key, value)
            return value
        finally:
            if self._pending_async.get(key) is mine:
                del self._pending_async[key]
            mine.set_result(None)

    def get_or_compute(self, key: Hashable, compute: Callable[[], bytes]) -> bytes:
        """The stored bytes for `key`, else compute() once (stored if the LRU can hold them)."""
        while True:
            with self._lock:
                value = self.store.get(key)
                if value is not None:
                    return value
                pending = self._pending.get(key)
                if pending is None:
                    pending = self._pending[key] = threading.Event()
                    break
            pending.wait()
        try:
            value = compute()
            self.store.put(key, value)
            return value
        finally:
            with self._lock:
                del self._pending[key]
            pending.set()
