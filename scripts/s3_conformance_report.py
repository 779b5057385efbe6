"""Summary of a scripts/s3-conformance run: reads the suite's JUnit XML and the classification file
(scripts/s3_conformance_known.txt: `category<TAB>test id or fnmatch pattern<TAB>why`), prints the failures grouped by
category (unlisted failures are "ours") and the pass count. Usage: s3_conformance_report.py results.xml known.txt"""

import fnmatch
import sys
import xml.etree.ElementTree as ET

CATEGORIES = {
    "ours": "Ours to fix (S3 behaviour the emulator gets wrong)",
    "suite": "The suite's fake values (moto's behaviour where AWS differs, moto's ids/accounts/messages)",
    "moto": "moto-internal (decorator mode, moto's backends or moto-only endpoints)",
    "absent": "Not emulated (a feature the README lists as not yet, or another service)",
}


def load_known(path):
    known = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            category, pattern, *why = line.split("\t")
            if category not in CATEGORIES:
                raise SystemExit(f"{path}: unknown category {category!r} in {line!r}")
            known.append((category, pattern, why[0] if why else ""))
    return known


def classify(name, known):
    for category, pattern, why in known:
        if fnmatch.fnmatchcase(name, pattern):
            return category, why
    return "ours", ""


def main():
    results, known_path = sys.argv[1], sys.argv[2]
    known = load_known(known_path)
    passed, skipped = 0, 0
    failed = {category: [] for category in CATEGORIES}
    for case in ET.parse(results).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        if case.find("skipped") is not None:
            skipped += 1
        elif case.find("failure") is not None or case.find("error") is not None:
            category, why = classify(name, known)
            failed[category].append((name, why))
        else:
            passed += 1
    total_failed = sum(len(names) for names in failed.values())
    for category, title in CATEGORIES.items():
        if not failed[category]:
            continue
        print(f"== {title}: {len(failed[category])}")
        for name, why in failed[category]:
            print(f"FAILED {name}" + (f"  ({why})" if why else ""))
    counts = ", ".join(f"{len(failed[c])} {c}" for c in CATEGORIES)
    print(f"moto tests/test_s3 in server mode: {passed} of {passed + total_failed} passed, {total_failed} failed "
          f"({counts}), {skipped} skipped")


if __name__ == "__main__":
    main()
