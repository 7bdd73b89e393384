"""One engine shared by many Python threads gives every thread the sequential answers."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import baokao


def test_many_threads_share_one_engine(engine: baokao.Engine, documents: list[dict[str, Any]]) -> None:
    expected = [engine.validate(d, lang="en").to_json() for d in documents]

    def work(seed: int) -> list[str]:
        out: list[tuple[int, str]] = []
        for i in range(len(documents)):
            j = (i + seed) % len(documents)
            app: Any = documents[j] if (i + seed) % 2 else json.dumps(documents[j])
            out.append((j, engine.validate(app, lang="en").to_json()))
        return [r for _, r in sorted(out)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(work, range(32)))
    assert all(r == expected for r in results)


def test_batches_from_many_threads(engine: baokao.Engine, documents: list[dict[str, Any]]) -> None:
    expected = engine.validate_many(documents, threads=1)

    def work(threads: int) -> list[Any]:
        return engine.validate_many(documents, threads=threads)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, [1, 2, 4, 8] * 4))
    assert all(r == expected for r in results)


def test_engines_load_concurrently(engine: baokao.Engine) -> None:
    bundle = engine.bundle()
    with ThreadPoolExecutor(max_workers=4) as pool:
        engines = list(pool.map(lambda _: baokao.Engine.from_bundle(bundle), range(8)))
    assert all(e.pack == engine.pack for e in engines)
