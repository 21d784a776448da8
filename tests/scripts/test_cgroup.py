"""``scripts/_cgroup.py``: reading a memory cgroup's figures, version 1 and 2, from its files."""
import pytest

from tests.scripts.script_support import script_module

MB = 1024 * 1024


@pytest.fixture(scope="module")
def cgroup():
    with script_module("_cgroup") as module:
        yield module


def test_flat_key_value_lines_are_read_and_other_lines_skipped(cgroup):
    assert cgroup.parse_flat("total_rss 4096\nunder_oom 0\nbogus line here\nhierarchical_memory_limit -1\n") == {
        "total_rss": 4096, "under_oom": 0, "hierarchical_memory_limit": -1}


def test_a_version_1_group_reports_its_peak_kills_and_faults(cgroup, tmp_path):
    for name, text in {"memory.stat": f"cache {MB}\nrss {MB}\ntotal_cache {30 * MB}\ntotal_rss {400 * MB}\n"
                                      "total_pgmajfault 4906\n",
                       "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n",
                       "memory.max_usage_in_bytes": str(512 * MB)}.items():
        (tmp_path / name).write_text(text)
    report = cgroup.MemoryCgroup(tmp_path, 1, 512).report()
    assert (report.peak_mb, report.oom_kills) == (512, 4)
    assert (report.anon_mb, report.cache_mb, report.major_faults) == (400, 30, 4906)  # the group's totals
    assert "OOM kills 4" in report.line() and "peak 512 MB" in report.line()


def test_a_version_2_group_reports_from_its_events(cgroup, tmp_path):
    (tmp_path / "memory.stat").write_text(f"anon {300 * MB}\nfile {100 * MB}\npgmajfault 7\n")
    (tmp_path / "memory.events").write_text("low 0\nhigh 0\nmax 25\noom 0\noom_kill 0\n")
    (tmp_path / "memory.peak").write_text(str(450 * MB))
    report = cgroup.MemoryCgroup(tmp_path, 2, 512).report()
    assert (report.peak_mb, report.oom_kills, report.anon_mb, report.cache_mb, report.major_faults) == (
        450, 0, 300, 100, 7)


def test_no_controller_is_a_cgroup_error_with_the_reason(cgroup, tmp_path, monkeypatch):
    monkeypatch.setattr(cgroup, "ROOT", tmp_path)  # neither cgroup.controllers nor memory/
    with pytest.raises(cgroup.CgroupError, match="no cgroup memory controller"), cgroup.memory_cgroup(512):
        pass


def test_benchmark_app_refuses_a_memory_limit_with_its_in_process_run(tmp_path, monkeypatch, capsys):
    # the in-process run maps the portfolio in the benchmark's own process: those pages stay resident
    # outside the server's cgroup and flattered its figures
    from tests.scripts.script_support import SCRIPTS

    monkeypatch.syspath_prepend(str(SCRIPTS))
    with script_module("benchmark_app") as bench:
        assert bench.main(["--model-dir", str(tmp_path), "--memory-limit-mb", "512"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --memory-limit-mb needs --skip-in-process") and err.count("\n") == 1
