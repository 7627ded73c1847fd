"""Benchmarks: rjc's commands on synthetic repositories, beside baselines measured in the same run.

    python -m benchmarks.run                      # start-up, then 1k and 10k records
    python -m benchmarks.run --sizes 1000 10000 100000

Each figure is the median of several runs of the real `rjc` executable, in a fresh process,
reported with its ratio to a baseline: `python -c pass` for start-up, plain `git add` +
`git commit` for a mutation, `git log -- path` for history, and PyYAML's C loader alone on the
same files for commands that read every record. Synthetic repositories are generated once into
benchmarks/repos/ (not versioned) and reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
REPOS = HERE / "repos"
BIN = Path(sys.executable).parent
RJC = str(BIN / "rjc")


def timed(command: list[str], *, cwd: Path | None = None, runs: int = 7, env: dict | None = None,
          before=None) -> float:
    """Median wall time of a command, in seconds; `before` runs untimed ahead of each run."""
    return measured(command, cwd=cwd, runs=runs, env=env, before=before)[0]


def measured(command: list[str], *, cwd: Path | None = None, runs: int = 7, env: dict | None = None,
             before=None) -> tuple[float, float]:
    """(median seconds, largest peak memory in MB) of a command run `runs` times."""
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-500:]}")
        process.stderr.close()
    return statistics.median(times), max(peaks)


def repository(size: int) -> Path:
    """A synthetic records repository of about `size` records, as a committed git repository."""
    from benchmarks.synth import generate_synthetic

    root = REPOS / f"records-{size}"
    if (root / ".git").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    print(f"generating {size:,} records in {root} ...", file=sys.stderr)
    generate_synthetic(root, size, seed=1)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@rjc.invalid"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    for key, value in (("core.splitIndex", "true"), ("core.untrackedCache", "true"),
                       ("feature.manyFiles", "true"), ("gc.auto", "0"), ("rjc.coordinator", "KB")):
        subprocess.run(["git", "config", key, value], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "synthetic records"], cwd=root, check=True)
    subprocess.run(["git", "commit-graph", "write", "--reachable", "--changed-paths"], cwd=root, check=True)
    return root


def yaml_alone(root: Path, *, cores: int = 1) -> float:
    """PyYAML's C loader alone over every record file, on `cores` processes, in seconds."""
    code = ("import sys, yaml, pathlib, multiprocessing as mp\n"
            "def load(p):\n"
            "    yaml.load(pathlib.Path(p).read_bytes(), Loader=yaml.CSafeLoader)\n"
            "paths = [str(p) for p in pathlib.Path(sys.argv[1]).glob('*/*/*/*.yaml')]\n"
            "n = int(sys.argv[2])\n"
            "if n == 1:\n"
            "    [load(p) for p in paths]\n"
            "else:\n"
            "    with mp.get_context('fork').Pool(n) as pool: pool.map(load, paths, chunksize=200)\n")
    return timed([sys.executable, "-c", code, str(root), str(cores)], runs=3)


def stat_alone(root: Path) -> float:
    """stat() of every record file: the least a warm command must do to know nothing changed."""
    code = ("import os, sys\n"
            "def walk(d):\n"
            "    for e in os.scandir(d):\n"
            "        walk(e.path) if e.is_dir() else e.stat()\n"
            "[walk(os.path.join(sys.argv[1], k)) for k in ('people','referrals','cases','panels','volunteers')]\n")
    return timed([sys.executable, "-c", code, str(root)])


def first(root: Path, directory: str) -> str:
    return sorted((root / directory).glob("*/*/*.yaml"))[0].stem


def startup() -> list[Row]:
    baseline, peak = measured([sys.executable, "-c", "pass"], runs=15)
    version, version_peak = measured([RJC, "--version"], runs=15)
    helped, help_peak = measured([RJC, "--help"], runs=15)
    return [
        ("python -c pass", baseline, "", 0.0, peak),
        ("rjc --version", version, "python -c pass", baseline, version_peak),
        ("rjc --help", helped, "python -c pass", baseline, help_peak),
    ]


Row = tuple[str, float, str, float, float]  # command, median s, baseline, baseline s, peak MB


def at_size(size: int) -> list[Row]:
    root = repository(size)
    env = {**os.environ, "RJC_RECORDS": str(root), "RJC_COORDINATOR": "KB"}
    cache = root / ".git" / "rjc" / "cache.sqlite"
    case = first(root, "cases")
    case_file = next((root / "cases").glob(f"*/*/{case}.yaml"))
    case_path = case_file.relative_to(root).as_posix()
    cores = len(os.sched_getaffinity(0))
    rows: list[Row] = []

    def row(name, command, base_name="", base=0.0, runs=7, before=None):
        seconds, peak = measured(command, env=env, runs=runs, before=before)
        rows.append((name, seconds, base_name, base, peak))

    def drop_cache():
        for suffix in ("", "-wal", "-shm"):
            Path(str(cache) + suffix).unlink(missing_ok=True)

    def change_one_file():  # a real edit: content and mtime change, the record stays valid
        text = case_file.read_text()
        case_file.write_text(text.rstrip("\n") + ("\n" if text.endswith("\n\n") else "\n\n"))

    loader_one, loader_all = yaml_alone(root), yaml_alone(root, cores=cores)
    row("cold rjc check (no cache)", [RJC, "check"], f"C loader alone, {cores} cores", loader_all, runs=3,
        before=drop_cache)
    rows.append(("(C loader alone, 1 core)", loader_one, "", 0.0, 0.0))
    stats = stat_alone(root)
    row("rjc show CASE", [RJC, "show", case])
    row("warm rjc list cases --status open", [RJC, "list", "cases", "--status", "open"], "stat() of every record", stats)
    if subprocess.run([RJC, "report", "--help"], capture_output=True).returncode == 0:
        row("warm rjc report quarterly", [RJC, "report", "quarterly", "--quarter", "2026Q1", "--year", "calendar"],
            "stat() of every record", stats, runs=5)
    row("warm rjc check", [RJC, "check"], "stat() of every record", stats, runs=5)
    row("rjc list after one file changed", [RJC, "list", "cases", "--status", "open"], before=change_one_file, runs=5)
    row("rjc check after one file changed", [RJC, "check"], before=change_one_file, runs=5)
    subprocess.run(["git", "checkout", "--quiet", "--", case_path], cwd=root, check=True)

    # One mutation, against plain git doing the same amount of committing.
    scratch = root / "bench.txt"

    def touch_scratch():
        scratch.write_text(str(time.time_ns()))

    git_commit = timed(["bash", "-c", "git add bench.txt && git -c user.name=b -c user.email=b@b "
                                      "commit -q -m bench -- bench.txt"], cwd=root, before=touch_scratch)
    person = HERE / "repos" / "person.yaml"
    person.write_text("given_name: Bench\n")
    row("rjc new person (+ commit)", [RJC, "new", "person", "-f", str(person)], "git add + git commit", git_commit)
    git_log = timed(["git", "log", "--format=%H", "--", case_path], cwd=root)
    row("rjc history CASE", [RJC, "history", case], "git log -- path", git_log)
    return rows


def render(sections: dict[str, list[Row]]) -> str:
    lines = [f"Measured {dt.date.today()} on {platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
             f"Python {platform.python_version()}, {platform.system()}; medians; peak memory is the largest "
             "of the runs.", ""]
    for title, rows in sections.items():
        lines += [f"### {title}", "", "| command | median | peak memory | baseline | baseline median | ratio |",
                  "|---|---:|---:|---|---:|---:|"]
        for name, seconds, base_name, base, peak in rows:
            ratio = f"{seconds / base:.2f}x" if base else ""
            base_text = f"{base * 1000:.0f} ms" if base else ""
            memory = f"{peak:.0f} MB" if peak else ""
            lines.append(f"| `{name}` | {seconds * 1000:.0f} ms | {memory} | {base_name} | {base_text} | {ratio} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    args = parser.parse_args()
    sections = {"start-up": startup()}
    for size in args.sizes:
        sections[f"{size:,} records"] = at_size(size)
    publish(render(sections), f"{dt.date.today()}.md")


def sections_by_size(doc: str, default: list[int], at_size, name: str) -> None:
    """The command line of a benchmark script measuring `at_size(size) -> (rows, note)` at each
    of --sizes: one table per size, printed and kept as results/NAME-DATE.md."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=default)
    args = parser.parse_args()
    sections, notes = {}, []
    for size in args.sizes:
        rows, note = at_size(size)
        sections[f"{size:,} records"] = rows
        notes.append(f"- {size:,} records: {note}")
    publish(render(sections) + "\n".join(notes) + "\n", f"{name}-{dt.date.today()}.md")


def publish(text: str, name: str) -> None:
    """Print a run's tables and keep them in benchmarks/results/ (not versioned)."""
    print(text)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / name).write_text(text)


if __name__ == "__main__":
    main()
