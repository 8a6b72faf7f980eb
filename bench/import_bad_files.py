"""Peak memory of the importer on bad files: a corrupt .docx, a .docx zip
bomb (400 MB unpacked), tables of 50,000 rows (.docx, .xlsx, .csv, .txt),
a .docx just under the 30 MB unpacked limit (1,900 rows of long texts: the
most python-docx is ever given), and for comparison a good .docx of 1,500
rows. Each file is made first,
then read by `read_upload` in a fresh process of its own, whose peak
resident memory (VmHWM, the peak of its own memory map) is printed next to
the memory the process had before reading (the imports).

    .venv/bin/python bench/import_bad_files.py            # every case, a table
    .venv/bin/python bench/import_bad_files.py --json bomb   # one case, JSON
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import bad_import_files as bad  # noqa: E402

CASES = {
    "corrupt": (bad.corrupt_docx, "tabel.docx"),
    "bomb": (bad.docx_bomb, "bombe.docx"),
    "50000-rows-docx": (bad.docx_rows, "lang.docx"),
    "50000-rows-xlsx": (bad.xlsx_rows, "lang.xlsx"),
    "50000-rows-csv": (bad.csv_rows, "lang.csv"),
    "50000-rows-txt": (lambda: bad.text_rows().encode(), "lang.txt"),
    "28mb-text-docx": (bad.docx_large_cells, "stor.docx"),
    "good-1500-rows-docx": (lambda: bad.docx_rows(1500), "ok.docx"),
}


def _peak_mb() -> float:
    """This process's peak resident memory since its exec: VmHWM of its own
    memory map. Not getrusage's ru_maxrss: Linux carries that over exec from
    the forking parent, so a child of a big process (a long pytest run)
    would report the parent's size."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def read_one(path: Path, filename: str) -> dict:
    """In this (fresh) process: read the file, report outcome and memory."""
    import docx  # noqa: F401
    import openpyxl  # noqa: F401

    from board.errors import Refused
    from board.importer import docx_source  # noqa: F401  (imported before measuring)
    from board.importer.sources import read_upload

    data = path.read_bytes()
    before = _peak_mb()
    try:
        table = read_upload(filename, data)
        status, message = 200, f"{len(table.rows)} rækker"
    except Refused as refused:
        status, message = refused.status, refused.message
    return {"status": status, "message": message, "before_mb": before, "peak_mb": _peak_mb()}


def measure(case: str) -> dict:
    make, filename = CASES[case]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        path.write_bytes(make())
        done = subprocess.run(
            [sys.executable, __file__, "--read", str(path), filename],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result.update(case=case, file_kb=round(path.stat().st_size / 1024))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="CASE", choices=sorted(CASES))
    parser.add_argument("--read", nargs=2, metavar=("PATH", "FILENAME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        print(json.dumps(read_one(Path(args.read[0]), args.read[1]), ensure_ascii=False))
        return
    if args.json:
        print(json.dumps(measure(args.json), ensure_ascii=False))
        return
    print(f"{'case':22} {'file KB':>8} {'before MB':>10} {'peak MB':>8}  answer")
    for case in CASES:
        r = measure(case)
        print(
            f"{case:22} {r['file_kb']:>8} {r['before_mb']:>10.1f} {r['peak_mb']:>8.1f}  "
            f"{r['status']} {r['message'][:70]}"
        )


if __name__ == "__main__":
    main()
