"""Every HTTP call the App makes to a PIM: bounded in time and size, never to an address it must not reach.

A PIM is untrusted. So each call gets:
- a total deadline, retries and waits included: a per-read timeout alone lets a PIM that trickles one byte a
  second hold a page (and a server worker) for as long as it likes;
- a cap on the body, counted after decompression;
- no redirect, no proxy, no cookie, and a check of each address the name resolves to before connecting to
  it: loopback, link-local and cloud metadata addresses are refused unless the host is listed exactly in
  ALLOWED_PIM_HOSTS, so a name that resolves (or rebinds) to 127.0.0.1 or 169.254.169.254 gets nowhere;
- bounded retries by urllib3's `Retry`: answers 429/502/503/504 (honouring Retry-After) for GET only, since
  the token request carries a single-use code and a retried POST could only fail with "Code is not valid";
  failed connections for every method, since nothing was sent;
- at most MAX_CONNECTIONS_PER_PIM connections to one PIM from one process (Akeneo's fair use): a fifth call
  waits for a free one, within its deadline.

`send` goes through requests (any method, params, JSON bodies). `fetch` (one GET) and `PageChannel` (the GETs
of a page walk, one connection, the next request sent before the last answer is used) go straight through the
same session's urllib3 pool: the same connections, address check, deadline, retries and cap, at a fraction of
requests' cost per call.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import io
import ipaddress
import socket
import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import Enum
from types import TracebackType
from typing import Any, Self

import msgspec
import requests
from requests.adapters import HTTPAdapter
from requests.utils import requote_uri
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import ConnectionPool, HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    EmptyPoolError,
    HTTPError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util.connection import is_connection_dropped
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout

USER_AGENT = f"{__package__}/0.1 (Akeneo App; python-requests)"
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0  # for one socket read; the deadline bounds the whole call
MAX_RETRY_WAIT = 10.0  # the longest Retry-After or backoff the App sleeps through in one go
# A connection idle longer than this is checked before reuse (the PIM may have closed it); one that has just
# finished a 2xx answer is not: a PIM that closes it anyway costs one failed send, retried on a new one.
IDLE_CHECK_AFTER = 1.0
MAX_CONNECTIONS_PER_PIM = 4  # Akeneo's fair-use rule: at most 4 concurrent calls per connection
# Well-known cloud metadata services outside the link-local range.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("168.63.129.16", "100.100.100.200", "fd00:ec2::254", "192.0.0.192")
)

_deadline: ContextVar[float | None] = ContextVar("pim_call_deadline", default=None)


class CallFailure(Enum):
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    FORBIDDEN_ADDRESS = "forbidden_address"
    TOO_LARGE = "too_large"


class PimCallError(Exception):
    """The call got no usable answer; the message says why, in words fit for a page."""

    def __init__(self, failure: CallFailure, message: str) -> None:
        super().__init__(message)
        self.failure = failure
        self.message = message


class ForbiddenAddress(Exception):
    """Not an OSError on purpose: urllib3 must not retry it, only give it back."""


class DeadlineExceeded(Exception):
    """Not an OSError on purpose: the connection is dropped, not retried."""


class PoolWaitExceeded(EmptyPoolError):
    """Every connection to the PIM stayed busy until the deadline.

    An EmptyPoolError, so urllib3 knows no connection was taken and gives none back.
    """


@dataclass(frozen=True)
class PimReply:
    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)

    def json(self) -> Any:
        """The body as JSON, or ValueError."""
        return decode_json(self.body)


_json_decoder = msgspec.json.Decoder()


def decode_json(body: bytes) -> Any:
    """JSON from a PIM, or ValueError (msgspec.DecodeError is one).

    msgspec rather than the json module: a fifth faster on product pages, with no working copy of the
    document (orjson's parser needs twelve times the page's size while it decodes). Nesting deep enough to
    exhaust the stack is refused like any malformed answer.
    """
    try:
        return _json_decoder.decode(body)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


class deadline:  # lower case: used as a function: `with deadline(5):`
    """Every PIM call inside ends within `seconds` from now (or the enclosing deadline, if sooner).

    A class rather than a generator-based context manager: a page walk enters one per page.
    """

    __slots__ = ("_end", "_token")

    def __init__(self, seconds: float) -> None:
        outer = _deadline.get()
        mine = time.monotonic() + seconds
        self._end = mine if outer is None else min(outer, mine)

    def __enter__(self) -> None:
        self._token = _deadline.set(self._end)

    def __exit__(self, *_: object) -> None:
        _deadline.reset(self._token)


def remaining_time() -> float | None:
    """Seconds left before the current deadline, or None outside any."""
    current = _deadline.get()
    return None if current is None else current - time.monotonic()


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    seconds: float,
    max_bytes: int,
    **kwargs: Any,
) -> PimReply:
    """One call to a PIM, within `seconds` and `max_bytes`; PimCallError when there is no usable answer."""
    outer = remaining_time()
    limit = seconds if outer is None else max(0.0, min(seconds, outer))
    with deadline(seconds):
        try:
            response = session.request(
                method,
                url,
                stream=True,
                allow_redirects=False,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                **kwargs,
            )
            with response:
                body = _read_capped(response, max_bytes)
            return PimReply(response.status_code, response.headers, body)
        except ForbiddenAddress as error:
            raise PimCallError(CallFailure.FORBIDDEN_ADDRESS, str(error)) from None
        except (DeadlineExceeded, PoolWaitExceeded, requests.Timeout) as error:
            raise PimCallError(CallFailure.TIMEOUT, _late(limit)) from error
        except requests.RequestException as error:
            if (remaining_time() or 0) <= 0:
                raise PimCallError(CallFailure.TIMEOUT, _late(limit)) from error
            raise PimCallError(
                CallFailure.UNREACHABLE, f"the PIM could not be reached ({_reason(error)})"
            ) from error


def fetch(
    session: requests.Session,
    url: str,
    *,
    seconds: float,
    max_bytes: int,
    headers: Mapping[str, str],
) -> PimReply:
    """A GET of `url` within `seconds` and `max_bytes`, through the session's own urllib3 pool.

    The same pool, guarded connections, retries and deadline as `send`, without requests' per-call work
    (merging settings, hooks, cookies, reading the body in 10 KiB chunks). No redirect is followed and no
    cookie is sent.
    """
    outer = remaining_time()
    limit = seconds if outer is None else max(0.0, min(seconds, outer))
    adapter = _guarded_adapter(session, url)
    with deadline(seconds):
        try:
            pool, target = _pool_and_target(session, adapter, url)
            response = pool.urlopen(
                "GET",
                target,
                headers={**_text_headers(session.headers), **headers},
                retries=adapter.max_retries,
                redirect=False,
                assert_same_host=False,  # the pool was chosen from this URL's own origin
                timeout=Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
                preload_content=False,
                decode_content=True,
            )
            try:
                body = _read_response_capped(response, max_bytes)
            finally:
                response.release_conn()
            return PimReply(response.status, response.headers, body)
        except Exception as error:
            raise _failure(error, limit) from error


class PageChannel:
    """GETs to one PIM, one after the other, on one connection borrowed from the session's pool.

    `send(url)` puts a request on its way and returns; `receive()` reads its answer. A walk sends the request
    for the next page, decodes the page it has while the PIM prepares the next one, then receives: the
    PIM's time and the App's overlap, on one thread and one connection. Each call keeps every guard of
    `fetch`: the address check when connecting, a deadline of `seconds` from its send, the body cap, no
    redirect, and the session's retries (429 with Retry-After, 502, 503, 504, failed connections).
    """

    def __init__(
        self, session: requests.Session, *, seconds: float, max_bytes: int, headers: Mapping[str, str]
    ) -> None:
        self._session = session
        self._seconds = seconds
        self._max_bytes = max_bytes
        self._headers = {**_text_headers(session.headers), **headers}
        self._pool: HTTPConnectionPool | None = None
        self._retries = Retry(0)  # the session's, once send() has chosen the PIM's pool
        self._connection: HTTPConnection | None = None
        self._url = ""
        self._origin = ""
        self._target = ""
        self._ends_at = 0.0
        self._in_flight = False
        self._send_error: Exception | None = None
        self._answered_at = 0.0  # when the connection last finished an answer
        self._reused = False  # whether the last request went on a connection that had answered before

    def send(self, url: str) -> None:
        """Send the GET for `url` now. A failed connection is retried (or reported) by receive(); an address
        the App must not reach, or a deadline already gone, raises PimCallError at once."""
        self._url = url
        self._ends_at = time.monotonic() + self._seconds
        with self._within_call():
            origin = "/".join(url.split("/", 3)[:3])  # scheme://host:port
            if self._pool is None or origin != self._origin:
                self.close()
                adapter = _guarded_adapter(self._session, url)
                self._pool, self._target = _pool_and_target(self._session, adapter, url)
                self._retries = adapter.max_retries  # the origin's adapter: looked up once, not per page
                self._origin = origin
            else:  # the same PIM as the last page: its pool, without looking it up again
                self._target = _request_target(url)
            try:
                self._send()
            except (HTTPError, OSError, http.client.HTTPException) as error:
                # Nothing was answered: receive() counts it and tries again, as for any failed exchange.
                self._drop()
                self._send_error = error

    def receive(self) -> PimReply:
        """The answer to the last send, retried as the session's Retry allows; PimCallError without one."""
        assert self._pool is not None, "send() first"  # noqa: S101  # a programming error, not a PIM's
        # The wait for the answer starts now: the caller's own work since the send is not the PIM's time.
        self._ends_at = time.monotonic() + self._seconds
        retry: Retry = self._retries
        with self._within_call():
            while True:
                try:
                    if self._send_error is not None:
                        error, self._send_error = self._send_error, None
                        raise error
                    if not self._in_flight:
                        self._send()
                    response = self._receive()
                except (HTTPError, OSError, http.client.HTTPException) as failed:
                    self._drop()
                    if self._reused and isinstance(failed, ConnectionResetError | BrokenPipeError):
                        # A kept-alive connection the PIM had let go: nothing was answered. Sent again on a
                        # new connection without counting it (a new connection failing so is counted).
                        self._reused = False
                        continue
                    retry = retry.increment("GET", self._url, error=_as_urllib3_error(failed))
                    retry.sleep()
                    continue
                body = _read_response_capped(response, self._max_bytes)
                reply = PimReply(response.status, response.headers, body)
                self._in_flight = False
                self._answered_at = time.monotonic()
                if not retry.is_retry("GET", reply.status, bool(reply.headers.get("Retry-After"))):
                    return reply
                try:
                    retry = retry.increment("GET", self._url, response=response)
                except MaxRetryError:
                    return reply  # the wait would not fit: the caller reports the 429 or the 5xx
                self._answered_at = 0.0  # a PIM may close after a 429 or 5xx without saying so: check first
                retry.sleep(response)

    def close(self) -> None:
        """Give the connection back to the pool, or close it if an answer is still on its way."""
        if self._connection is not None and self._pool is not None:
            if self._in_flight:
                self._connection.close()
            self._pool._put_conn(self._connection)
        self._connection = None
        self._in_flight = False

    def _within_call(self) -> _ChannelCall:
        return _ChannelCall(self, max(0.0, self._ends_at - time.monotonic()))

    def _send(self) -> None:
        assert self._pool is not None  # noqa: S101
        if self._connection is None:
            # urllib3's pools have no public borrow and return: _get_conn and _put_conn are what its own
            # urlopen uses, and the pool classes here already build on them (the deadline-bounded wait).
            connection = self._pool._get_conn()
            assert isinstance(connection, HTTPConnection)  # noqa: S101  # the pool only makes these
            self._connection = connection
        elif self._idle_seconds() > IDLE_CHECK_AFTER and is_connection_dropped(self._connection):
            self._connection.close()  # the PIM closed it while idle: the request opens a new one
        connection = self._connection
        # urllib3 sets the socket to the connection's timeout when sending; _receive sets the answer's.
        connection.timeout = CONNECT_TIMEOUT if connection.sock is None else READ_TIMEOUT
        self._reused = connection.sock is not None
        self._in_flight = True
        connection.request(
            "GET", self._target, headers=self._headers, preload_content=False, decode_content=True
        )

    def _idle_seconds(self) -> float:
        return time.monotonic() - self._answered_at

    def _receive(self) -> BaseHTTPResponse:
        assert self._connection is not None  # noqa: S101
        # Not sock.settimeout: urllib3's getresponse applies the connection's timeout to the socket itself.
        self._connection.timeout = READ_TIMEOUT
        return self._connection.getresponse()

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._in_flight = False


class _ChannelCall:
    """One send or receive of a PageChannel: within its deadline, and any failure a PimCallError.

    A class rather than a generator-based context manager: a page walk enters two per page.
    """

    __slots__ = ("_channel", "_deadline", "_limit")

    def __init__(self, channel: PageChannel, seconds: float) -> None:
        self._channel = channel
        self._limit = channel._seconds
        self._deadline = deadline(seconds)

    def __enter__(self) -> None:
        self._deadline.__enter__()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _: object) -> None:
        try:
            if error is None or isinstance(error, PimCallError) or not isinstance(error, Exception):
                return
            self._channel._drop()
            failure = _failure(error, self._limit)  # inside the deadline: it asks what time is left
        finally:
            self._deadline.__exit__()
        raise failure from error


def _guarded_adapter(session: requests.Session, url: str) -> GuardedAdapter:
    adapter = session.get_adapter(url)
    if not isinstance(adapter, GuardedAdapter):
        raise TypeError("PIM calls need a session from build_pim_session")
    return adapter


def _pool_and_target(
    session: requests.Session, adapter: GuardedAdapter, url: str
) -> tuple[HTTPConnectionPool, str]:
    """requests' own pool for this URL, chosen without preparing a whole request, and the request target."""
    target = requests.PreparedRequest()
    target.url = requote_uri(url)
    pool = adapter.get_connection_with_tls_context(target, verify=session.verify)
    assert isinstance(pool, HTTPConnectionPool)  # noqa: S101  # the adapter only makes these
    return pool, target.path_url


def _request_target(url: str) -> str:
    """The path and query to put in the request line, quoted as requests would."""
    target = requests.PreparedRequest()
    target.url = requote_uri(url)
    return target.path_url


def _as_urllib3_error(error: BaseException) -> Exception:
    """An error before any answer, as urllib3's Retry classifies them: connecting, reading, or another.

    A connection the PIM closed or reset before answering (a kept-alive one it had let go without saying
    so) counts as a failed connection: nothing was answered, so the GET goes again on a new one.
    """
    if isinstance(error, HTTPError):
        return error
    if isinstance(error, TimeoutError):
        return ReadTimeoutError(None, "", str(error))  # type: ignore[arg-type]
    if isinstance(error, ConnectionResetError | BrokenPipeError):  # http.client's RemoteDisconnected too
        return NewConnectionError(None, f"the PIM closed the connection before answering ({error})")  # type: ignore[arg-type]
    return ProtocolError("Connection aborted.", error)


def _failure(error: BaseException, limit: float) -> PimCallError:
    """Why a call got no usable answer, in words fit for a page."""
    if isinstance(error, PimCallError):
        return error
    if isinstance(error, ForbiddenAddress):
        return PimCallError(CallFailure.FORBIDDEN_ADDRESS, str(error))
    if isinstance(error, DeadlineExceeded | PoolWaitExceeded):
        return PimCallError(CallFailure.TIMEOUT, _late(limit))
    if isinstance(error, http.client.InvalidURL):
        return PimCallError(CallFailure.UNREACHABLE, f"the address is not valid ({error})")
    if isinstance(error, HTTPError | OSError | http.client.HTTPException):
        if (remaining_time() or 0) <= 0 or _timed_out(error):
            return PimCallError(CallFailure.TIMEOUT, _late(limit))
        return PimCallError(CallFailure.UNREACHABLE, f"the PIM could not be reached ({_reason(error)})")
    raise error


def _read_response_capped(response: BaseHTTPResponse, max_bytes: int) -> bytes:
    """The whole body, decompressed, or PimCallError past `max_bytes`.

    One read of max_bytes + 1: urllib3 caps decompression at the amount asked for, so a small compressed
    answer cannot inflate past the cap either.
    """
    declared = response.headers.get("Content-Length", "")
    length = int(declared) if declared.isdigit() else None
    if length is not None and length <= max_bytes and not response.headers.get("Content-Encoding"):
        # Exactly the declared length (the framing: never more), which spares urllib3 a copy of the body.
        # An empty body is read with no amount: read(amt=0) would leave the answer open, and the connection
        # would refuse the next request (ResponseNotReady).
        return response.read(amt=length or None, decode_content=True)
    if length is None or length <= max_bytes:
        body = response.read(amt=max_bytes + 1, decode_content=True)
        if len(body) <= max_bytes:
            return body
    response.close()  # the rest is never read: the connection is dropped, not given back to the pool
    raise _too_large(max_bytes)


def _text_headers(headers: Mapping[str, str | bytes]) -> dict[str, str]:
    return {
        name: value.decode("latin-1") if isinstance(value, bytes) else value
        for name, value in headers.items()
    }


def _timed_out(error: BaseException) -> bool:
    """A timeout, as urllib3 reports it (a refused connection is a ConnectTimeoutError there too: not one)."""
    cause = error.reason if isinstance(error, MaxRetryError) else error
    return isinstance(cause, ReadTimeoutError | ConnectTimeoutError) and not isinstance(
        cause, NewConnectionError
    )


def _too_large(max_bytes: int) -> PimCallError:
    return PimCallError(
        CallFailure.TOO_LARGE, f"the PIM's answer is larger than the App accepts ({max_bytes:,} bytes)"
    )


def _late(limit: float) -> str:
    """Why a call ran out of time, with the limit that applied: its own, or what was left of the page's."""
    if limit < 0.5:
        return "the time for PIM calls on this page ran out before this one"
    return f"the PIM did not answer within {limit:.0f} seconds"


def _read_capped(response: requests.Response, max_bytes: int) -> bytes:
    too_large = _too_large(max_bytes)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    body = bytearray()
    for chunk in response.iter_content(chunk_size=64 * 1024):
        body += chunk
        if len(body) > max_bytes:
            raise too_large
    return bytes(body)


def _reason(error: BaseException) -> str:
    """A short cause without the URL: the page already names the PIM."""
    cause: BaseException = error
    while cause.__context__ is not None and not isinstance(cause, OSError | MaxRetryError):
        cause = cause.__context__
    if isinstance(cause, MaxRetryError) and cause.reason is not None:
        cause = cause.reason
    text = str(cause)
    return text.split(": ", 1)[-1][:200] if text else type(error).__name__


def build_pim_session(
    exact_hosts: frozenset[str] = frozenset(), retries: int = 3, backoff_factor: float = 0.5
) -> requests.Session:
    """A requests session whose connections obey the address rules and the current deadline."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    # No proxy, netrc or CA bundle from the environment: a proxy would connect for the App, past the address
    # check and the deadline. And no cookies: one PIM must not set cookies that go to another, or to the next
    # visitor's calls.
    session.trust_env = False
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    retry = DeadlineRetry(
        total=retries,
        connect=retries,
        read=0,  # a read timeout means the PIM is slow; retrying would only make the page slower
        status=retries,
        status_forcelist=(429, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        backoff_factor=backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,  # the caller turns the last answer into a clear error
    )
    # pool_block: a fifth concurrent call to one PIM waits for a free connection instead of opening one.
    adapter = GuardedAdapter(
        exact_hosts, max_retries=retry, pool_maxsize=MAX_CONNECTIONS_PER_PIM, pool_block=True
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class DeadlineRetry(Retry):
    """Retries only while the wait fits: before MAX_RETRY_WAIT and before the deadline.

    A Retry-After longer than that is not slept through: the 429 comes back at once, so a page can say when
    to try again instead of hanging.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if response is not None:
            wait = super().get_retry_after(response)
            remaining = remaining_time()
            allowed = MAX_RETRY_WAIT if remaining is None else min(MAX_RETRY_WAIT, remaining - 1.0)
            if wait is not None and wait > allowed:
                # urllib3 always passes its pool here; its own increment raises with the optional one too.
                raise MaxRetryError(_pool, url or "", None)  # type: ignore[arg-type]
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def get_backoff_time(self) -> float:
        return _within_deadline(super().get_backoff_time())


def _within_deadline(seconds: float) -> float:
    remaining = remaining_time()
    return seconds if remaining is None else max(0.0, min(seconds, remaining))


class GuardedAdapter(HTTPAdapter):
    """requests' adapter with connection pools whose connections check where they connected to."""

    def __init__(self, exact_hosts: frozenset[str], **kwargs: Any) -> None:
        self.exact_hosts = exact_hosts
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        exact_hosts = self.exact_hosts

        class Http(GuardedHTTPConnection):
            allowed_special_hosts = exact_hosts

        class Https(GuardedHTTPSConnection):
            allowed_special_hosts = exact_hosts

        class HttpPool(_DeadlineWaitMixin, HTTPConnectionPool):
            ConnectionCls = Http

        class HttpsPool(_DeadlineWaitMixin, HTTPSConnectionPool):
            ConnectionCls = Https

        self.poolmanager.pool_classes_by_scheme = {"http": HttpPool, "https": HttpsPool}


class _DeadlineWaitMixin:
    """A blocking pool waits for a free connection only as long as the current deadline allows.

    requests passes no pool timeout, so without this a busy pool would wait for ever.
    """

    def _get_conn(self, timeout: float | None = None) -> Any:
        remaining = remaining_time()
        if timeout is None and remaining is not None:
            timeout = max(0.001, remaining)
        try:
            return super()._get_conn(timeout)  # type: ignore[misc]
        except EmptyPoolError:
            raise PoolWaitExceeded(
                self,  # type: ignore[arg-type]
                f"all {MAX_CONNECTIONS_PER_PIM} connections to the PIM stayed busy until the deadline",
            ) from None


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_special_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, link-local, unspecified or a cloud metadata service: never a PIM by accident."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that address.
        if address.ipv4_mapped is not None:
            return is_special_address(address.ipv4_mapped)
        if address.sixtofour is not None:
            return is_special_address(address.sixtofour)
        if address in NAT64:
            return is_special_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address in METADATA_ADDRESSES
    )


class _GuardMixin:
    """Resolves the host itself and connects only to addresses that pass, each within the deadline.

    Checking before connecting (not after) gives a visitor no timing difference between open and closed ports
    of the App's own machine; trying each address with the time that is left keeps a host with many
    unreachable addresses within the deadline.
    """

    allowed_special_hosts: frozenset[str] = frozenset()
    host: str
    port: int
    timeout: Any
    socket_options: Any
    source_address: Any

    def _new_conn(self) -> socket.socket:
        host = self.host.strip("[]").lower()
        try:
            addresses = socket.getaddrinfo(host, self.port, 0, socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise NameResolutionError(host, self, error) from error  # type: ignore[arg-type]
        refused = [
            sockaddr[0]
            for *_, sockaddr in addresses
            if is_special_address(_ip(str(sockaddr[0]))) and host not in self.allowed_special_hosts
        ]
        if len(refused) == len(addresses):
            raise ForbiddenAddress(
                f"{host} resolves to {refused[0]}, a loopback, link-local or metadata address; list the host "
                "exactly in ALLOWED_PIM_HOSTS if the App should really connect to it"
            )
        last_error: OSError | None = None
        for family, kind, protocol, _, sockaddr in addresses:
            if sockaddr[0] in refused:
                continue
            sock = socket.socket(family, kind, protocol)
            try:
                for option in self.socket_options or ():
                    sock.setsockopt(*option)
                sock.settimeout(self._connect_timeout())
                if self.source_address:
                    sock.bind(self.source_address)
                sock.connect(sockaddr)
            except OSError as error:
                sock.close()
                last_error = error
            else:
                return sock
        if isinstance(last_error, TimeoutError):
            raise ConnectTimeoutError(self, f"Connection to {host} timed out")
        raise NewConnectionError(self, f"Failed to establish a new connection: {last_error}")  # type: ignore[arg-type]

    def request(self, *args: Any, **kwargs: Any) -> None:
        """Send a request within the deadline: a PIM that stops reading cannot hold the send for longer."""
        remaining = remaining_time()
        if remaining is not None:
            if remaining <= 0:
                raise DeadlineExceeded("the deadline passed before sending")
            if isinstance(self.timeout, int | float):
                self.timeout = min(self.timeout, remaining)
        super().request(*args, **kwargs)  # type: ignore[misc]

    def _connect_timeout(self) -> float | None:
        """The connect timeout, shortened to what is left of the deadline."""
        configured = self.timeout if isinstance(self.timeout, int | float) else None
        remaining = remaining_time()
        if remaining is None:
            return configured
        if remaining <= 0:
            raise DeadlineExceeded("the deadline passed before connecting")
        return remaining if configured is None else min(configured, remaining)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text.split("%", 1)[0])


class DeadlineResponse(http.client.HTTPResponse):
    """Reads the status line, headers and body within the deadline current when the response started."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        end = _deadline.get()
        if end is not None:
            self.fp.close()
            self.fp = io.BufferedReader(_DeadlineReader(sock, end))


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: socket.socket, end: float) -> None:
        # A file of its own keeps the socket open until the answer is read, as http.client's does.
        self._file = sock.makefile("rb", buffering=0)
        self._sock = sock
        self._end = end
        self._read_timeout = sock.gettimeout()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        remaining = self._end - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded("the deadline passed while reading the answer")
        timeout = remaining if self._read_timeout is None else min(self._read_timeout, remaining)
        current = self._sock.gettimeout()
        # Lowered only when the current timeout could outlast the deadline: each settimeout is a system call.
        if current is None or timeout < current:
            self._sock.settimeout(timeout)
        return self._file.readinto(buffer)

    def close(self) -> None:
        self._file.close()
        super().close()


class GuardedHTTPConnection(_GuardMixin, HTTPConnection):
    response_class = DeadlineResponse


class GuardedHTTPSConnection(_GuardMixin, HTTPSConnection):
    response_class = DeadlineResponse
