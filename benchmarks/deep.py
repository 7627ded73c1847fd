"""Deep-history benchmarks: rjc's audit commands, a mutation, sync and clone on repositories with years of commits.

    python -m benchmarks.deep --sizes 1000 10000

benchmarks/run.py commits its synthetic records as one commit, so nothing that depends on how
deep the history is gets measured there. Here the same records (benchmarks/synth.py) are
replayed as the commits rjc would have made over the twenty years they span, about ten a record:
each record is created, then changed once for each dated entry it holds (a case's statuses,
contacts, agreements, payments, hours; a panel's notices; a volunteer's trainings...), entries of
one day each in its own commit, and edited a few times (`rjc edit`: a phone, an address, a note
completed later). Every commit has rjc's subject (action and id only), trailers and author. An
intermediate version is the record with its entries after that point left out and its later-edited
fields at their older values; the last commit of each record writes synth's file exactly. One
`git fast-import` writes it all; then rjc's repository settings and maintenance (a commit-graph
with changed-path filters) are applied, the tree is checked out and rjc.coordinator set.
Repositories are generated once into benchmarks/repos/deep-N/ (not versioned) and reused.

Each figure is the median of several fresh-process runs, beside the plain git command doing the
same walk, measured in the same run.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from benchmarks.run import REPOS, RJC, Row, measured, sections_by_size, timed
from rjc.model import SCHEMA_VERSION

PER_RECORD = 60  # versions a record's life is replayed as, at most (its creation included)
KIND_DIRS = ("people", "referrals", "cases", "panels", "volunteers")
CREATED = {"cases": "referral accept", "referrals": "referral new", "people": "new person",
           "panels": "panel schedule", "volunteers": "volunteer add"}
KIND_NAMES = {"cases": "case", "referrals": "referral", "people": "person", "panels": "panel",
              "volunteers": "volunteer"}
# Plain edits (`rjc edit`) over a record's life, fewest and most: a person's phone or address,
# a referral's details, a contact's note completed later. They bring the replay to about ten
# commits a record, what a center makes.
EDITS = {"people": (4, 8), "referrals": (4, 8), "cases": (5, 12), "panels": (4, 8), "volunteers": (3, 7)}
EDIT_SPAN = 3 * 365  # days after its creation a record with no later entries may be edited
NAME_KEYS = frozenset({"given_name", "family_name", "town", "email", "phone", "name"})
BEFORE = frozenset({"date_of_birth", "offense_date"})  # dates from before a record was made
PHONE = re.compile(r"\d{3}-\d{3}-\d{4}")
# The list (or dated field) that grew in a change -> the command that grows it.
ACTIONS = {
    "cases": {"status_history": "case status", "contacts": "case note", "agreements": "agreement new",
              "items": "agreement item", "payments": "agreement pay", "hours": "agreement log",
              "logged": "agreement log", "participants": "victim choose", "meetings": "circle meeting",
              "roster": "circle add", "circle": "circle phase", "internship": "internship set",
              "diversion": "case status", "sessions": "case session", "goals": "case goal",
              "closure": "case close", "services": "case service"},
    "referrals": {"screening": "referral accept"},
    "panels": {"docket": "panel schedule", "notices": "panel notice", "history": "panel record"},
    "volunteers": {"trainings": "volunteer train", "background_checks": "volunteer check"},
}
DAY_START, DAY_SECONDS = 8 * 3600, 9 * 3600  # commits of a day spread over 08:00-17:00
Q = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader
D = yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper


def _first_date(item: dict) -> dt.date | None:
    return next((v for v in item.values() if isinstance(v, dt.date)), None)


class Life:
    """One record's replay. Every dated list entry and dated mapping is an event stamped
    (day, order in the file); every plain edit is stamped (day, after that day's events) and
    holds a field's older value. The version as of a stamp leaves out the events after it and
    shows the older value of the fields edited after it."""

    def __init__(self, kind: str, number: int, data: dict, floor: dt.date, horizon: dt.date):
        self.data = data
        self.stamps: dict[int, tuple[dt.date, int]] = {}  # id(entry) -> its stamp
        self.older: dict[int, dict[str, tuple[tuple[dt.date, int], str]]] = {}  # id(mapping) -> key -> (stamp, value)
        events: list[tuple[dt.date, int, str]] = []
        leaves: list[tuple[dict, str, str, tuple | None]] = []  # (mapping, key, value, its entry's stamp)
        self._walk(data, "", events, leaves, None)
        rng = random.Random(number)
        dates = [d for d, _, _ in events] + [v for k, v in data.items() if isinstance(v, dt.date) and k not in BEFORE]
        if dates:
            born = min(dates)
        else:  # made some day in the year its id names
            year = int(data["id"].split("-")[1])
            born = min(dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365)), horizon)
        events.sort()
        first = events[0] if events and events[0][0] <= born else None  # made with its record
        later = [e for e in events if e is not first]
        lowest, highest = EDITS[kind]
        chosen = rng.sample(leaves, min(rng.randint(lowest, highest), len(leaves)))
        if len(later) > PER_RECORD - 1 - len(chosen):  # evenly spaced, always ending with the last change
            keep = PER_RECORD - 1 - len(chosen)
            step = len(later) / keep
            later = [later[round((i + 1) * step) - 1] for i in range(keep)]
        last = max((d for d, _, _ in later), default=born)
        span = (last - born).days if last > born else EDIT_SPAN
        edits = []
        for order, (mapping, key, value, entry) in enumerate(chosen):
            start = max(born, entry[0]) if entry else born  # a field of an entry changes once it is there
            day = min(start + dt.timedelta(days=rng.randint(0, max(0, (born - start).days + span))), horizon)
            stamp = (day, 1_000_000 + order)  # after the day's events
            self.older.setdefault(id(mapping), {})[key] = (stamp, _older(value, rng))
            edits.append((day, 1_000_000 + order, "edit"))
        self.born = born
        self.creation = (first[0], first[1]) if first else (born, 0)
        # (day, stamp, action key) of each version after the first, in order
        self.versions = sorted([(d, (d, o), k) for d, o, k in later] +
                               [(d, (d, o), k) for d, o, k in edits])

    def _walk(self, value, key: str, events: list, leaves: list, entry: tuple | None) -> None:
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    self._entry(item, _first_date(item), key, events, leaves, entry)
        elif isinstance(value, dict):
            self._entry(value, _first_date(value) if key else None, key, events, leaves, entry)

    def _entry(self, mapping: dict, day: dt.date | None, key: str, events: list, leaves: list,
               entry: tuple | None) -> None:
        if not day:
            self._walk_mapping(mapping, events, leaves, entry)
            return
        # An entry is there from its first date or its earliest inner entry, whichever came first
        # (an agreement item's first date is its completion; its logged hours come before).
        at = len(events)
        events.append(None)
        self._walk_mapping(mapping, events, leaves, (day, at + 1))
        day = min([day] + [e[0] for e in events[at + 1:]])
        self.stamps[id(mapping)] = (day, at + 1)
        events[at] = (day, at + 1, key)

    def _walk_mapping(self, mapping: dict, events: list, leaves: list, entry: tuple | None) -> None:
        for k, v in mapping.items():
            if isinstance(v, str):
                if " " in v or k in NAME_KEYS:
                    leaves.append((mapping, k, v, entry))
            else:
                self._walk(v, k, events, leaves, entry)

    def as_of(self, cut: tuple[dt.date, int]):
        return self._as_of(self.data, cut)

    def _as_of(self, value, cut):
        if isinstance(value, list):
            return [self._as_of(item, cut) for item in value
                    if not isinstance(item, dict) or self.stamps.get(id(item), cut) <= cut]
        if isinstance(value, dict):
            older = self.older.get(id(value), {})
            out = {}
            for k, v in value.items():
                if isinstance(v, dict) and self.stamps.get(id(v), cut) > cut:
                    continue
                if k in older and older[k][0] > cut:
                    out[k] = older[k][1]
                else:
                    out[k] = self._as_of(v, cut)
            return out
        return value


def _older(value: str, rng: random.Random) -> str:
    """What a field held before an edit: another phone number, a shorter note, a typo."""
    if PHONE.fullmatch(value):
        return value[:-4] + "".join(rng.choice("0123456789") for _ in range(4))
    words = value.split(" ")
    if len(words) > 2:
        return " ".join(words[:len(words) * 2 // 3])
    if len(value) > 3:
        i = rng.randrange(1, len(value) - 2)
        swapped = value[:i] + value[i + 1] + value[i] + value[i + 2:]
        if swapped != value:
            return swapped
    return value + " (to confirm)"


def _plan(root: Path, floor: dt.date, horizon: dt.date) -> tuple[list[tuple], list[tuple[str, str, bytes]]]:
    """Every record's versions as (day, record, version, cut, action); the records as
    (kind, relpath, bytes). Version 0 is the record's creation, the last one synth's file."""
    records, plan = [], []
    for kind in KIND_DIRS:
        for path in sorted((root / kind).glob("*/*/*.yaml")):
            raw = path.read_bytes()
            number = len(records)
            life = Life(kind, number, yaml.load(raw, Loader=Q), floor, horizon)
            records.append((kind, path.relative_to(root).as_posix(), raw))
            plan.append((min(max(life.born, floor), horizon), number, 0, life.creation, CREATED[kind]))
            for version, (day, cut, key) in enumerate(life.versions, 1):
                action = "edit" if key == "edit" else ACTIONS.get(kind, {}).get(key, "edit")
                plan.append((min(max(day, floor), horizon), number, version, cut, action))
    plan.sort(key=lambda p: p[:3])
    return plan, records


def _coordinators(root: Path) -> dict[str, tuple[str, str]]:
    settings = yaml.load((root / "rjc.yaml").read_bytes(), Loader=Q)
    return {c["code"]: (c["name"], c.get("email") or f"{c['code'].lower()}@rjc.invalid")
            for c in settings.get("coordinators", [])}


def _data(out, text: bytes) -> None:
    out.write(b"data %d\n" % len(text))
    out.write(text)
    out.write(b"\n")


def generate(root: Path, size: int) -> dict:
    """Synth's records of about `size`, replayed as years of commits into `root`."""
    from benchmarks.synth import HORIZON, generate_synthetic
    from rjc.storage import private
    from rjc.storage.gitrepo import TRAILER_ACTOR, TRAILER_COMMAND, Git

    started = time.perf_counter()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    generate_synthetic(root, size, seed=1)
    synthesized = time.perf_counter() - started
    floor = dt.date(HORIZON.year - 19, 1, 1)
    plan, records = _plan(root, floor, HORIZON)
    people = _coordinators(root)
    others = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                    if p.is_file() and p.relative_to(root).parts[0] not in KIND_DIRS)

    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    git = Git(root)
    git.configure()
    per_day: dict[dt.date, int] = {}
    for day, *_ in plan:
        per_day[day] = per_day.get(day, 0) + 1
    first_code = next(iter(people))
    importer = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=root, stdin=subprocess.PIPE)
    out = importer.stdin
    assert out is not None

    def commit(stamp: int, code: str, subject: str, command: str, files: list[tuple[str, bytes]]) -> None:
        name, email = people.get(code, (code, f"{code.lower()}@rjc.invalid"))
        who = f"{name} <{email}> {stamp} +0000".encode()
        out.write(b"commit refs/heads/main\nauthor " + who + b"\ncommitter " + who + b"\n")
        _data(out, f"{subject}\n\n{TRAILER_COMMAND}: {command}\n{TRAILER_ACTOR}: {code}\n".encode())
        for relpath, text in files:
            out.write(f"M 100644 inline {relpath}\n".encode())
            _data(out, text)

    epoch = dt.datetime(floor.year, floor.month, floor.day, tzinfo=dt.UTC)
    commit(int(epoch.timestamp()) + DAY_START - 60, first_code, "init records repository", "init",
           [(p, (root / p).read_bytes()) for p in others])
    last_version = {}
    for _, number, version, _, _ in plan:
        last_version[number] = version
    loaded: dict[int, tuple[dict, bytes]] = {}  # records in the middle of their life
    seen_day, index = None, 0
    commits = 1
    for day, number, version, cut, action in plan:
        index = index + 1 if day == seen_day else 0
        seen_day = day
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        stamp = int(midnight.timestamp()) + DAY_START + index * DAY_SECONDS // per_day[day]
        kind, relpath, raw = records[number]
        if version == last_version[number]:
            text = raw  # the last commit writes synth's file exactly
            loaded.pop(number, None)
        else:
            if number not in loaded:
                loaded[number] = (Life(kind, number, yaml.load(raw, Loader=Q), floor, HORIZON), b"")
            life, before = loaded[number]
            header = raw.split(b"\n", 1)[0] + b"\n"
            text = header + yaml.dump(life.as_of(cut), Dumper=D, sort_keys=False,
                                      allow_unicode=True, width=100).encode()
            if text == before:
                continue
            loaded[number] = (life, text)
        record_id = relpath.rsplit("/", 1)[1].removesuffix(".yaml")
        code = record_id.split("-")[2]
        if action == "edit":  # rjc edit's subject names the kind
            commit(stamp, code, f"edit {KIND_NAMES[kind]} {record_id}", "edit", [(relpath, text)])
        else:
            commit(stamp, code, f"{action} {record_id}", action, [(relpath, text)])
        commits += 1
    out.write(b"done\n")
    out.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    imported = time.perf_counter() - started
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=root, check=True)
    git.config_set("rjc.coordinator", "KB")
    git.write_commit_graph()
    git.run("maintenance", "run", "--task=loose-objects", check=False)
    counter = private.file(root, private.MAINTENANCE)
    counter.parent.mkdir(parents=True, exist_ok=True)
    counter.write_text("0")
    return {"records": len(records), "commits": commits, "synth s": synthesized,
            "import s": imported - synthesized, "total s": time.perf_counter() - started}


def repository(size: int) -> Path:
    """The repository of `size` records, generated once; again when rjc's file format changed
    since (rjc refuses an older format until `rjc migrate`, which would be one commit of all)."""
    root = REPOS / f"deep-{size}"
    if (root / ".git" / "objects" / "info" / "commit-graphs").exists():
        if f"schema_version: {SCHEMA_VERSION}\n" in (root / "rjc.yaml").read_text(encoding="utf-8"):
            return root
        shutil.rmtree(root)
    print(f"generating the history of {size:,} records in {root} ...", file=sys.stderr)
    stats = generate(root, size)
    print("  " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in stats.items()),
          file=sys.stderr)
    return root


def git_out(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def at_size(size: int) -> tuple[list[Row], str]:
    from rjc.storage import private

    root = repository(size)
    env = {**os.environ, "RJC_RECORDS": str(root), "RJC_COORDINATOR": "KB"}
    rows: list[Row] = []
    notes: list[str] = []
    commits = int(git_out(root, "rev-list", "--count", "HEAD"))
    last = dt.date.fromisoformat(git_out(root, "log", "-1", "--format=%as"))
    month = (last - dt.timedelta(days=30)).isoformat()
    kb = "<{}>".format(_coordinators(root)["KB"][1])
    # The case with the longest history, among the 200 most recently created.
    cases = git_out(root, "log", "--format=%s", "--grep=^referral accept C-", "-n", "200").split()
    # Commits per record, counted from every subject in one walk (a rev-list per case would walk
    # the whole history 200 times: minutes at a million commits).
    per_record = collections.Counter(line.rsplit(" ", 1)[-1] for line in git_out(root, "log", "--format=%s").splitlines())
    case = max((c for c in cases if c.startswith("C-")), key=lambda c: per_record[c])
    case_path = _path(root, case)
    fmt = "--format=%H%x1f%an%x1f%aI%x1f%s%x1f%(trailers:key=Rjc-Command,valueonly)"

    def row(name, command, base_name, base_command, runs=7, before=None, after=None):
        base = timed(base_command, cwd=root, runs=runs, before=before)
        if after:
            after()
        seconds, peak = measured(command, env=env, runs=runs, before=before)
        if after:
            after()
        rows.append((name, seconds, base_name, base, peak))

    # The audit index, built once from the whole history (by the first command that needs it).
    index = private.location(root) / private.AUDIT

    def no_index():
        for found in index.parent.glob(private.AUDIT + "*"):
            found.unlink()

    row("rjc history CASE, first (builds the audit index)", [RJC, "history", case],
        "git log --raw (the whole history)", ["git", "log", "--raw", "--no-abbrev", "--format=%H %P"], runs=1,
        before=no_index)
    notes.append(f"audit index {index.stat().st_size / 2**20:.0f} MB")
    row("rjc whoami (start-up)", [RJC, "whoami"], "git rev-parse HEAD", ["git", "rev-parse", "HEAD"])
    row("rjc log --limit 20", [RJC, "log", "--limit", "20"], "git log -n 20", ["git", "log", fmt, "-n", "20"])
    row("rjc log --coordinator KB --limit 50", [RJC, "log", "--coordinator", "KB", "--limit", "50"],
        "git log --author -n 50", ["git", "log", fmt, f"--author={kb}", "-n", "50"])
    row("rjc log --since (last month)", [RJC, "log", "--since", month], "git log --since",
        ["git", "log", fmt, f"--since={month} 00:00"])
    row("rjc log --record CASE --limit 20", [RJC, "log", "--record", case, "--limit", "20"],
        "git log -n 20 -- path", ["git", "log", fmt, "-n", "20", "--", case_path])
    row("rjc history CASE", [RJC, "history", case], "git log -- path",
        ["git", "log", fmt, "--raw", "--no-abbrev", "--", case_path])

    head = git_out(root, "rev-parse", "HEAD")
    counter = root / ".git" / "rjc"
    kept = {p: p.read_bytes() for p in counter.glob("commits-since-maintenance*")}
    scratch = root / "bench.txt"

    def touch_scratch():
        scratch.write_text(str(time.time_ns()))

    def reset():  # back to the generated history, and rjc's maintenance counter with it
        subprocess.run(["git", "reset", "-q", "--hard", head], cwd=root, check=True)
        scratch.unlink(missing_ok=True)
        for path, content in kept.items():
            path.write_bytes(content)

    case_file = root / case_path

    def touch_case():  # a change git sees; the history is reset after
        with case_file.open("a") as out:
            out.write(f"# {time.time_ns()}\n")

    commit = "git -c user.name=b -c user.email=b@b commit -q -m bench -- "
    # A commit with a path makes a temporary index from HEAD's tree under the paths' common
    # directory: at the top, every tree of the repository, read through the whole pack.
    at_root, root_peak = measured(["bash", "-c", f"git add bench.txt && {commit} bench.txt"], cwd=root,
                                  before=touch_scratch)
    reset()
    same = timed(["bash", "-c", f"git add {case_path} && {commit} {case_path}"], cwd=root, before=touch_case)
    reset()
    show = timed([RJC, "show", case], env=env)
    note = ["bash", "-c", f'echo "Check-in by phone" | {RJC} case note {case} --kind phone']
    seconds, peak = measured(note, env=env)
    reset()
    rows.append(("rjc case note (+ commit)", seconds, "git add + git commit -- the case", same, peak))
    rows.append(("rjc case note (+ commit)", seconds, "the same + rjc show CASE", same + show, peak))
    rows.append(("git add + git commit -- a file at the top", at_root, "", 0.0, root_peak))
    rows += sharing(root, size, [c for c in cases if c.startswith("C-")])
    notes.insert(0, f"{commits:,} commits, case {case} ({_count(root, case_path)} commits)")
    return rows, ", ".join(notes) + "\n" + goals(rows)


def goals(rows: list[Row]) -> str:
    """The deep-history goals, each as the measured figure beside its bound."""
    figures = {(name, base_name): (seconds, base) for name, seconds, base_name, base, _ in rows}
    start_up = figures[("rjc whoami (start-up)", "git rev-parse HEAD")][0]
    lines = []

    def goal(text: str, value: float, bound: float) -> None:
        lines.append(f"  - {text}: {value * 1000:.0f} ms, bound {bound * 1000:.0f} ms: "
                     f"{'met' if value <= bound else 'not met'}")

    for name, base_name in (("rjc log --limit 20", "git log -n 20"),
                            ("rjc log --coordinator KB --limit 50", "git log --author -n 50"),
                            ("rjc log --record CASE --limit 20", "git log -n 20 -- path")):
        seconds, base = figures[(name, base_name)]
        goal(f"`{name}` <= 2x `{base_name}` + start-up", seconds, 2 * base + start_up)
    goal("`rjc history CASE` <= 300 ms", figures[("rjc history CASE", "git log -- path")][0], 0.3)
    seconds, base = figures[("rjc case note (+ commit)", "the same + rjc show CASE")]
    goal("one mutation <= 1.2x git add + commit of the file + start-up", seconds, 1.2 * base)
    seconds, base = figures[("rjc sync, 500 incoming", "git pull --rebase")]
    goal("`rjc sync` of 500 incoming <= 2x `git pull --rebase` + start-up", seconds, 2 * base + start_up)
    seconds, base = figures[("rjc clone (+ cold check)", "git clone + cold rjc check")]
    goal("`rjc clone` <= 1.5x `git clone` + a cold check", seconds, 1.5 * base)
    return "\n".join(lines)


def _notes(clone: Path, cases: list[str], count: int, coordinator: str) -> None:
    """`count` contact notes, one commit each, made by rjc's own code in `clone`, round the cases."""
    from rjc.model.vocab import ContactKind
    from rjc.storage.errors import RjcError
    from rjc.workflows import casework
    from rjc.workflows.repository import Repository

    os.environ["RJC_COORDINATOR"] = coordinator
    repo = Repository.find(clone)
    made, tried = 0, 0
    while made < count:
        try:
            casework.log_contact(repo, cases[tried % len(cases)], ContactKind("phone"), day=dt.date.today(),
                                 note="Check-in by phone", people=[])
            made += 1
        except RjcError:  # a closed case takes no notes
            pass
        tried += 1
        if tried > 20 * count:
            raise SystemExit("no case here takes notes")


def sharing(root: Path, size: int, cases: list[str]) -> list[Row]:
    """rjc sync and rjc clone against a bare remote on disk made from the deep repository, beside
    git doing the same. Incoming commits are real rjc case notes made in a second clone (by rjc's
    code, in one process); the remote and the clones are reset between runs."""
    work = REPOS / f"deep-{size}-sharing"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    bare, url = work / "origin.git", (work / "origin.git").as_uri()
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(bare)], check=True)
    base = git_out(bare, "rev-parse", "main")
    clones = {}
    for name in ("theirs", "mine", "plain"):
        clones[name] = work / name
        subprocess.run([RJC, "clone", url, str(clones[name]), "--coordinator", "KB", "--no-input"],
                       check=True, capture_output=True)
    theirs, mine, plain = clones["theirs"], clones["mine"], clones["plain"]
    half = len(cases) // 2  # incoming and local notes go to different cases
    _notes(theirs, cases[:half], 50, "KB")
    subprocess.run(["git", "push", "-q", url, "HEAD:refs/bench/in50"], cwd=theirs, check=True)
    _notes(theirs, cases[:half], 450, "KB")
    subprocess.run(["git", "push", "-q", url, "HEAD:refs/bench/in500"], cwd=theirs, check=True)
    _notes(mine, cases[half:], 50, "KB")
    subprocess.run(["git", "push", "-q", url, "HEAD:refs/bench/local50"], cwd=mine, check=True)
    subprocess.run(["git", "fetch", "-q", url, "refs/bench/*:refs/bench/*"], cwd=plain, check=True)
    subprocess.run(["git", "fetch", "-q", url, "refs/bench/*:refs/bench/*"], cwd=mine, check=True)
    env = {**os.environ, "RJC_RECORDS": str(mine), "RJC_COORDINATOR": "KB"}
    # This clone's audit index exists, so each sync below also indexes what came in.
    subprocess.run([RJC, "log", "--coordinator", "KB", "--limit", "1"], env=env, check=True, capture_output=True)

    def state(remote: str, local: str):
        def before():
            subprocess.run(["git", "update-ref", "refs/heads/main", remote], cwd=bare, check=True)
            for clone in (mine, plain):
                subprocess.run(["git", "reset", "-q", "--hard", local], cwd=clone, check=True)
                subprocess.run(["git", "update-ref", "refs/remotes/origin/main", base], cwd=clone, check=True)
        return before

    rows: list[Row] = []
    pull = ["git", "-c", "user.name=b", "-c", "user.email=b@b", "pull", "-q", "--rebase", "origin", "main"]
    for incoming in (50, 500):
        before = state(f"refs/bench/in{incoming}", base)
        git_base = timed(pull, cwd=plain, runs=5, before=before)
        seconds, peak = measured([RJC, "sync", "--no-input"], env=env, runs=5, before=before)
        rows.append((f"rjc sync, {incoming} incoming", seconds, "git pull --rebase", git_base, peak))
    before = state("refs/bench/in50", "refs/bench/local50")
    git_base = timed(["bash", "-c", " ".join(pull) + " && git push -q origin main"], cwd=plain, runs=5, before=before)
    seconds, peak = measured([RJC, "sync", "--no-input"], env=env, runs=5, before=before)
    rows.append(("rjc sync, 50 local onto 50 incoming (+ push)", seconds, "git pull --rebase + push", git_base, peak))
    subprocess.run(["git", "update-ref", "refs/heads/main", base], cwd=bare, check=True)

    target = work / "clone"

    def fresh():
        shutil.rmtree(target, ignore_errors=True)

    clone_env = {**os.environ, "RJC_RECORDS": str(target), "RJC_COORDINATOR": "KB"}
    runs = 3 if size < 100_000 else 1  # a clone of a million commits takes minutes
    git_clone = timed(["git", "clone", "-q", url, str(target)], runs=runs, before=fresh)
    cold = timed(["bash", "-c", f'git clone -q "{url}" "{target}" && "{RJC}" check > /dev/null'],
                 env=clone_env, runs=runs, before=fresh)
    seconds, peak = measured([RJC, "clone", url, str(target), "--coordinator", "KB", "--no-input"],
                             env=clone_env, runs=runs, before=fresh)
    fresh()
    rows.append(("rjc clone (+ cold check)", seconds, "git clone", git_clone, peak))
    rows.append(("rjc clone (+ cold check)", seconds, "git clone + cold rjc check", cold, peak))
    return rows


def _path(root: Path, record_id: str) -> str:
    return next((root / "cases").glob(f"*/*/{record_id}.yaml")).relative_to(root).as_posix()


def _count(root: Path, path: str) -> int:
    return int(git_out(root, "rev-list", "--count", "HEAD", "--", path))


def main() -> None:
    sections_by_size(__doc__ or "", [1000, 10000], at_size, "deep")


if __name__ == "__main__":
    main()
