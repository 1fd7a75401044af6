"""Batch downloads: every certificate of a source as one merged PDF or a ZIP, built in the background by
the scheduler process in chunks (rendering state stays small however many certificates there are) and
written to a temporary file and then to the platform's storage (any node serves it), with progress the page
can show."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from flask import current_app
from pypdf import PdfWriter
from sqlalchemy import func, select, update

from ...core.audit import record_audit
from ...core.errors import NotFound, ValidationFailed
from ...core.filenames import UniqueNames
from ...core.loading import get_allowed
from ...core.pdf import render_pdf, render_pdf_pages
from ...core.scheduler import scheduled
from ...core.storage import storage
from ...db import utcnow
from ...extensions import db
from ..models import Certificate, CertificateBatch
from .rendering import TEMPLATE, certificate_contexts

CHUNK = 50
SOURCE_LABELS = {"exam_session": "认定批次", "competition": "竞赛", "competition_promotion": "竞赛晋级",
                 "import": "批量导入", "manual": "手工发证（双人复核）"}


MIME = {"pdf": "application/pdf", "zip": "application/zip"}


def batch_key(file_name: str) -> str:
    return f"batches/{file_name}"


def sources_of(organization_id: int | None) -> list[tuple[str, str | None, int]]:
    """(source type, source id, certificates) for an organization (all organizations for None)."""
    stmt = (select(Certificate.source_type, Certificate.source_id, func.count())
            .group_by(Certificate.source_type, Certificate.source_id)
            .order_by(Certificate.source_type, Certificate.source_id))
    if organization_id is not None:
        stmt = stmt.where(Certificate.issuer_organization_id == organization_id)
    return [tuple(row) for row in db.session.execute(stmt)]


def _certificates(batch: CertificateBatch):
    stmt = select(Certificate).where(Certificate.issuer_organization_id == batch.organization_id,
                                     Certificate.source_type == batch.source_type)
    if batch.source_id is None:
        stmt = stmt.where(Certificate.source_id.is_(None))
    else:
        stmt = stmt.where(Certificate.source_id == batch.source_id)
    return stmt.order_by(Certificate.id)


def get_batch_for_staff(actor, batch_id: int) -> CertificateBatch:
    """A batch of the actor's own organization; anything else is 404."""
    return get_allowed(CertificateBatch, batch_id,
                       lambda batch: actor is not None and batch.organization_id == actor.organization_id,
                       "批量下载任务不存在")


def create_batch(actor, organization_id: int, source_type: str, source_id: str | None, fmt: str) -> CertificateBatch:
    if fmt not in ("pdf", "zip"):
        raise ValidationFailed("格式应为 pdf 或 zip", {"format": "格式应为 pdf 或 zip"})
    batch = CertificateBatch(organization_id=organization_id, source_type=source_type, source_id=source_id,
                             format=fmt, status="queued", created_by_id=actor.id,
                             title=f"{SOURCE_LABELS.get(source_type, source_type)} {source_id or ''}".strip())
    total = db.session.execute(select(func.count()).select_from(_certificates(batch).subquery())).scalar_one()
    if total == 0:
        raise ValidationFailed("该来源没有证书", {"source": "该来源没有证书"})
    batch.total = total
    db.session.add(batch)
    db.session.flush()
    record_audit("certificate_batch.create", "certificate_batch", batch.id,
                 new={"source": f"{source_type}:{source_id}", "format": fmt, "total": total})
    return batch


def _claim(batch_id: int) -> bool:
    """queued → running in one UPDATE, so two scheduler runs can never build the same batch."""
    claimed = db.session.execute(update(CertificateBatch).where(
        CertificateBatch.id == batch_id, CertificateBatch.status == "queued").values(
        status="running", started_at=utcnow())).rowcount
    db.session.commit()
    return claimed == 1


def run_batch(batch_id: int, chunk: int = CHUNK) -> CertificateBatch:
    """Build one batch; commits progress after each chunk."""
    if not _claim(batch_id):
        batch = db.session.get(CertificateBatch, batch_id)
        if batch is None:
            raise NotFound("批次不存在")
        return batch
    batch = db.session.get(CertificateBatch, batch_id)
    work = Path(tempfile.mkdtemp(prefix=f"lrc-batch-{batch_id}-"))
    target = work / f"batch-{batch.id}.{batch.format}"
    try:
        ids = list(db.session.execute(_certificates(batch).with_only_columns(Certificate.id)).scalars())
        batch.total, batch.done = len(ids), 0
        db.session.commit()
        batch = _render_chunks(batch_id, batch.format, ids, chunk, work, target)
        storage().put_file(batch_key(target.name), target, MIME[batch.format])
        batch.status, batch.file_name, batch.finished_at = "done", target.name, utcnow()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        batch = db.session.get(CertificateBatch, batch_id)
        batch.status, batch.error, batch.finished_at = "failed", str(exc)[:2000], utcnow()
        db.session.commit()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return batch


def _render_chunks(batch_id: int, fmt: str, ids: list[int], chunk: int, work: Path, target: Path) -> CertificateBatch:
    """Render the certificates chunk by chunk into `target` (a zip of single PDFs, or one merged PDF), committing the
    progress after each chunk; the batch as it is at the end."""
    chunk_files = []
    archive = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) if fmt == "zip" else None
    entry_names = UniqueNames()  # holder names are typed by people: no "../", no "<", no duplicates
    batch = db.session.get(CertificateBatch, batch_id)
    try:
        for start in range(0, len(ids), chunk):
            certs = list(db.session.execute(select(Certificate).where(
                Certificate.id.in_(ids[start:start + chunk])).order_by(Certificate.id)).scalars())
            contexts = {"certificates": certificate_contexts(certs)}
            if archive is not None:
                pages = render_pdf_pages(TEMPLATE, contexts)
                for cert, page in zip(certs, pages, strict=True):
                    archive.writestr(entry_names(f"{cert.number}-{cert.holder_name}.pdf"), page)
            else:
                # One document per chunk: fonts and the seal are embedded once per chunk, not per page.
                path = work / f"chunk-{start:07d}.pdf"
                path.write_bytes(render_pdf(TEMPLATE, contexts))
                chunk_files.append(path)
            batch.done = min(len(ids), start + len(certs))
            db.session.commit()
            db.session.expunge_all()
            batch = db.session.get(CertificateBatch, batch_id)
    finally:
        if archive is not None:
            archive.close()
    if fmt == "pdf":
        _merge_files(chunk_files, target)
    return batch


def _merge_files(files: list[Path], target: Path) -> None:
    writer = PdfWriter()
    for path in files:
        writer.append(str(path))
    with target.open("wb") as handle:
        writer.write(handle)


@scheduled("certificates.batches", seconds=5, description="生成证书批量下载文件")
def process_pending_batches() -> int:
    """Build every queued batch. Idempotent: a batch is claimed before it is built."""
    ids = list(db.session.execute(select(CertificateBatch.id).where(
        CertificateBatch.status == "queued").order_by(CertificateBatch.id)).scalars())
    for batch_id in ids:
        try:
            run_batch(batch_id)
        except Exception:  # noqa: BLE001 - recorded on the batch; carry on with the next one
            current_app.logger.exception("certificate batch %s failed", batch_id)
    return len(ids)


def batch_file_key(batch: CertificateBatch) -> str | None:
    """The stored file of a finished batch (downloads raise FileMissing when it has gone)."""
    if batch.status != "done" or not batch.file_name:
        return None
    return batch_key(batch.file_name)
