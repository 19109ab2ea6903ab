"""CPU time per part of the stack over a measured run, from /proc: which processes did the work
(the app's instances, PostgreSQL's backends for one database, Redis, the load generator), how
busy the whole machine was, and how much went to other programs on this shared machine."""

import os
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_ticks() -> dict[int, int]:
    """User + system CPU ticks of every process alive now (its own, not its reaped children's)."""
    ticks = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            # utime and stime: fields 14 and 15 of stat(5), 12 and 13 after "(comm)".
            ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    return ticks


def machine_ticks() -> tuple[int, int]:
    """Busy and total CPU ticks of the machine, all cores (steal is neither busy nor ours)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return user + nice + system + irq + softirq, sum(values) - steal


def postgres_backends_of(database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to ``database``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().decode(errors="replace")
            except (FileNotFoundError, ProcessLookupError):
                continue
            if command.startswith("postgres:") and f" {database} " in command:
                pids.append(int(entry.name))
    return pids


def children_cpu_seconds() -> float:
    """CPU time of this process's reaped children (a load generator run with subprocess)."""
    usage = os.times()
    return usage.children_user + usage.children_system


@dataclass
class Usage:
    """Start before a run, ``finish`` after it with the groups of processes to charge."""

    processes: dict[int, int]
    machine: tuple[int, int]
    children: float

    @classmethod
    def start(cls) -> "Usage":
        return cls(process_ticks(), machine_ticks(), children_cpu_seconds())

    def finish(self, groups: dict[str, list[int]], *, child_group: str | None = None) -> dict:
        """CPU seconds per group, and ``child_group``'s: the load generator's, run and reaped
        meanwhile. Processes that exited during the run (short-lived PostgreSQL backends)
        count as unattributed."""
        after = process_ticks()
        busy, total = (a - b for a, b in zip(machine_ticks(), self.machine, strict=True))
        spent = {pid: ticks - self.processes.get(pid, 0) for pid, ticks in after.items()}
        seconds = {
            group: sum(spent.get(pid, 0) for pid in pids) / CLOCK_TICKS
            for group, pids in groups.items()
        }
        if child_group is not None:
            seconds[child_group] = children_cpu_seconds() - self.children
        ours = {pid for pids in groups.values() for pid in pids} | {os.getpid()}
        seconds["other_programs"] = (
            sum(t for pid, t in spent.items() if pid not in ours) / CLOCK_TICKS
        )
        seconds["unattributed"] = max(busy / CLOCK_TICKS - sum(seconds.values()), 0.0)
        return {
            "machine_busy_fraction": round(busy / total, 3) if total else None,
            "cpu_seconds": {g: round(v, 2) for g, v in seconds.items()},
        }
