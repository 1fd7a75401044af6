"""PDF rendering benchmark: the 培训结业证明 sample (four bundled CJK faces, a QR code) rendered N times.

Usage: .venv/bin/python bench/pdf_render.py   (BENCH_PDF_RENDERS=50 for more runs)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LRC_INSTANCE_PATH", tempfile.mkdtemp(prefix="lrc-bench-"))

import segno  # noqa: E402

from lrc_training import create_app  # noqa: E402
from lrc_training.core.pdf import render_pdf  # noqa: E402

RENDERS = int(os.environ.get("BENCH_PDF_RENDERS", "20"))


def main() -> None:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    context = {
        "number": "PX-2026-000123",
        "holder_name": "张龑䶮",
        "id_type": "居民身份证",
        "id_number": "370102********123X",
        "course_title": "劳动关系协调师（三级）职业技能培训",
        "level_label": "三级/高级工",
        "start_date": date(2026, 3, 2),
        "end_date": date(2026, 4, 10),
        "hours": Decimal("96"),
        "organization_name": "济南市劳动关系协调员职业培训学校",
        "issue_date": date(2026, 4, 15),
        "qr_code": segno.make("https://lrc.example.cn/verify/PX2026000123").png_data_uri(scale=3),
    }
    with app.app_context():
        start = time.perf_counter()
        pdf = render_pdf("pdf/training_completion.html", context)
        first = time.perf_counter() - start
        times = []
        for _ in range(RENDERS):
            start = time.perf_counter()
            render_pdf("pdf/training_completion.html", context)
            times.append(time.perf_counter() - start)
    times.sort()
    print(f"first render (imports WeasyPrint): {first * 1000:.0f} ms")
    print(f"{RENDERS} renders: median {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms; PDF {len(pdf) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
