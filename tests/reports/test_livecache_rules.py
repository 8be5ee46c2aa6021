"""The rules of each process's copy of verification answers (reports/livecache.py) that need
no database: what is kept, when, and how much."""

from __future__ import annotations

from reports import livecache


def test_a_value_read_while_a_change_landed_is_not_kept():
    cache = livecache.NotifiedCache("unused")
    cache.listening = True
    before = cache.generation
    cache.put("a", 1, before)
    assert cache.get("a") == 1
    read_started = cache.generation
    cache.clear()  # a notification arrives while "b" is being read
    cache.put("b", 2, read_started)
    assert cache.get("b") is livecache.MISSING
    assert cache.get("a") is livecache.MISSING  # every notification empties the copy


def test_nothing_is_kept_while_not_listening():
    cache = livecache.NotifiedCache("unused")
    cache.put("a", 1, cache.generation)
    assert cache.get("a") is livecache.MISSING


def test_the_copy_is_bounded(monkeypatch):
    monkeypatch.setattr(livecache, "MAX_ENTRIES", 3)
    cache = livecache.NotifiedCache("unused")
    cache.listening = True
    for key in "abcd":
        cache.put(key, key, cache.generation)
    assert len(cache) == 3 and cache.get("a") is livecache.MISSING and cache.get("d") == "d"
