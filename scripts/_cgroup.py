"""A hard memory limit around a benchmark's server, as a PaaS dyno imposes one
(``benchmark_load.py --memory-limit-mb``).

A process's RSS counts the pages of the memory-mapped column store it has touched, shared or not, so
"worker RSS < 512 MB" cannot say whether a dyno of 512 MB holds the server. A Linux memory cgroup
can: it charges every page once, anonymous memory and page cache alike, to the group whose process
first touched it, and at its limit the kernel must reclaim (drop clean file pages, read them again on
demand) or kill a process (an OOM kill). The server's master is put in the group before it starts
(so its workers, forked from it, are in it too) and the figures are read after the load: the peak,
OOM kills, major page faults (pages read again from disk).

Needs root and the cgroup memory controller, version 1 (``/sys/fs/cgroup/memory``) or 2 (a
``memory`` entry in ``/sys/fs/cgroup/cgroup.controllers``); anything else is a ``CgroupError`` with
the reason. The page cache is dropped first (``/proc/sys/vm/drop_caches``, when writable): pages read
earlier by another process would stay charged to that process's group and flatter the figures.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

ROOT = Path("/sys/fs/cgroup")
MB = 1024 * 1024


class CgroupError(RuntimeError):
    """No memory cgroup can be made here (not root, no controller): the reason, for the user."""


def parse_flat(text: str) -> dict[str, int]:
    """``key value`` lines (``memory.stat``, ``memory.events``, v1's ``memory.oom_control``) as a dict;
    lines of another shape are skipped."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            out[parts[0]] = int(parts[1])
    return out


@dataclasses.dataclass(frozen=True)
class CgroupReport:
    """What the group went through, in MB and counts."""

    limit_mb: float
    peak_mb: float  # highest charge (anonymous + page cache) seen by the kernel
    oom_kills: int
    anon_mb: float  # at the end of the run
    cache_mb: float  # page cache charged to the group at the end (mapped files included)
    major_faults: int  # pages read from disk during the life of the group

    # the figures of a side-by-side table row, and their formats
    FORMATS: ClassVar[dict[str, str]] = {"cgroup peak": "{:.0f}", "oom kills": "{:.0f}", "major faults": "{:,.0f}"}

    def figures(self) -> dict[str, float]:
        return {"cgroup peak": self.peak_mb, "oom kills": self.oom_kills, "major faults": self.major_faults}

    def line(self) -> str:
        return (f"memory cgroup limit {self.limit_mb:.0f} MB (master and workers together, page cache "
                f"included): peak {self.peak_mb:.0f} MB, OOM kills {self.oom_kills}; at the end anonymous {self.anon_mb:.0f} MB, page cache "
                f"{self.cache_mb:.0f} MB; {self.major_faults:,} major page faults (pages read from disk)")


@dataclasses.dataclass(frozen=True)
class MemoryCgroup:
    path: Path
    version: int  # 1 or 2
    limit_mb: float

    def enter(self) -> None:
        """Move the calling process into the group (``preexec_fn`` of the server's Popen)."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def _read(self, name: str) -> str:
        return (self.path / name).read_text()

    def report(self) -> CgroupReport:
        stat = parse_flat(self._read("memory.stat"))
        if self.version == 1:
            events = parse_flat(self._read("memory.oom_control"))
            return CgroupReport(self.limit_mb, int(self._read("memory.max_usage_in_bytes")) / MB,
                                events.get("oom_kill", 0),
                                stat.get("total_rss", 0) / MB, stat.get("total_cache", 0) / MB,
                                stat.get("total_pgmajfault", 0))
        events = parse_flat(self._read("memory.events"))
        peak = self.path / "memory.peak"  # Linux >= 5.19
        return CgroupReport(self.limit_mb, int(peak.read_text()) / MB if peak.exists() else float("nan"),
                            events.get("oom_kill", 0), stat.get("anon", 0) / MB,
                            stat.get("file", 0) / MB, stat.get("pgmajfault", 0))


def _make(limit_mb: float, name: str) -> MemoryCgroup:
    limit = str(int(limit_mb * MB))
    v2 = ROOT / "cgroup.controllers"
    try:
        if v2.exists() and "memory" in v2.read_text().split():
            path = ROOT / name
            path.mkdir()
            (path / "memory.max").write_text(limit)
            (path / "memory.swap.max").write_text("0")
            return MemoryCgroup(path, 2, limit_mb)
        if (ROOT / "memory" / "memory.limit_in_bytes").exists():
            path = ROOT / "memory" / name
            path.mkdir()
            (path / "memory.limit_in_bytes").write_text(limit)
            swap = path / "memory.memsw.limit_in_bytes"  # no swap either: a dyno's memory is its RAM
            if swap.exists():
                swap.write_text(limit)
            return MemoryCgroup(path, 1, limit_mb)
    except OSError as exc:
        raise CgroupError(f"cannot make a memory cgroup ({exc}); --memory-limit-mb needs root") from exc
    raise CgroupError(f"no cgroup memory controller under {ROOT} (version 1 or 2)")


def drop_page_cache() -> bool:
    """Write dirty pages out and drop the clean page cache; False when not allowed."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("1")
    except OSError:
        return False
    return True


@contextlib.contextmanager
def memory_cgroup(limit_mb: float) -> Iterator[MemoryCgroup]:
    """A fresh memory cgroup limited to ``limit_mb``, removed afterwards (its processes must be gone)."""
    group = _make(limit_mb, f"credit-benchmark-{os.getpid()}")
    try:
        yield group
    finally:
        with contextlib.suppress(OSError):
            group.path.rmdir()


@contextlib.contextmanager
def limited(limit_mb: int) -> Iterator[MemoryCgroup]:
    """A memory cgroup of ``limit_mb`` for a benchmark's server, the page cache dropped first (pages
    another process read would stay charged to it), said on one line."""
    dropped = drop_page_cache()
    with memory_cgroup(limit_mb) as group:
        print(f"server in a memory cgroup (v{group.version}) limited to {limit_mb} MB; page cache "
              + ("dropped first" if dropped else "NOT dropped (not allowed): pages read before stay charged elsewhere"))
        yield group


def check(limit_mb: int | None) -> str | None:
    """Why ``--memory-limit-mb`` cannot be honoured here (before anything is started), or None."""
    if limit_mb:
        try:
            with memory_cgroup(limit_mb):
                pass
        except CgroupError as exc:
            return f"--memory-limit-mb: {exc}"
    return None


def print_table(rows, processes: str) -> None:
    """The groups' figures, one row per model folder with their ratios (``_bench.side_by_side``), when
    the runs had a limit (``rows``: a benchmark's rows; ``processes``: who was in the group)."""
    from _bench import side_by_side

    if rows and "cgroup peak" in rows[0][1]:
        print(side_by_side(f"the memory cgroup ({processes}, page cache included):", rows,
                           list(CgroupReport.FORMATS), fmt=CgroupReport.FORMATS))
