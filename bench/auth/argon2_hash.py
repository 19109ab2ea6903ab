"""Times one Argon2id hash with the app's own hasher (learnwise.auth.passwords.password_hash,
OWASP parameters m=19 MiB, t=2, p=1) on one core. Prints a JSON object with the wall time (the
target's measure) and the thread's CPU time, which other load on that core does not inflate.

    uv run --project backend python bench/auth/argon2_hash.py [--runs 31] [--core 0]
"""

import argparse
import json
import os
import statistics
import time

from learnwise.auth.passwords import password_hash

TARGET_MS = 250.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--core", type=int, default=0)
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.core})
    password = "bench password 4f9c"
    password_hash.hash(password)  # warm-up: first allocation of the 19 MiB block
    hash_ms, hash_cpu_ms, verify_ms = [], [], []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        hashed = password_hash.hash(password)
        hash_ms.append((time.perf_counter() - started) * 1000)
        hash_cpu_ms.append((time.thread_time() - started_cpu) * 1000)
        started = time.perf_counter()
        password_hash.verify(password, hashed)
        verify_ms.append((time.perf_counter() - started) * 1000)
    hasher = password_hash.hashers[0]
    print(
        json.dumps(
            {
                "parameters": hashed.split("$")[3],
                "hasher": type(hasher).__name__,
                "core": args.core,
                "runs": args.runs,
                "hash_ms": _summary(hash_ms),
                "hash_cpu_ms": _summary(hash_cpu_ms),
                "verify_ms": _summary(verify_ms),
                "target_ms": TARGET_MS,
                "meets_target": statistics.median(hash_ms) <= TARGET_MS,
            }
        )
    )


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 2),
        "min": round(ordered[0], 2),
        "max": round(ordered[-1], 2),
    }


if __name__ == "__main__":
    main()
