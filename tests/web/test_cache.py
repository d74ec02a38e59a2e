"""The byte caches: the LRU's two bounds, and ResultCache computing each key once."""

import threading
from collections.abc import Hashable

import pytest

from app.web.cache import BytesLRU, ResultCache


def test_lru_evicts_the_least_recently_used_until_both_bounds_hold() -> None:
    lru = BytesLRU(max_entries=2, max_bytes=10)
    lru.put("a", b"1234")
    lru.put("b", b"5678")
    assert lru.get("a") == b"1234"  # "b" is now the least recently used
    lru.put("c", b"90")
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (b"1234", None, b"90")
    lru.put("d", b"abcdefgh")  # 4 + 2 + 8 bytes: "a" must go to stay within 10
    assert (lru.get("a"), lru.get("c"), len(lru), lru.size_bytes) == (None, b"90", 2, 10)
    lru.put("e", b"x" * 11)  # larger than the whole cache: not stored
    assert lru.get("e") is None and len(lru) == 2


def test_a_cleared_lru_is_empty_and_fills_to_its_bounds_again() -> None:
    lru = BytesLRU(max_entries=2, max_bytes=10)
    lru.put("a", b"1234")
    lru.put("b", b"5678")
    lru.clear()
    assert (lru.get("a"), len(lru), lru.size_bytes) == (None, 0, 0)
    lru.put("c", b"x" * 10)  # the whole byte budget is free again
    assert (lru.get("c"), len(lru), lru.size_bytes) == (b"x" * 10, 1, 10)


def test_result_cache_computes_a_key_once_and_keeps_keys_apart() -> None:
    cache = ResultCache(BytesLRU(8, 1024))
    calls: list[str] = []

    def compute(value: str) -> bytes:
        calls.append(value)
        return value.encode()

    assert cache.get_or_compute(("train", "{a}"), lambda: compute("a")) == b"a"
    assert cache.get_or_compute(("train", "{a}"), lambda: compute("again")) == b"a"
    assert cache.get_or_compute(("sweep", "{a}"), lambda: compute("b")) == b"b"
    assert calls == ["a", "b"]
    assert cache.get(("train", "{a}")) == b"a" and cache.get(("train", "{b}")) is None


def test_result_cache_is_bounded_by_its_lru() -> None:
    cache = ResultCache(BytesLRU(3, 1024))
    for i in range(10):
        cache.get_or_compute(i, lambda i=i: bytes([i]) * 100)  # type: ignore[misc]
    assert len(cache.store) == 3 and cache.store.size_bytes == 300
    assert [cache.get(i) is not None for i in range(10)] == [False] * 7 + [True] * 3


class WatchedLRU(BytesLRU):
    """A BytesLRU that counts lookups, so a test can wait until every caller has looked."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        super().__init__(max_entries, max_bytes)
        self.lookups = 0
        self.looked = threading.Condition()

    def get(self, key: Hashable) -> bytes | None:
        value = super().get(key)
        with self.looked:
            self.lookups += 1
            self.looked.notify_all()
        return value

    def wait_for_lookups(self, n: int) -> None:
        with self.looked:  # the timeout only guards against a hang
            assert self.looked.wait_for(lambda: self.lookups >= n, timeout=60)


def test_concurrent_calls_for_one_key_compute_it_once() -> None:
    store = WatchedLRU(8, 1024)
    cache = ResultCache(store)
    release = threading.Event()
    calls = 0

    def slow() -> bytes:
        nonlocal calls
        calls += 1
        release.wait(timeout=60)
        return b"result"

    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_compute("k", slow)))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    store.wait_for_lookups(6)  # every caller has found the key missing or being computed
    release.set()
    for thread in threads:
        thread.join()
    assert calls == 1 and results == [b"result"] * 6


def test_a_failed_computation_stores_nothing_and_a_waiting_call_computes_for_itself() -> None:
    store = WatchedLRU(8, 1024)
    cache = ResultCache(store)
    release = threading.Event()

    def failing() -> bytes:
        release.wait(timeout=60)
        raise TimeoutError("over time")

    errors: list[Exception] = []
    second: list[bytes] = []

    def lead() -> None:
        try:
            cache.get_or_compute("k", failing)
        except TimeoutError as err:
            errors.append(err)

    leader = threading.Thread(target=lead)
    leader.start()
    store.wait_for_lookups(1)  # the leader is computing
    waiter = threading.Thread(
        target=lambda: second.append(cache.get_or_compute("k", lambda: b"second try"))
    )
    waiter.start()
    store.wait_for_lookups(2)  # the waiter found the leader's computation pending
    release.set()
    leader.join()
    waiter.join()
    assert len(errors) == 1 and second == [b"second try"] and cache.get("k") == b"second try"
    with pytest.raises(ZeroDivisionError):
        cache.get_or_compute("z", lambda: bytes([1 // 0]))
    assert cache.get("z") is None


def test_a_cache_of_zero_entries_always_computes() -> None:
    cache = ResultCache(BytesLRU(0, 1024))
    values = iter([b"1", b"2"])
    assert cache.get_or_compute("k", lambda: next(values)) == b"1"
    assert cache.get_or_compute("k", lambda: next(values)) == b"2"
    assert cache.get("k") is None
