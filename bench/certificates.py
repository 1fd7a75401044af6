"""Certificate PDF benchmark: an organization with a seal and N issued certificates (default 1,000), rendered
(a) one by one with render_certificate, (b) through the batch job run_batch as a merged PDF and as a ZIP,
(c) with bare WeasyPrint on the same HTML, to show what our helper adds and what the per-page (ZIP) path costs,
and (d) the peak memory of each batch, with the resident size after 200 certificates and at the end.

Usage: .venv/bin/python bench/certificates.py
  BENCH_CERTIFICATES=100   fewer certificates for a quick run (default 1000)
  BENCH_SINGLE=20          certificates timed one by one in (a) and (c)
  BENCH_DATABASE_URL=postgresql+psycopg://...   PostgreSQL instead of a temporary SQLite file
Each batch runs in a child process of its own so that its peak memory (VmHWM) is its own.
Prints milliseconds per certificate, wall-clock and CPU (the steadier number on a shared machine), and the load
average before and after.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LRC_INSTANCE_PATH", tempfile.mkdtemp(prefix="lrc-bench-"))

from flask import current_app, render_template  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from sqlalchemy import select  # noqa: E402

from lrc_training import create_app  # noqa: E402
from lrc_training.auth.models import Organization  # noqa: E402
from lrc_training.auth.services.identity import id_check_char  # noqa: E402
from lrc_training.certificates.models import Certificate  # noqa: E402
from lrc_training.certificates.services import batches  # noqa: E402
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate  # noqa: E402
from lrc_training.certificates.services.numbering import update_settings  # noqa: E402
from lrc_training.certificates.services.rendering import TEMPLATE, certificate_context, render_certificate, seal_path  # noqa: E402
from lrc_training.core.pdf import STATIC_BASE_URL, _fetcher_class, check_plain_context  # noqa: E402
from lrc_training.extensions import db  # noqa: E402

N = int(os.environ.get("BENCH_CERTIFICATES", "1000"))
SINGLE = int(os.environ.get("BENCH_SINGLE", "20"))
CHUNK = batches.CHUNK
SOURCE = ("exam_session", "bench")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂龑䶮晓华建国志红玉梅文博"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{os.environ['LRC_INSTANCE_PATH']}/bench.db"


def make_app():
    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url(),
                       "LRC_PUBLIC_URL": "https://lrc.example.cn"})


def memory_mib() -> tuple[float, float]:
    """(current resident set size, its high-water mark so far) of this process, MiB (Linux /proc)."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line[:5]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def make_seal(name: str) -> str:
    """A 600 px red seal on a transparent background, as an organization would upload."""
    size = 600
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((12, 12, size - 12, size - 12), outline=(200, 20, 20, 230), width=22)
    draw.regular_polygon((size / 2, size / 2, 90), 5, fill=(200, 20, 20, 230))
    for i in range(0, 360, 12):  # some detail, so the PNG is not trivially small
        draw.pieslice((60, 60, size - 60, size - 60), i, i + 4, fill=(200, 20, 20, 200))
    draw.ellipse((120, 120, size - 120, size - 120), fill=(0, 0, 0, 0))
    path = seal_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return name


def seed(app) -> tuple[int, float]:
    started = time.perf_counter()
    with app.app_context():
        db.drop_all()
        db.create_all()
        org = Organization(name="聊城市职业技能等级认定中心", kind="evaluator", region_code="371500", active=True)
        db.session.add(org)
        db.session.flush()
        update_settings(org, type_letter="S", org_code="0000", province_code="37", site_code="150001",
                        registered_name="聊城市职业技能等级认定中心", signatory="王建国",
                        seal_file=make_seal("bench-seal.png"))
        for i in range(N):
            first17 = f"371502{1970 + i % 30:04d}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
            name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)]
            issue_certificate(IssueRequest(
                kind="level", holder_name=name, issuer_organization_id=org.id, source_type=SOURCE[0],
                source_id=SOURCE[1], source_key=f"bench:{i}", id_number=first17 + id_check_char(first17),
                level=3 if i % 3 else 4, job_direction="--" if i % 5 else "企业劳动关系协调",
                issued_on=date(2026, 3, 5)))
            if i % 200 == 199:
                db.session.commit()
        db.session.commit()
        org_id = org.id
    return org_id, time.perf_counter() - started


class Clock:
    """Wall-clock and CPU seconds (this process) of the calls made through it. With other jobs on the machine,
    CPU seconds are the steadier number: they leave out the time spent waiting for a core.

    Each call starts after a full garbage collection, outside the timing, so that no call pays for collecting
    another's garbage: a full collection of this process's heap takes tens of milliseconds, and the call that
    happens to trigger one would look that much slower."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __call__(self, function, *args, **kwargs):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = function(*args, **kwargs)
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(time.process_time() - cpu)
        return result

    def per(self, n: int = 1) -> tuple[float, float]:
        """Mean wall and CPU seconds per call, or per item when one call handled n items."""
        return statistics.mean(self.wall) / n, statistics.mean(self.cpu) / n


# -- (b) + (d): one batch in a child process --------------------------------------------------------------

def batch_child(fmt: str, org_id: int) -> None:
    """Run one batch; print a JSON line with its time, memory after each chunk, peak and file size."""
    app = make_app()
    samples: list[tuple[int, float, float]] = []  # (certificates done, resident MiB, high-water MiB)
    real = batches.render_pdf_pages

    def measured(template, context):
        pages = real(template, context)
        samples.append((len(samples) * CHUNK + len(pages), *memory_mib()))
        return pages

    batches.render_pdf_pages = measured  # run_batch looks the function up in its module at call time
    with app.app_context():
        import weasyprint  # noqa: F401  - before the baseline, as in a warm scheduler process

        baseline = memory_mib()[0]
        batch = batches.create_batch(SimpleNamespace(id=None), org_id, SOURCE[0], SOURCE[1], fmt)
        db.session.commit()
        clock = Clock()
        batch = clock(batches.run_batch, batch.id)
        assert batch.status == "done", batch.error
        size = batches.batch_file(batch).stat().st_size
        total = batch.total
    # The high-water mark, not getrusage's ru_maxrss: Linux carries ru_maxrss over exec, so a child started from
    # this (large) benchmark process would report the parent's peak.
    print(json.dumps({"format": fmt, "wall": clock.wall[0], "cpu": clock.cpu[0], "total": total,
                      "baseline": baseline, "samples": samples, "peak": memory_mib()[1], "size": size}))


def run_batch_in_child(fmt: str, org_id: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--batch", fmt, str(org_id)], capture_output=True, text=True,
                         env={**os.environ, "BENCH_DATABASE_URL": database_url()}, check=False)
    if out.returncode != 0:
        raise SystemExit(f"batch {fmt} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- (a) and (c) in this process -------------------------------------------------------------------------------

def bare(html: str, **render_options) -> bytes:
    from weasyprint import HTML

    fetcher = _fetcher_class()(current_app.static_folder, current_app.static_url_path)
    return HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).write_pdf(**render_options)


def bare_pages(html: str) -> list[bytes]:
    from weasyprint import HTML

    fetcher = _fetcher_class()(current_app.static_folder, current_app.static_url_path)
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).render()
    return [document.copy([page]).write_pdf() for page in document.pages]


def font_setup(html: str) -> None:
    """Only what every render repeats before layout: a new FontConfiguration registering the four bundled
    @font-face fonts (read, copied to a temporary folder, added to Fontconfig)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _fetcher_class()(current_app.static_folder, current_app.static_url_path)
    style = html[html.index("<style>") + 7:html.index("</style>")]
    CSS(string=style, base_url=STATIC_BASE_URL, url_fetcher=fetcher, font_config=FontConfiguration())


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--batch":
        batch_child(sys.argv[2], int(sys.argv[3]))
        return

    print(f"database: {database_url().split('://')[0]}, certificates: {N}, chunk: {CHUNK}; {load()}")
    app = make_app()
    org_id, seconds = seed(app)
    print(f"seed: {N} certificates issued in {seconds:.1f} s")
    rows: list[tuple[str, tuple[float, float], str]] = []  # (what, (wall, cpu) s per certificate, note)

    with app.app_context():
        certs = list(db.session.execute(select(Certificate).order_by(Certificate.id).limit(max(SINGLE, CHUNK)))
                     .scalars())
        sample = certs[:SINGLE]
        first = Clock()
        first(render_certificate, sample[0])
        print(f"first render_certificate (imports WeasyPrint, first font load): {first.wall[0]:.2f} s")

        contexts = [certificate_context(c) for c in certs]
        htmls = [render_template(TEMPLATE, certificates=[ctx]) for ctx in contexts[:SINGLE]]

        # (a) one by one through our helper; (c) bare WeasyPrint on the same HTML (rendered by Jinja beforehand),
        # with a new font configuration per render as the helper does, and with one shared by all renders.
        # Taken in turns, in a rotating order, so that all three see the same load.
        from weasyprint.text.fonts import FontConfiguration

        shared_config = FontConfiguration()
        helper, single, shared = Clock(), Clock(), Clock()
        for i, (cert, html) in enumerate(zip(sample, htmls, strict=True)):
            calls = [lambda c=cert: helper(render_certificate, c), lambda h=html: single(bare, h),
                     lambda h=html: shared(bare, h, font_config=shared_config)]
            for call in calls[i % 3:] + calls[:i % 3]:
                call()
        wall, cpu = helper.per()
        rows.append(("(a) render_certificate, one by one", (wall, cpu),
                     f"x {N}: {wall * N / 60:.1f} min wall, {cpu * N / 60:.1f} min CPU"))
        context = Clock()
        for cert in sample:
            context(certificate_context, cert)
        rows.append(("    of which certificate_context (QR, seal)", context.per(), ""))

        def template_only(ctx):
            check_plain_context({"certificates": [ctx]})
            return render_template(TEMPLATE, certificates=[ctx])

        jinja = Clock()
        for ctx in contexts[:SINGLE]:
            jinja(template_only, ctx)
        rows.append(("    of which plain-value check + Jinja", jinja.per(), ""))
        rows.append(("(c) bare WeasyPrint, one per document", single.per(),
                     f"so the helper adds {(helper.per()[1] - single.per()[1]) * 1000:+.0f} ms CPU"))
        setup = Clock()
        for html in htmls[:5]:
            setup(font_setup, html)
        rows.append(("    of which font setup (new FontConfiguration)", setup.per(), "repeated by every render"))
        rows.append(("    same, one FontConfiguration for all", shared.per(), "what a cached font config would give"))

        n = min(CHUNK, len(contexts))
        chunk_html = render_template(TEMPLATE, certificates=contexts[:n])
        merge = Clock()
        merged = merge(bare, chunk_html)
        rows.append((f"(c) bare WeasyPrint, {n} in one document", merge.per(n),
                     f"{len(merged) / n / 1024:.0f} KiB per certificate"))
        per_page = Clock()
        pages = per_page(bare_pages, chunk_html)
        rows.append((f"(c) bare, {n} laid out once, each page written", per_page.per(n),
                     f"as render_pdf_pages; {statistics.mean(map(len, pages)) / 1024:.0f} KiB per file"))
        db.session.remove()

    # (b) + (d) the batch job, each format in a fresh process
    results = {}
    for fmt in ("pdf", "zip"):
        results[fmt] = r = run_batch_in_child(fmt, org_id)
        rows.append((f"(b) run_batch, {'merged PDF' if fmt == 'pdf' else 'ZIP'}, all {r['total']}",
                     (r["wall"] / r["total"], r["cpu"] / r["total"]),
                     f"{r['wall'] / 60:.1f} min wall in all; file {r['size'] / 1024 / 1024:.1f} MiB"))

    width = max(len(what) for what, _, _ in rows)
    print()
    print(f"{'ms per certificate':{width}}     wall      CPU  note")
    for what, (wall, cpu), note in rows:
        print(f"{what:{width}}  {wall * 1000:7.1f}  {cpu * 1000:7.1f}  {note}")

    print()
    print("batch process memory, MiB: resident (high-water mark so far) after 200 certificates and at the end")
    for fmt, r in results.items():
        samples = r["samples"]
        if not samples:  # a run too small for the sampler (BENCH_CERTIFICATES below one sampling step)
            print(f"  {fmt}: baseline {r['baseline']:.0f}; peak {r['peak']:.0f}")
            continue
        at_200 = next((sample for sample in samples if sample[0] >= 200), samples[-1])
        curve = " ".join(f"{rss:.0f}" for _, rss, _ in samples[:: max(1, len(samples) // 10)])
        print(f"  {fmt}: baseline {r['baseline']:.0f}; after {at_200[0]}: {at_200[1]:.0f} ({at_200[2]:.0f}); "
              f"after {samples[-1][0]}: {samples[-1][1]:.0f} ({samples[-1][2]:.0f}); "
              f"peak {r['peak']:.0f}; resident every few chunks: {curve}")
    print(f"\n{load()}")


if __name__ == "__main__":
    main()
