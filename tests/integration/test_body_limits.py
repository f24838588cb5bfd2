"""Request body limits through a real daphne: bodies larger than REQUEST_BODY_MAX_BYTES, sent chunked
(no Content-Length) or with an oversized Content-Length, get the 413 page, never a 500.

daphne (Twisted) decodes a chunked body itself and hands the application nothing until the
whole body has arrived: it buffers it (a temporary file, then its ASGI queue), so the limit
in Django answers only after the upload; nginx's client_max_body_size is the front line
(docs/deployment.md). These tests prove the answer, and report what the buffering costs.
"""

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.live import start_daphne

pytestmark = pytest.mark.integration

BODY_LIMIT = 2 * 1024 * 1024
OVER_LIMIT = BODY_LIMIT + 64 * 1024
REQUEST_SECONDS = 60
PIECE = 64 * 1024
LOGIN_URL = "/en/konto/login/"
TOO_LARGE = "What you sent is too large"
BOUNDARY = "cirkler-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
URLENCODED = "application/x-www-form-urlencoded"


@pytest.fixture
def server(transactional_db):
    daphne = start_daphne({"REQUEST_BODY_MAX_BYTES": str(BODY_LIMIT)})
    try:
        yield daphne
    finally:
        daphne.stop()


def body_pieces(content_type: str, size: int) -> Iterator[bytes]:
    """A body of `size` bytes: a form field, or a multipart form with one file."""
    if content_type == URLENCODED:
        head, tail = b"note=", b""
    else:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    filler = size - len(head) - len(tail)
    yield head
    while filler > 0:
        piece = min(PIECE, filler)
        yield b"a" * piece
        filler -= piece
    yield tail


def post(
    url: str, content_type: str, size: int, *, chunked: bool, declared: int | None = None
) -> tuple[int, str] | None:
    """POST a body of `size` bytes; (status, page), or None when the server closed the connection."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_SECONDS)
    headers = {"Content-Type": content_type, "Accept-Language": "en"}
    if not chunked:
        headers["Content-Length"] = str(size if declared is None else declared)
    try:
        # encode_chunked: http.client writes each piece as a chunk and ends with the 0-size chunk.
        connection.request(
            "POST", LOGIN_URL, body=body_pieces(content_type, size), headers=headers, encode_chunked=chunked
        )
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
        return None
    finally:
        connection.close()


def peak_memory_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def assert_friendly_413(answer: tuple[int, str] | None) -> None:
    assert answer is not None, "the server closed the connection instead of answering"
    status, page = answer
    assert status == 413, (status, page[-2000:])
    assert TOO_LARGE in page


@pytest.mark.parametrize("content_type", [URLENCODED, MULTIPART], ids=["form", "multipart upload"])
def test_a_chunked_body_over_the_limit_gets_the_413_page_from_daphne(server, content_type) -> None:
    before = peak_memory_kib(server.process.pid)
    assert_friendly_413(post(server.url, content_type, OVER_LIMIT, chunked=True))
    after = peak_memory_kib(server.process.pid)
    # The same process answers the next request: nothing broke.
    assert post(server.url, URLENCODED, 1024, chunked=True)[0] == 403  # read, then refused by CSRF
    assert server.process.poll() is None
    assert "Traceback" not in server.log() and " 500 " not in server.log()
    print(
        f"chunked {content_type.split(';')[0]} body of {OVER_LIMIT} bytes through daphne: 413; "
        f"daphne peak memory {before} KiB -> {after} KiB"
    )


def test_a_chunked_body_within_the_limit_is_read(server) -> None:
    answer = post(server.url, URLENCODED, BODY_LIMIT // 4, chunked=True)
    assert answer is not None
    assert answer[0] == 403  # the form was read (no CSRF token in it), not refused for its size


def test_an_oversized_content_length_gets_the_413_page_from_daphne(server) -> None:
    assert_friendly_413(post(server.url, MULTIPART, OVER_LIMIT, chunked=False))
    assert server.process.poll() is None
    assert "Traceback" not in server.log()


def test_a_body_shorter_than_its_content_length_leaves_daphne_serving(server) -> None:
    # The client gives up half-way: daphne never starts the application, and keeps serving others.
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_SECONDS)
    connection.putrequest("POST", LOGIN_URL)
    connection.putheader("Content-Type", URLENCODED)
    connection.putheader("Content-Length", str(OVER_LIMIT))
    connection.endheaders()
    connection.send(b"note=" + b"a" * PIECE)
    connection.close()
    assert_friendly_413(post(server.url, MULTIPART, OVER_LIMIT, chunked=True))
    assert server.process.poll() is None
    assert "Traceback" not in server.log()
