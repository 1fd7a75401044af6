"""Files live in one storage that every node reaches: a local folder, or S3-compatible object storage (tested
against moto's S3 server over real HTTP). A file that should be there and is not is an error, never a silent gap."""

from __future__ import annotations

import io
import socket

import boto3
import pytest
from sqlalchemy import select

from lrc_training import create_app
from lrc_training.core.storage import FileMissing, LocalStorage, S3Storage, check_key, new_key
from lrc_training.courses.models import CourseMaterial
from lrc_training.courses.services.enrollment import enroll_trainee
from lrc_training.extensions import db
from tests.conftest import IsolatedClient, csrf_token, database_uri, login
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.factories import make_user

BUCKET = "lrc-files"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(monkeypatch_module):
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch_module.setenv(name, value)
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _node(endpoint: str, **extra):
    """Another app node: same database, the shared object store, its own (empty) instance folder."""
    node = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_uri(),
                       "LRC_STORAGE_URL": f"s3://{BUCKET}/lrc", "LRC_S3_ENDPOINT_URL": endpoint, **extra})
    node.test_client_class = IsolatedClient
    return node


def test_keys_are_platform_made_never_paths():
    assert new_key("materials", "pdf").startswith("materials/")
    for bad in ("../etc/passwd", "/abs", "materials/../../x", "a\\b", "", "materials/.hidden/../x"):
        with pytest.raises(ValueError):
            check_key(bad)


def test_local_storage_round_trip_and_missing_file(tmp_path):
    store = LocalStorage(tmp_path)
    store.put("seals/a.png", b"\x89PNG data")
    assert store.get("seals/a.png") == b"\x89PNG data"
    assert b"".join(store.stream("seals/a.png")) == b"\x89PNG data"
    assert store.exists("seals/a.png") and not list(tmp_path.glob("seals/*.part"))
    store.delete("seals/a.png")
    with pytest.raises(FileMissing):
        store.get("seals/a.png")
    with pytest.raises(FileMissing):
        store.stream("seals/a.png")


def test_s3_storage_round_trip_missing_file_and_presigned_download(s3_endpoint):
    store = S3Storage(bucket=BUCKET, prefix="unit", endpoint_url=s3_endpoint, presign=True)
    store.check()
    store.put("batches/b.zip", b"PK zip bytes", "application/zip")
    assert store.get("batches/b.zip") == b"PK zip bytes"
    assert b"".join(store.stream("batches/b.zip")) == b"PK zip bytes"
    assert store.exists("batches/b.zip") and not store.exists("batches/none.zip")
    with pytest.raises(FileMissing):
        store.get("batches/none.zip")
    url = store.presigned_url("batches/b.zip", "证书.zip", "application/zip")
    assert url.startswith(s3_endpoint) and "Signature" in url or "X-Amz-Signature" in url
    with pytest.raises(Exception):  # noqa: B017 - any error: the bucket does not exist
        S3Storage(bucket="no-such-bucket", prefix="", endpoint_url=s3_endpoint, presign=False).check()


def test_a_material_uploaded_on_one_node_downloads_from_another(s3_endpoint):
    school, teacher = make_school_and_teacher()
    course = make_course(teacher)
    trainee = make_user("trainee", username="mat_trainee")
    enroll_trainee(trainee, course.id)
    db.session.commit()
    node_a, node_b = _node(s3_endpoint), _node(s3_endpoint)

    uploader = node_a.test_client()
    login(uploader, teacher.username)
    token = csrf_token(uploader, f"/courses/{course.id}/manage")
    pdf = b"%PDF-1.4 course handout"
    response = uploader.post(f"/courses/{course.id}/materials", data={
        "csrf_token": token, "material-title": "讲义", "material-file": (io.BytesIO(pdf), "讲义.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    material = db.session.execute(select(CourseMaterial)).scalar_one()

    reader = node_b.test_client()
    login(reader, "mat_trainee")
    download = reader.get(f"/courses/materials/{material.id}")
    assert download.status_code == 200 and download.data == pdf
    assert "no-store" in download.headers["Cache-Control"]

    # With presigned downloads the node redirects to the object store, which serves the same bytes.
    presigning = _node(s3_endpoint, LRC_S3_PRESIGN_DOWNLOADS=True).test_client()
    login(presigning, "mat_trainee")
    redirect = presigning.get(f"/courses/materials/{material.id}")
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith(s3_endpoint)
    import urllib.request

    with urllib.request.urlopen(redirect.headers["Location"]) as answer:  # noqa: S310 - our moto server
        assert answer.read() == pdf


def test_a_missing_material_is_an_error_someone_sees(s3_endpoint):
    school, teacher = make_school_and_teacher()
    course = make_course(teacher)
    db.session.add(CourseMaterial(course_id=course.id, title="丢失的讲义", filename="x.pdf", stored_name="gone.pdf",
                                  mime_type="application/pdf", size=10, uploaded_by_id=teacher.id))
    db.session.commit()
    material_id = db.session.execute(select(CourseMaterial.id)).scalar_one()
    client = _node(s3_endpoint).test_client()
    login(client, teacher.username)
    response = client.get(f"/courses/materials/{material_id}")
    assert response.status_code == 500
    assert "文件缺失" in response.get_data(as_text=True)


def test_audit_checkpoints_go_to_object_storage_when_nodes_share_it(s3_endpoint):
    """With several nodes the anchors cannot live on one node's disk: each checkpoint is its own object (never
    rewritten), and verification reads them all back, whichever node wrote them."""
    from lrc_training.core.audit import checkpoint, record_audit, verify_report
    from lrc_training.core.audit_anchors import read_anchors

    node_a, node_b = _node(s3_endpoint), _node(s3_endpoint)
    with node_a.app_context():
        record_audit("test.event", "test", 1)
        db.session.commit()
        assert checkpoint() is not None
        db.session.commit()
    with node_b.app_context():
        anchors = read_anchors()
        assert len(anchors) >= 1 and anchors[-1].count >= 1
        assert verify_report().problem is None
