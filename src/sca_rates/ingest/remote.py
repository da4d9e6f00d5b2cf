"""A payer's file read from its web address (https://, or http:// for a test server), streamed
as it downloads: no copy is kept on disk, and the importers read it as they read a local file.

A connection that drops is resumed where it stopped with an HTTP range request (``Range``,
answered ``206 Partial Content``), after checking that the file is the one first described (its
``ETag``, ``Last-Modified`` and size); a failure is retried ``RETRIES`` times in a row, waiting
``BACKOFF_S`` seconds and twice as long each time after, or as long as a busy server's
``Retry-After`` says (at most ``RETRY_AFTER_CAP_S``). The first request, which learns the file's
size, is retried only while the server is busy (429, 502, 503, 504): large payers' servers
throttle. A server that ignores ranges sends the file from its start again: the bytes already
read are skipped, and a warning says so. What cannot be read whole raises ``DownloadFailed``
naming the address and the fix.

Sizes and positions are bytes of the file as its server stores it (compressed, for a .json.gz).
"""

from __future__ import annotations

import io
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from time import sleep
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from sca_rates.exceptions import DownloadFailed

if TYPE_CHECKING:
    import httpx

RETRIES = 5  # retries of a failure, in a row with no byte read between them, before giving up
BACKOFF_S = 1.0  # the wait before the first retry; doubled for each next one
RETRY_AFTER_CAP_S = 30.0  # the longest Retry-After waited: a longer one is a try-later-today
BUSY = frozenset({429, 502, 503, 504})  # answers of a server that asks to be asked again
TIMEOUT_S = 60.0  # a server silent this long is taken to have dropped the connection
PIECE = 1 << 20  # bytes read at a time (buffered)
_CONTENT_RANGE = re.compile(r"bytes (\d+)-\d+/(\d+|\*)", re.ASCII)
_FIX_LATER = "try again later, or download the file and import the local copy"


def is_url(text: str) -> bool:
    """Whether ``text`` is a web address the importers read (http:// only for test servers)."""
    return text.lower().startswith(("https://", "http://"))


@dataclass(frozen=True)
class Remote:
    """A file at a web address as its server first described it; every later reading checks
    that it is still that file."""

    url: str
    size: int | None  # bytes as stored (Content-Length); None when the server does not say
    etag: str | None
    last_modified: str | None

    @property
    def name(self) -> str:
        """The file's name, the last part of the address's path: ``in-network.json.gz``."""
        return PurePosixPath(unquote(urlsplit(self.url).path)).name or urlsplit(self.url).netloc

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix

    def __str__(self) -> str:
        return self.url


class _Transient(Exception):
    """A failure worth retrying: a dropped or refused connection, a time-out, a busy server."""

    def __init__(
        self, reason: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(reason)
        self.status = status  # the HTTP status answered; None for a connection that failed
        self.retry_after_s = retry_after_s  # the wait the server asked for, in seconds


def describe(url: str) -> Remote:
    """The file at ``url`` as its server describes it, from the headers of a GET whose body is
    not read (a HEAD request is refused by some payers' signed addresses). Raises
    ``DownloadFailed``."""
    try:
        host = urlsplit(url).hostname  # "https://[bad" is refused by urllib with a ValueError
    except ValueError as exc:
        host, why = None, str(exc)
    else:
        why = "it names no host"
    if not host:
        raise DownloadFailed(
            f"{url} is not a web address that can be read ({why}). Fix: check the address"
        )
    with _client() as client:
        response = _first_answer(client, url)
        response.close()  # the headers are all that is wanted
        headers = response.headers
        return Remote(url, _size(response), headers.get("etag"), headers.get("last-modified"))


def _first_answer(client: httpx.Client, url: str) -> httpx.Response:
    """The response to the first GET of ``url``, asked again while its server is busy; a
    connection that fails is not retried here, so that a wrong address is said at once."""
    failures = 0
    while True:
        try:
            return _send(client, url, 0)
        except _Transient as exc:
            failures += 1
            if exc.status not in BUSY:
                raise DownloadFailed(f"{url} cannot be read ({exc}). Fix: {_FIX_LATER}") from None
            if failures > RETRIES:
                raise DownloadFailed(
                    f"{url} cannot be read: {failures} requests in a row were refused (last: "
                    f"{exc}); its server is busy, or limits how often it is asked. "
                    f"Fix: {_FIX_LATER}"
                ) from None
            _wait(failures, exc.retry_after_s)


def _wait(failures: int, retry_after_s: float | None) -> None:
    """Waits before the next attempt: as long as the server asked, else the backoff."""
    if retry_after_s is not None:
        sleep(min(retry_after_s, RETRY_AFTER_CAP_S))
    else:
        sleep(BACKOFF_S * 2 ** (failures - 1))


def _client() -> httpx.Client:
    import httpx  # here, not above: a file on disk is read without it (measured: 60 ms)

    return httpx.Client(
        timeout=httpx.Timeout(TIMEOUT_S, connect=min(TIMEOUT_S, 30.0)),
        follow_redirects=True,  # payers' addresses often lead to a file store
        headers={"Accept-Encoding": "identity"},  # the bytes as stored, as ranges count them
    )


def _send(client: httpx.Client, url: str, start: int) -> httpx.Response:
    """The response to a GET from byte ``start``, its body not yet read; raises
    ``DownloadFailed`` for what a retry would not mend, ``_Transient`` for what it may."""
    import httpx

    headers = {"Range": f"bytes={start}-"} if start else {}
    try:
        response = client.send(client.build_request("GET", url, headers=headers), stream=True)
    except httpx.TransportError as exc:
        _refuse_connection(url, exc)
        raise _Transient(_reason(exc)) from None
    except httpx.InvalidURL as exc:
        raise DownloadFailed(
            f"{url} is not a web address that can be read ({exc}). Fix: check the address"
        ) from None
    except httpx.TooManyRedirects:
        raise DownloadFailed(
            f"{url} cannot be read: its server sends it on from address to address without "
            "end. Fix: check the address, or take it again from the payer's table of contents"
        ) from None
    if response.status_code < 400:
        return response
    response.close()
    status = f"{response.status_code} {response.reason_phrase}".strip()
    if response.status_code == 429 or response.status_code >= 500:
        raise _Transient(
            f"the server answered {status}",
            status=response.status_code,
            retry_after_s=_retry_after_s(response),
        )
    if response.status_code in (404, 410):
        raise DownloadFailed(
            f"{url} was not found (the server answered {status}). Fix: check the address; "
            "payers replace their files every month, so list the current ones with "
            "`sca-rates market fetch-index` and the payer's table of contents"
        )
    raise DownloadFailed(
        f"{url} cannot be read: the server answered {status}. Fix: check the address; a "
        "signed address that has expired must be taken again from the payer's table of contents"
    )


def _refuse_connection(url: str, exc: httpx.TransportError) -> None:
    """Raises ``DownloadFailed`` for a host that does not exist or cannot be trusted."""
    import httpx

    host = urlsplit(url).hostname or url
    if _caused_by(exc, socket.gaierror):
        raise DownloadFailed(
            f"{url} cannot be read: the host {host} cannot be found (DNS). Fix: check the "
            "address for a typing mistake, and that this computer is online"
        ) from None
    if _caused_by(exc, ssl.SSLError):
        raise DownloadFailed(
            f"{url} cannot be read: the secure connection to {host} failed ({_reason(exc)}). "
            "Fix: check the address and the computer's clock; behind a company proxy that "
            "inspects traffic, set SSL_CERT_FILE to its certificate"
        ) from None
    if isinstance(exc, httpx.UnsupportedProtocol):
        raise DownloadFailed(
            f"{url} cannot be read: only https:// (and http://) addresses are. Fix: check the "
            "address"
        ) from None


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _reason(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _retry_after_s(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds; its other form, an HTTP date, is left to the backoff (a
    server's clock is not ours)."""
    text = response.headers.get("retry-after", "").strip()
    return float(text) if text.isascii() and text.isdigit() else None


def _size(response: httpx.Response) -> int | None:
    """The whole file's size as a response gives it (Content-Range, else Content-Length)."""
    if response.status_code == 206:
        match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
        return int(match[2]) if match and match[2] != "*" else None
    length = response.headers.get("content-length", "")
    return int(length) if length.isdigit() else None


class RemoteReader(io.RawIOBase):
    """The bytes of a ``Remote`` file, resumed after a dropped connection; ``progress`` hears
    of every byte read once, ``warn`` of what a person should know (said once)."""

    def __init__(
        self,
        remote: Remote,
        progress: Callable[[int], None] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.remote = remote
        self._progress, self._warn = progress, warn
        self._client = _client()
        self._response: httpx.Response | None = None
        self._pieces: Iterator[bytes] = iter(())
        self._piece, self._at = b"", 0  # the piece being read, and how far
        self._position = 0  # bytes of the file handed out
        self._failures = 0  # in a row, since the last byte read
        self._attempts = 0  # requests made since the last byte read, which all failed
        self._warned = False
        try:
            self._connect()
        except BaseException:
            self.close()
            raise

    def readable(self) -> bool:
        return True

    def tell(self) -> int:  # where the reading is, for error messages
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._at >= len(self._piece):
            piece = self._next_piece()
            if piece is None:
                return 0
            self._piece, self._at = piece, 0
        count = min(len(buffer), len(self._piece) - self._at)
        memoryview(buffer)[:count] = self._piece[self._at : self._at + count]
        self._at += count
        self._position += count
        if self._progress is not None:
            self._progress(count)
        return count

    def close(self) -> None:
        if self._response is not None:
            self._response.close()
        self._client.close()
        super().close()

    def _next_piece(self) -> bytes | None:
        """The next bytes of the file (None at its end), resuming after a failure."""
        import httpx

        while True:
            try:
                piece = next(self._pieces, None)
            except httpx.TransportError as exc:
                self._resume(_reason(exc))
                continue
            if piece is not None:
                self._failures = self._attempts = 0
                return piece
            size = self.remote.size
            if size is None or self._position >= size:
                return None
            self._resume(f"the connection ended at byte {self._position:,} of {size:,}")

    def _resume(self, reason: str) -> None:
        if self._response is not None:
            self._response.close()
            self._response = None
        self._failed(reason)
        self._connect()

    def _connect(self) -> None:
        """Opens the file at the reading's position, retrying what may pass."""
        while True:
            self._attempts += 1
            try:
                response = _send(self._client, self.remote.url, self._position)
            except _Transient as exc:
                self._failed(str(exc), exc.retry_after_s)
                continue
            self._start(response)
            return

    def _failed(self, reason: str, retry_after_s: float | None = None) -> None:
        """Waits before the next attempt, or gives up after ``RETRIES`` retries in a row. The
        message counts the requests made: a connection dropped mid-file is a failure, but the
        request that opened it read bytes, so it is not one of the attempts that failed."""
        self._failures += 1
        if self._failures > RETRIES:
            what = f"to read on from byte {self._position:,}" if self._position else "to read it"
            raise DownloadFailed(
                f"{self.remote.url} could not be read whole: {self._attempts} attempts in a row "
                f"{what} failed (last: {reason}); nothing was written. Fix: {_FIX_LATER}"
            )
        _wait(self._failures, retry_after_s)

    def _start(self, response: httpx.Response) -> None:
        """Takes ``response`` as the rest of the file once it is checked to be the same file
        from the same byte; a server that sent the whole file has its first bytes skipped."""
        self._response = response
        self._check_same(response)
        pieces = response.iter_raw()  # as they come: a piece half read is not lost
        skip = self._position if response.status_code != 206 else 0
        if skip:
            self._say(
                f"the server of {self.remote.url} does not resume a download (it ignored a "
                "range request), so the file was downloaded again from its start"
            )
            pieces = _skipped(pieces, skip)
        self._pieces = pieces
        self._piece, self._at = b"", 0

    def _check_same(self, response: httpx.Response) -> None:
        remote = self.remote
        if response.status_code == 206:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
            if match is None or int(match[1]) != self._position:
                raise self._changed("it sent another part than asked for")
        seen = (
            ("ETag", remote.etag, response.headers.get("etag")),
            ("Last-Modified date", remote.last_modified, response.headers.get("last-modified")),
            ("size", remote.size, _size(response)),
        )
        for what, before, now in seen:
            if before is not None and now is not None and before != now:
                raise self._changed(f"its {what} was {before}, now {now}")

    def _changed(self, how: str) -> DownloadFailed:
        return DownloadFailed(
            f"{self.remote.url} changed on its server while it was being read ({how}); "
            "nothing was written. Fix: run the import again, to read the new file from its start"
        )

    def _say(self, message: str) -> None:
        if not self._warned and self._warn is not None:
            self._warn(message)
        self._warned = True


def _skipped(pieces: Iterator[bytes], count: int) -> Iterator[bytes]:
    """``pieces`` without their first ``count`` bytes."""
    for piece in pieces:
        if count >= len(piece):
            count -= len(piece)
            continue
        yield piece[count:]
        count = 0
