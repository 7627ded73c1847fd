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
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True)
        times.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {result.stderr.decode()[-500:]}")
    return statistics.median(times)


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


def yaml_alone(root: Path) -> float:
    """PyYAML's C loader alone over every record file (one core), in seconds."""
    code = ("import sys, yaml, pathlib\n"
            "for p in pathlib.Path(sys.argv[1]).glob('*/*/*/*.yaml'):\n"
            "    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)\n")
    return timed([sys.executable, "-c", code, str(root)], runs=3)


def first(root: Path, directory: str) -> str:
    return sorted((root / directory).glob("*/*/*.yaml"))[0].stem


def startup() -> list[tuple[str, float, str, float]]:
    baseline = timed([sys.executable, "-c", "pass"], runs=15)
    return [
        ("python -c pass", baseline, "", 0),
        ("rjc --version", timed([RJC, "--version"], runs=15), "python -c pass", baseline),
        ("rjc --help", timed([RJC, "--help"], runs=15), "python -c pass", baseline),
    ]


def at_size(size: int) -> list[tuple[str, float, str, float]]:
    root = repository(size)
    env = {**os.environ, "RJC_RECORDS": str(root), "RJC_COORDINATOR": "KB"}
    case = first(root, "cases")
    case_path = next((root / "cases").glob(f"*/*/{case}.yaml")).relative_to(root).as_posix()
    rows = [("rjc show CASE", timed([RJC, "show", case], env=env), "", 0)]
    loader = yaml_alone(root)
    rows.append(("rjc list cases --status open", timed([RJC, "list", "cases", "--status", "open"], env=env, runs=3),
                 "C loader alone, all files", loader))
    rows.append(("rjc check", timed([RJC, "check"], env=env, runs=3), "C loader alone, all files", loader))

    # One mutation, against plain git doing the same amount of committing.
    scratch = root / "bench.txt"

    def touch_scratch():
        scratch.write_text(str(time.time_ns()))

    git_commit = timed(["bash", "-c", "git add bench.txt && git -c user.name=b -c user.email=b@b "
                                      "commit -q -m bench -- bench.txt"], cwd=root, before=touch_scratch)
    person = HERE / "repos" / "person.yaml"
    person.write_text("given_name: Bench\n")
    rows.append(("rjc new person (+ commit)", timed([RJC, "new", "person", "-f", str(person)], env=env),
                 "git add + git commit", git_commit))
    git_log = timed(["git", "log", "--format=%H", "--", case_path], cwd=root)
    rows.append(("rjc history CASE", timed([RJC, "history", case], env=env), "git log -- path", git_log))
    return rows


def render(sections: dict[str, list[tuple[str, float, str, float]]]) -> str:
    lines = [f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}, {platform.system()}; medians.", ""]
    for title, rows in sections.items():
        lines += [f"### {title}", "", "| command | median | baseline | baseline median | ratio |",
                  "|---|---:|---|---:|---:|"]
        for name, seconds, base_name, base in rows:
            ratio = f"{seconds / base:.2f}x" if base else ""
            base_text = f"{base * 1000:.0f} ms" if base else ""
            lines.append(f"| `{name}` | {seconds * 1000:.0f} ms | {base_name} | {base_text} | {ratio} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    args = parser.parse_args()
    sections = {"start-up": startup()}
    for size in args.sizes:
        sections[f"{size:,} records"] = at_size(size)
    text = render(sections)
    print(text)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"{dt.date.today()}.md").write_text(text)


if __name__ == "__main__":
    main()
