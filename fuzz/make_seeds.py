#!/usr/bin/env python3
"""Regenerate fuzz/seeds/ from examples/ and the test fixtures (run from anywhere).

seeds/ts (for the `grammar` and `single_file` targets): one TypeScript file per seed (examples, grammar fixtures,
every `.ts`/`.tsx` file of the server's multi-file fixtures) plus a few hostile shapes.
seeds/workspace: one multi-file workspace per seed, files separated by 0xFF, each starting
with a line holding its path (see `alchemy_fuzz::oracle::workspace`).
"""
import hashlib
import os
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"
SEP = b"\xff"
MAX_FILES = 8


def parse_fixture(text):
    files, indent = [], 0
    for line in text.splitlines():
        trimmed = line.lstrip()
        if trimmed.startswith("//- "):
            indent = len(line) - len(trimmed)
            files.append([trimmed[4:].strip().lstrip("/"), ""])
        elif files:
            cut = len(line) - len(line.lstrip())
            files[-1][1] += line[min(cut, indent):] + "\n"
    return [(p, c) for p, c in files if not p.endswith("/")]


def workspace_seed(files):
    return SEP.join(p.encode() + b"\n" + c.encode() for p, c in files[:MAX_FILES])


def put(target, data, name=None):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    (d / name).write_bytes(data)


def main():
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    sources = {}
    workspaces = []
    for ex in sorted((ROOT / "examples").iterdir()):
        files = []
        for f in sorted(ex.rglob("*")):
            if f.is_file():
                rel = f.relative_to(ex).as_posix()
                files.append((rel, f.read_text()))
                if rel.endswith((".ts", ".tsx")):
                    sources[f"examples/{ex.name}/{rel}"] = f.read_text()
        # The stack first: with 8 files at most, the run file must not be cut.
        files.sort(key=lambda pc: (pc[0] != "alchemy.run.ts", pc[0]))
        workspaces.append(files)
    for f in sorted((ROOT / "grammar/tests/fixtures").iterdir()):
        sources[f"grammar/{f.name}"] = f.read_text()
    for f in sorted((ROOT / "server/tests/fixtures").rglob("*.txt")):
        files = parse_fixture(f.read_text())
        if not files:
            continue
        workspaces.append(files)
        for p, c in files:
            if p.endswith((".ts", ".tsx")):
                sources[f"{f.name}/{p}"] = c
    seen = set()
    for text in sources.values():
        data = text.encode()
        if data in seen:
            continue
        seen.add(data)
        put("ts", data)
    tutorial = (ROOT / "examples/cross-worker/src/workerA.ts").read_text()
    hostile = {
        "crlf": tutorial.replace("\n", "\r\n").encode(),
        "lone_cr": tutorial.replace("\n", "\r").encode(),
        "bom": b"\xef\xbb\xbf" + tutorial.encode(),
        "nul": tutorial.replace("Effect", "Eff\0ct", 1).encode(),
        "invalid_utf8": tutorial.encode().replace(b"WorkerA", b"Worker\xc3\x28A", 2),
        "emoji_cjk": tutorial.replace('"WorkerA"', '"W😀中文"').encode(),
        "deep_parens": b"const a = " + b"(" * 2000 + b"x" + b")" * 2000 + b";",
        "deep_calls": b"const a = " + b"Counter.from(" * 2000,
        "empty": b"",
    }
    for name, data in hostile.items():
        put("ts", data, name)
    for files in workspaces:
        put("workspace", workspace_seed(files))
    bad_json = [("package.json", '{ "name": '), ("tsconfig.json", '{ "compilerOptions": { "paths": [ }')]
    put("workspace", workspace_seed(workspaces[0][:6] + bad_json), "bad_json")
    put("workspace", workspace_seed(workspaces[0][:7] + [("alchemy-ls.toml", "[rules\nx = 1\n")]), "bad_config")
    for t in ("ts", "workspace"):
        print(t, len(os.listdir(SEEDS / t)))


if __name__ == "__main__":
    main()
