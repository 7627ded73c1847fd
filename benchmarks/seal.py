"""Sealing benchmarks: `rjc seal` of one case and of fifty, on the deep-history repositories
(benchmarks/deep.py: about ten commits a record), beside git-filter-repo alone replacing the
same files' versions on the same repository.

    python -m benchmarks.seal --sizes 10000

Each run works on a fresh copy of the generated repository (`cp -a`, untimed). The baseline
is filter-repo's own command line with a file-info callback that replaces every version of the
same files by a fixed text, followed by what a seal must also do and filter-repo does by
default: expire the reflogs and repack, pruning what is unreachable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from benchmarks.deep import git_out, repository
from benchmarks.run import BIN, REPOS, RJC, Row, measured, sections_by_size, timed


def _closed_cases(root: Path, count: int) -> list[str]:
    """Cases closed as completed, spread over the history: the ones a seal would take."""
    import yaml

    candidates = git_out(root, "grep", "-l", "--", "reason: completed-successfully", "--", "cases").split()
    closed = [p for p in candidates
              if (yaml.safe_load((root / p).read_text()).get("status_history") or [{}])[-1].get("status") == "closed"]
    step = max(len(closed) // count, 1)
    return [Path(p).stem for p in closed[::step][:count]]


def _with_key(root: Path, work: Path) -> None:
    """The center's sealing key in rjc.yaml, archives under `work` (one commit, made once)."""
    import yaml
    from pyrage import x25519

    settings = yaml.safe_load((root / "rjc.yaml").read_text())
    sealing = settings.setdefault("sealing", {})
    if sealing.get("public_key"):
        return
    sealing["public_key"] = str(x25519.Identity.generate().to_public())
    sealing["archive_dir"] = str(work / "archives")
    (root / "rjc.yaml").write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True))
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", "sealing key",
                    "--", "rjc.yaml"], cwd=root, check=True)


def at_size(size: int) -> tuple[list[Row], str]:
    source = repository(size)
    work = REPOS / f"deep-{size}-sealing"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    original = work / "original"
    subprocess.run(["cp", "-a", str(source), str(original)], check=True)
    _with_key(original, work)
    copy = work / "copy"
    env = {**os.environ, "RJC_RECORDS": str(copy), "RJC_COORDINATOR": "KB"}
    filter_repo = str(Path(BIN) / "git-filter-repo")
    rows: list[Row] = []
    notes = [f"{int(git_out(original, 'rev-list', '--count', 'HEAD')):,} commits"]

    def fresh():
        shutil.rmtree(copy, ignore_errors=True)
        subprocess.run(["cp", "-a", str(original), str(copy)], check=True)

    for count in (1, 50):
        cases = _closed_cases(original, count)
        paths = [p for c in cases for p in git_out(original, "ls-files", f"*/{c}.yaml").split()]
        wanted = ", ".join(repr(p.encode()) for p in paths)
        callback = (f"if filename in {{{wanted}}}:\n"
                    f"  return (filename, mode, value.insert_file_with_contents(b'sealed\\n'))\n"
                    f"return (filename, mode, blob_id)")
        base = timed(["bash", "-c", f"{filter_repo} --force --quiet --file-info-callback \"$CALLBACK\""],
                     cwd=copy, runs=3, before=fresh, env={**os.environ, "CALLBACK": callback})
        seconds, peak = measured([RJC, "expunge", *cases, "--court-order", "bench", "--yes"], env=env, runs=3,
                                 before=fresh)
        rows.append((f"rjc expunge, {count} case{'s' * (count != 1)}", seconds, "git filter-repo alone",
                     base, peak))
        seconds, peak = measured([RJC, "seal", *cases, "--court-order", "bench", "--yes"], env=env, runs=3,
                                 before=fresh)
        rows.append((f"rjc seal (+ encrypted archive), {count} case{'s' * (count != 1)}", seconds,
                     "git filter-repo alone", base, peak))
    shutil.rmtree(work, ignore_errors=True)
    return rows, ", ".join(notes)


def main() -> None:
    sections_by_size(__doc__ or "", [10000], at_size, "seal")


if __name__ == "__main__":
    main()
