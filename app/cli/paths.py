"""Output-path checks shared by the scripts: run before minutes of work, one line saying what is wrong.

Without them a bad ``--out`` surfaced as a raw ``FileExistsError`` / ``IsADirectoryError`` traceback,
often after the training or scoring it was meant to keep.
"""
from __future__ import annotations

from pathlib import Path


def _blocking_file(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` when it is a file (nothing can be created under it)."""
    ancestor = next((p for p in path.parents if p.exists()), None)
    return ancestor if ancestor is not None and not ancestor.is_dir() else None


def folder_problem(path: Path, option: str) -> str | None:
    """Why ``path`` cannot be (or become) an output folder, or ``None``."""
    if path.exists() and not path.is_dir():
        return f"{option} {path} is a file, not a folder"
    blocking = _blocking_file(path)
    return f"{option} {path}: {blocking} is a file, not a folder" if blocking else None


def file_problem(path: Path, option: str) -> str | None:
    """Why ``path`` cannot be written as an output file (its folder may still be created), or ``None``."""
    if path.is_dir():
        return f"{option} {path} is a folder; give a file name"
    blocking = _blocking_file(path)
    return f"{option} {path}: {blocking} is a file, not a folder" if blocking else None
