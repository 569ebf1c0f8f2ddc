#!/usr/bin/env python3
"""Confusion table of Lathe's diagnosis against labelled folders (issue 17).

    tests/bench/diagnosis-table.py LABELS.tsv [--cli build/app/lathe-cli] [--jobs N]

LABELS.tsv (tests/bench/lathe-bench-folders writes one; write your own for real folders): one line per folder,
tab-separated: folder, expected verdict, expected file name ("" for none), expected finding kind ("" for none),
expected figure ("" for none), tolerance, finding kinds that must not appear (comma-separated), a description,
and "yes" when the case changes no stem but the expected file (optional).
Runs `lathe-cli advise --json` on each folder and prints every case, the verdicts' confusion table (expected x
got), the findings' table (expected kind x what advise said about the expected file) and the accuracy. A case is
right when the verdict matches, the expected finding names the expected file (with its figure within the
tolerance), no absent kind appears and, where the other stems are untouched, no finding names one of them beyond
what the folder labelled "clean" (if any) gets named for. Exit 0 when every case is right, 1 otherwise.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys

VERDICTS = ["stereo_mastering", "stem_mastering", "mix_revision", "fix_delivery"]


def read_labels(path):
    cases = []
    base = os.path.dirname(os.path.abspath(path))
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        f += [""] * (9 - len(f))
        folder = f[0] if os.path.isabs(f[0]) else os.path.join(base, f[0])
        cases.append({"folder": folder, "verdict": f[1], "file": f[2], "finding": f[3],
                      "figure": float(f[4]) if f[4] else None, "tolerance": float(f[5] or 0),
                      "absent": [a for a in f[6].split(",") if a], "defect": f[7],
                      "untouched": f[8] == "yes"})
    return cases


def judge(case, cli):
    run = subprocess.run([cli, "advise", case["folder"], "--json"], capture_output=True, text=True)
    # A folder with a file Lathe cannot read still gets its verdict (fix_delivery), with exit status 1.
    try:
        advice = json.loads(run.stdout)
    except ValueError:
        return {"verdict": "error", "finding": "error", "right": False, "note": run.stderr.strip()[:200]}
    findings = advice.get("findings", [])
    got = advice["recommendation"]
    name = lambda f: os.path.basename(f.get("file", ""))
    finding_state, note = "none expected", ""
    if case["finding"]:
        mine = [f for f in findings if f["kind"] == case["finding"] and name(f) == case["file"]]
        on_file = [f["kind"] for f in findings if case["file"] and name(f) == case["file"]]
        if mine:
            finding_state = "named"
            if case["figure"] is not None:
                fig = mine[0]["figure"]
                if abs(fig - case["figure"]) > case["tolerance"] + 1e-9:
                    finding_state = "wrong figure"
                note = "figure %.2f %s (conf %.2f)" % (fig, mine[0]["unit"], mine[0]["confidence"])
            else:
                note = "conf %.2f" % mine[0]["confidence"]
        elif on_file:
            finding_state, note = "other kind", ",".join(on_file)
        else:
            finding_state = "not named"
    leaked = [f["kind"] + "@" + name(f) for f in findings if f["kind"] in case["absent"]]
    if leaked:
        note += " leaked: " + ",".join(leaked)
    right = got == case["verdict"] and finding_state in ("named", "none expected") and not leaked
    mix = os.path.basename((advice.get("validation", {}).get("mix") or {}).get("path", ""))
    others = [f["kind"] + "@" + name(f) for f in findings if name(f) not in ("", mix, case["file"])]
    return {"verdict": got, "finding": finding_state, "right": right, "note": note,
            "confidence": advice.get("confidence", 0), "others": others}


def check_untouched_stems(cases, results):
    """No finding leaks onto a stem the case did not change, beyond what the clean folder's stems are named for."""
    clean = [r for c, r in zip(cases, results) if os.path.basename(c["folder"]) == "clean"]
    allowed = set(clean[0].get("others", [])) if clean else set()
    for c, r in zip(cases, results):
        leaked = [o for o in r.get("others", []) if c["untouched"] and o not in allowed]
        if leaked:
            r["right"] = False
            r["note"] += " leaked: " + ",".join(leaked)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("labels")
    p.add_argument("--cli", default="build/app/lathe-cli")
    p.add_argument("--jobs", type=int, default=2)
    a = p.parse_args()
    cases = read_labels(a.labels)
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        results = list(pool.map(lambda c: judge(c, a.cli), cases))
    check_untouched_stems(cases, results)

    print("%-28s %-17s %-17s %-5s %-14s %s" % ("folder", "expected", "got", "conf", "finding", "note"))
    for c, r in zip(cases, results):
        print("%-28s %-17s %-17s %-5.2f %-14s %s%s" % (
            os.path.basename(c["folder"]), c["verdict"], r["verdict"], r.get("confidence", 0), r["finding"],
            r["note"], "" if r["right"] else "   <-- WRONG"))

    print("\nVerdicts: expected (rows) x got (columns)")
    cols = VERDICTS + sorted({r["verdict"] for r in results} - set(VERDICTS))
    print("%-18s" % "" + "".join("%18s" % v for v in cols))
    for v in VERDICTS:
        row = [sum(1 for c, r in zip(cases, results) if c["verdict"] == v and r["verdict"] == g) for g in cols]
        print("%-18s" % v + "".join("%18d" % n for n in row))

    print("\nFindings: expected kind (rows) x what advise said about the expected file")
    states = ["named", "wrong figure", "other kind", "not named"]
    print("%-18s" % "" + "".join("%14s" % s for s in states))
    for kind in sorted({c["finding"] for c in cases if c["finding"]}):
        row = [sum(1 for c, r in zip(cases, results) if c["finding"] == kind and r["finding"] == s) for s in states]
        print("%-18s" % kind + "".join("%14d" % n for n in row))

    n = len(cases)
    verdicts = sum(1 for c, r in zip(cases, results) if c["verdict"] == r["verdict"])
    labelled = [(c, r) for c, r in zip(cases, results) if c["finding"]]
    named = sum(1 for c, r in labelled if r["finding"] == "named")
    right = sum(1 for r in results if r["right"])
    print("\nverdicts right %d/%d (%.0f %%), expected findings named %d/%d, cases right %d/%d (%.0f %%)" % (
        verdicts, n, 100.0 * verdicts / max(n, 1), named, len(labelled), right, n, 100.0 * right / max(n, 1)))
    return 0 if right == n else 1


if __name__ == "__main__":
    sys.exit(main())
