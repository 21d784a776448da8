"""How the served process allocates memory: settings that keep a worker's private memory small.

Why: in a dyno's memory limit every MB a worker holds privately is a MB of page cache taken from the
memory-mapped portfolio, whose pages are then read from disk again. Measured at 3,562,550 clients in
a 512 MB memory cgroup, 20 officers at once on one worker (``benchmark_load.py --memory-limit-mb``):
master and worker held 446 MB of anonymous memory with the defaults, 296 MB with these settings,
and served 2.6 openings a second instead of 1.5. What they change:

- **glibc's malloc** (``mallopt``): at most 2 arenas (instead of 8 per core, one per busy thread),
  and a fixed 128 KB threshold above which a block is mapped on its own and given back when freed.
  By default the threshold grows after each large free (up to 32 MB), so the columns and masks a
  callback builds (3.5 to 28 MB at 3.56M clients) land in the arenas, whose freed space is kept.
- **Arrow's memory pool**: the system allocator (glibc, tuned above) instead of mimalloc, which
  keeps freed memory per thread: reading a client's row from the row shards otherwise leaves tens of
  MB behind in each gunicorn thread.
- **``gc.freeze()`` before each fork** (``gunicorn.conf.py``'s ``pre_fork``): the objects the master
  built (model, pages, dictionaries) leave the collector's generations, so a collection in a worker
  no longer writes into every page that holds one and copies it out of the master's shared pages.

A setting given in the environment (``MALLOC_ARENA_MAX``, ``MALLOC_MMAP_THRESHOLD_``,
``MALLOC_TRIM_THRESHOLD_``, ``ARROW_DEFAULT_MEMORY_POOL``) is left as given. Anywhere without glibc
(macOS, musl) the malloc settings are skipped: the app runs the same, only less frugally.
"""
from __future__ import annotations

import ctypes
import gc
import os
import sys
from collections.abc import Mapping, MutableMapping

# mallopt parameters (glibc's malloc.h) and the values set, by the environment variable that overrides each
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
MALLOC_SETTINGS: Mapping[str, tuple[int, int]] = {
    "MALLOC_ARENA_MAX": (M_ARENA_MAX, 2),
    "MALLOC_MMAP_THRESHOLD_": (M_MMAP_THRESHOLD, 128 * 1024),
    "MALLOC_TRIM_THRESHOLD_": (M_TRIM_THRESHOLD, 128 * 1024),
}
ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has ``mallopt`` and ``gnu_get_libc_version``), else None.

    The symbols of the running process (``CDLL(None)``) rather than ``ctypes.util.find_library``, which
    runs ``ldconfig`` or a compiler and finds nothing on a slim image.
    """
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    return libc if hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "mallopt") else None


def tune_allocators(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Apply the settings above to this process, before the app is loaded (the master's and the
    workers' memory is then allocated under them); returns what was set, by name, for the start-up log.

    Arrow's pool is chosen by its environment variable, read when pyarrow loads: ``pa.set_memory_pool``
    alone changes only the pool pyarrow's Python functions pass, and the Parquet reader's own buffers
    stayed in mimalloc (measured: 334 MB anonymous instead of 295 under the same load). When pyarrow is
    already loaded, that partial switch is the best left and is reported as such.
    """
    environ = os.environ if environ is None else environ
    applied: dict[str, str] = {}
    libc = _glibc()
    if libc is not None:
        for variable, (parameter, value) in MALLOC_SETTINGS.items():
            if variable not in environ and libc.mallopt(parameter, value) == 1:
                applied[variable] = str(value)
    if ARROW_POOL_VARIABLE not in environ:
        if "pyarrow" in sys.modules:
            import pyarrow as pa

            pa.set_memory_pool(pa.system_memory_pool())
            applied[ARROW_POOL_VARIABLE] = "system (Python calls only: pyarrow was loaded first)"
        else:
            environ[ARROW_POOL_VARIABLE] = applied[ARROW_POOL_VARIABLE] = "system"
    return applied


def freeze_before_fork() -> int:
    """Move every object tracked by the collector to its permanent generation (``gc.freeze``), so a
    forked worker shares the master's pages instead of copying those a collection would write to;
    returns how many objects are frozen."""
    gc.freeze()
    return gc.get_freeze_count()
