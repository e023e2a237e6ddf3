"""The one door to Google: Sheets and Drive reads through gspread's HTTPClient.

Per spreadsheet and refresh, at most:

1. Drive ``files.get`` (modifiedTime): unchanged since the last good read -> stop here;
2. Sheets ``spreadsheets.get`` (tabs, gids, merges; no cell data);
3. Sheets ``values:batchGet`` of every tab needed, ``UNFORMATTED_VALUE`` (numbers as
   numbers; never gspread's ``numericise``: it reads the Vietnamese ``1.234`` as 1.234 and
   ``1,5`` as 15) and ``dateTimeRenderOption=FORMATTED_STRING``: a date cell comes back as its
   formatted text, not as a serial number no different from a count. That is what tells a date
   (``04/2026`` typed in a «Kỳ báo cáo» cell, which Sheets makes a date; a Forms timestamp) from a
   number; the text is read in the order of the spreadsheet's locale (``Tab.date_order``).

An .xlsx uploaded to Drive and never converted answers step 2 with 400 "This
operation is not supported for this document": it is downloaded through Drive
(``alt=media``) and read as xlsx. Without credentials, a sheet shared as
"anyone with the link" is read through its public xlsx export.

Failures: 429, 408 and 5xx and timeouts are retried with capped exponential
backoff and full jitter, inside one deadline for the whole refresh (gspread
6.2.1's own ``BackOffHTTPClient`` can retry for ever); every request has
explicit connect and read timeouts. Sheets reads are paced to the API quota
(60 a minute per user; a service account is one user). Keys are never logged.
"""

from __future__ import annotations

import functools
import random
import re
import time
from collections import deque
from dataclasses import dataclass, field

import google.auth.exceptions
import requests
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from .readers import Tab, cell, gc_paused, read_xlsx

SCOPES = [
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
]
DRIVE_FILES = "https://www.googleapis.com/drive/v3/files"
PUBLIC_EXPORT = "https://docs.google.com/spreadsheets/d/{id}/export?format=xlsx"
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
SHEETS_PER_MINUTE = 60

# a spreadsheet or Drive file id: 25–60 URL-safe characters in practice (44 today); bounded, so a pasted
# essay is never stored as an id, and the character after it must not continue it
_ID = r"[A-Za-z0-9_-]{20,100}(?![A-Za-z0-9_-])"
LINK_MAX = 2000  # a pasted address longer than this is not a link


class GoogleError(Exception):
    """A read that failed; ``message`` says in Vietnamese what happened and what to do. ``network``:
    the machine itself cannot reach Google (no name resolution, no route, refused, TLS broken), which
    no retry within the run heals: the refresh stops calling and says so for every sheet left."""

    def __init__(self, message: str, status: int | None = None, network: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.network = network


KEPT = "dữ liệu đọc được lần trước vẫn giữ nguyên"


def _chain(e: BaseException):
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or e.__context__
        if e is None:
            break


def network_cause(e: BaseException) -> GoogleError | None:
    """The real cause of a connection failure, named (not «Google quá thời gian»); None when the
    failure is a timeout or an answer from Google, which a later try may heal."""
    import errno
    import socket
    import ssl

    for c in _chain(e):
        name = type(c).__name__
        if name == "NameResolutionError" or isinstance(c, socket.gaierror):
            return GoogleError(
                "Không phân giải được tên máy chủ Google (DNS): máy chủ này không có mạng hoặc không dùng được "
                f"DNS. Kiểm tra kết nối Internet và máy chủ DNS (/etc/resolv.conf) của máy chủ; {KEPT}.",
                network="dns",
            )
        if isinstance(c, ConnectionRefusedError):
            return GoogleError(
                "Kết nối tới Google bị từ chối: tường lửa hoặc proxy của cơ quan chặn cổng 443. Nhờ bộ phận "
                f"mạng mở kết nối HTTPS ra googleapis.com; {KEPT}.",
                network="refused",
            )
        if isinstance(c, OSError) and c.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
            return GoogleError(
                f"Máy chủ không có đường mạng ra Internet (network unreachable). Kiểm tra cáp, cổng ra và định tuyến; {KEPT}.",
                network="offline",
            )
        if isinstance(c, ssl.SSLError) or name == "SSLError":
            return GoogleError(
                "Không lập được kết nối bảo mật (TLS) với Google: proxy chặn HTTPS hoặc đồng hồ máy chủ sai. "
                f"Kiểm tra giờ hệ thống và proxy; {KEPT}.",
                network="tls",
            )
    return None


@dataclass(frozen=True)
class SheetRef:
    spreadsheet_id: str
    gid: str | None = None

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"


def parse_sheet_link(text: str) -> SheetRef:
    """Any form people paste: ``/edit#gid=…``, ``/edit?gid=…#gid=…``, ``?usp=sharing``, the bare id."""
    s = (text or "").strip()
    if len(s) > LINK_MAX or any(ord(ch) < 32 for ch in s):
        from core.fmt import number

        what = f"dài {number(len(s))} ký tự" if len(s) > LINK_MAX else "có ký tự điều khiển"
        raise GoogleError(
            f"Nội dung đã dán {what}: không phải đường dẫn Google Sheets. Hãy mở bảng, "
            "bấm Chia sẻ > Sao chép đường liên kết rồi dán lại."
        )
    m = re.search(r"/spreadsheets/(?:u/\d+/)?d/(" + _ID + ")", s) or re.search(r"/file/d/(" + _ID + ")", s)
    if m:
        sid = m.group(1)
    elif re.fullmatch(_ID, s):
        sid = s
    else:
        m = re.search(r"[?&]id=(" + _ID + ")", s)
        if not m:
            raise GoogleError(
                f"«{text[:80]}{'…' if len(text) > 80 else ''}» không phải đường dẫn Google Sheets. Hãy mở bảng, bấm Chia sẻ > Sao chép đường liên kết rồi dán lại."
            )
        sid = m.group(1)
    gid = re.search(r"[#?&]gid=(\d+)", s)
    return SheetRef(sid, gid.group(1) if gid else None)


class Deadline:
    def __init__(self, seconds: float, clock=time.monotonic):
        self.clock = clock
        self.end = clock() + seconds

    def left(self) -> float:
        return self.end - self.clock()


class PacedRetryingHTTPClient(HTTPClient):
    """gspread's HTTPClient with timeouts, bounded retries, a deadline and quota pacing."""

    retry_statuses = frozenset({408, 429, 500, 502, 503, 504})
    max_attempts = 6
    base_wait = 1.0
    max_wait = 32.0
    sleep = staticmethod(time.sleep)

    def __init__(self, auth, session=None):
        super().__init__(auth, session)
        self.timeout = TIMEOUT
        self.deadline = Deadline(600)
        self.calls = 0
        self._sheets_times: deque[float] = deque()

    def _pace(self, url: str) -> None:
        if "sheets.googleapis.com" not in url:
            return
        now = time.monotonic()
        while self._sheets_times and now - self._sheets_times[0] > 60:
            self._sheets_times.popleft()
        if len(self._sheets_times) >= SHEETS_PER_MINUTE:
            wait = 60 - (now - self._sheets_times[0])
            self._wait(wait, "đợi hạn mức 60 lượt đọc/phút của Google Sheets")
        self._sheets_times.append(time.monotonic())

    def _wait(self, seconds: float, why: str) -> None:
        if seconds >= self.deadline.left():
            raise GoogleError(
                f"Hết thời gian làm mới trước khi {why}; lần sau sẽ đọc tiếp. Dữ liệu đọc được lần trước vẫn giữ nguyên.",
                status=429,
            )
        self.sleep(max(0.0, seconds))

    def request(self, method, endpoint, *args, **kwargs):
        last: Exception | None = None
        for attempt in range(self.max_attempts):
            if self.deadline.left() <= 0:
                break
            self._pace(endpoint)
            self.calls += 1
            try:
                return super().request(method, endpoint, *args, **kwargs)
            except APIError as e:
                status = e.response.status_code
                if status not in self.retry_statuses:
                    raise
                last = e
            except (requests.Timeout, requests.ConnectionError, google.auth.exceptions.TransportError) as e:
                if (cause := network_cause(e)) is not None:
                    raise cause from None  # not healed by waiting: no retry
                last = e
            wait = random.uniform(0, min(self.max_wait, self.base_wait * 2**attempt))  # full jitter
            self._wait(wait, "thử lại")
        raise _as_google_error(last) if last else GoogleError("Hết thời gian làm mới.", status=408)


def _as_google_error(e: Exception, email: str = "") -> GoogleError:
    if isinstance(e, GoogleError):
        return e
    if (cause := network_cause(e)) is not None:
        return cause
    if isinstance(e, google.auth.exceptions.RefreshError):
        return GoogleError(
            "Google từ chối khóa tài khoản dịch vụ (khóa đã bị xóa, bị thu hồi hoặc sai dự án). Tạo khóa mới "
            "trong Google Cloud Console và thay [gcp_service_account] trong tệp bí mật.",
            401,
        )
    if isinstance(e, (requests.Timeout, requests.ConnectionError, google.auth.exceptions.TransportError)):
        return GoogleError(
            "Google không trả lời kịp (quá thời gian kết nối hoặc đọc). Hãy thử làm mới lại sau ít phút; "
            "dữ liệu đọc được lần trước vẫn giữ nguyên.",
            status=408,
        )
    status = e.response.status_code if isinstance(e, APIError) else None
    text = str(getattr(e, "error", {}).get("message", "")) if isinstance(e, APIError) else str(e)
    if status == 403:
        who = f" với địa chỉ {email}" if email else " với tài khoản dịch vụ (xem email ở trang Nguồn dữ liệu)"
        return GoogleError(
            f"Không có quyền đọc bảng (403). Hãy mở bảng, bấm Chia sẻ và thêm quyền Người xem{who}.", status
        )
    if status == 404:
        return GoogleError(
            "Không tìm thấy bảng (404): đường dẫn sai hoặc bảng đã bị xóa. Hãy dán lại đường dẫn đúng.", status
        )
    if status == 429:
        return GoogleError(
            "Google báo vượt hạn mức đọc (429) và vẫn từ chối sau nhiều lần thử. Làm mới lại sau vài phút.", status
        )
    if status and status >= 500:
        return GoogleError(f"Máy chủ Google đang lỗi ({status}). Làm mới lại sau ít phút.", status)
    return GoogleError(f"Google trả lỗi {status}: {text}", status)


@dataclass
class Fetched:
    tabs: list[Tab] = field(default_factory=list)
    modified: str = ""
    title: str = ""
    unchanged: bool = False


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


@gc_paused()
def _tabs_from_values(sid: str, meta: dict, wanted: set[str], batch: dict) -> list[Tab]:
    by_title = {s["properties"]["title"]: s for s in meta.get("sheets", [])}
    order = date_order(meta.get("properties", {}).get("locale", ""))
    out = []
    for vr in batch.get("valueRanges", []):
        title = _range_title(vr.get("range", ""))
        sheet = by_title.get(title)
        if sheet is None:
            continue
        merges = [
            (m.get("startRowIndex", 0), m.get("startColumnIndex", 0), m["endRowIndex"] - 1, m["endColumnIndex"] - 1)
            for m in sheet.get("merges", [])
        ]
        # strings and small whole numbers inline (most cells), the rest through readers.cell
        ints = _small_int_cells()
        n = len(ints)
        rows = [
            [(v, "s") if (tv := type(v)) is str else ints[v] if tv is int and 0 <= v < n else cell(v) for v in row]
            for row in vr.get("values", [])
        ]
        out.append(
            Tab(
                source=sid,
                sheet=title,
                rows=rows,
                merges=merges,
                gid=str(sheet["properties"]["sheetId"]),
                url=f"https://docs.google.com/spreadsheets/d/{sid}/edit",
                date_order=order,
            )
        )
    return [t for t in out if not wanted or t.sheet in wanted or t.gid in wanted]


# locales whose default date format puts the month first (Google Sheets' en_US: 4/1/2026)
_MONTH_FIRST = {"en_US", "en_PH", "es_US", "fil_PH"}


def date_order(locale: str) -> str:
    """``mdy`` for a spreadsheet locale that writes the month first, else ``dmy`` (vi_VN and most)."""
    return "mdy" if locale.replace("-", "_") in _MONTH_FIRST else "dmy"


@functools.cache
def _small_int_cells(n: int = 1 << 16) -> tuple[tuple[str, str], ...]:
    """``cell(i)`` for 0 <= i < n, built once: most values of a form are small counts, and
    looking one up costs less than formatting it (a national quarter has a million of them)."""
    return tuple((str(i), "n") for i in range(n))


def _range_title(a1: str) -> str:
    """``'Quý I.2026'!A1:X40`` -> ``Quý I.2026``."""
    name = a1.rsplit("!", 1)[0] if "!" in a1 else a1
    if name.startswith("'") and name.endswith("'"):
        name = name[1:-1].replace("''", "'")
    return name


class SheetsReader:
    """Reads spreadsheets with a service account, or public exports without one."""

    def __init__(self, service_account_info: dict | None = None, deadline_s: float = 600, session=None):
        self.email = ""
        self.http: PacedRetryingHTTPClient | None = None
        self.session = session or requests.Session()
        self.deadline = Deadline(deadline_s)
        if service_account_info:
            from google.oauth2.service_account import Credentials

            try:
                creds = Credentials.from_service_account_info(service_account_info, scopes=SCOPES)
            except (ValueError, KeyError, TypeError):
                raise GoogleError(
                    "Khóa tài khoản dịch vụ không đọc được (private_key hỏng hoặc thiếu trường như client_email). "
                    "Tải lại khóa JSON từ Google Cloud Console, chép nguyên văn vào [gcp_service_account]; "
                    "kiểm tra bằng python -m deploy check.",
                    401,
                ) from None
            self.email = service_account_info.get("client_email", "")
            self.http = PacedRetryingHTTPClient(creds)
            self.http.deadline = self.deadline

    @property
    def calls(self) -> int:
        return self.http.calls if self.http else self._public_calls

    _public_calls = 0

    def fetch(self, ref: SheetRef, tabs: set[str], last_modified: str = "") -> Fetched:
        try:
            if self.http is None:
                return self._public(ref)
            return self._api(ref, tabs, last_modified)
        except (APIError, requests.RequestException, google.auth.exceptions.GoogleAuthError) as e:
            raise _as_google_error(e, self.email) from None

    def _api(self, ref: SheetRef, tabs: set[str], last_modified: str) -> Fetched:
        http = self.http
        drive = http.get_file_drive_metadata(ref.spreadsheet_id)
        modified, title = drive.get("modifiedTime", ""), drive.get("name", "")
        if last_modified and modified == last_modified:
            return Fetched(modified=modified, title=title, unchanged=True)
        try:
            meta = http.fetch_sheet_metadata(ref.spreadsheet_id)
        except APIError as e:
            if e.response.status_code == 400 and "not supported for this document" in str(e.error.get("message", "")):
                return self._uploaded_xlsx(ref, tabs, modified, title)
            raise
        titles = [s["properties"]["title"] for s in meta.get("sheets", [])]
        gids = {str(s["properties"]["sheetId"]): s["properties"]["title"] for s in meta.get("sheets", [])}
        needed = [t for t in titles if not tabs or t in tabs or any(gids.get(g) == t for g in tabs)]
        if not needed:
            raise GoogleError(
                f"Bảng không có trang nào tên {', '.join(sorted(tabs))}. Các trang hiện có: {', '.join(titles)}."
            )
        batch = http.values_batch_get(
            ref.spreadsheet_id,
            [_quote(t) for t in needed],
            params={
                "valueRenderOption": "UNFORMATTED_VALUE",
                "dateTimeRenderOption": "FORMATTED_STRING",
                "majorDimension": "ROWS",
            },
        )
        return Fetched(
            _tabs_from_values(ref.spreadsheet_id, meta, set(), batch),
            modified,
            meta.get("properties", {}).get("title", title),
        )

    def _uploaded_xlsx(self, ref: SheetRef, tabs: set[str], modified: str, title: str) -> Fetched:
        r = self.http.request(
            "get", f"{DRIVE_FILES}/{ref.spreadsheet_id}", params={"alt": "media", "supportsAllDrives": True}
        )
        return Fetched(self._xlsx_tabs(ref, r.content, tabs), modified, title)

    def _xlsx_tabs(self, ref: SheetRef, data: bytes, tabs: set[str]) -> list[Tab]:
        out = []
        for t in read_xlsx(ref.spreadsheet_id, data=data, source=ref.spreadsheet_id):
            if tabs and t.sheet not in tabs:
                continue
            t.url = ref.url
            out.append(t)
        return out

    def _public(self, ref: SheetRef) -> Fetched:
        """No credentials: the "anyone with the link" xlsx export (merges included)."""
        last: Exception | None = None
        for attempt in range(PacedRetryingHTTPClient.max_attempts):
            self._public_calls += 1
            try:
                r = self.session.get(PUBLIC_EXPORT.format(id=ref.spreadsheet_id), timeout=TIMEOUT)
            except (requests.Timeout, requests.ConnectionError) as e:
                if (cause := network_cause(e)) is not None:
                    raise cause from None
                last = e
            else:
                if r.status_code == 200 and r.content[:2] == b"PK":
                    return Fetched(self._xlsx_tabs(ref, r.content, set()))
                if r.status_code in (401, 403) or (r.status_code == 200 and r.content[:2] != b"PK"):
                    raise GoogleError(
                        "Bảng chưa chia sẻ công khai và chưa cấu hình tài khoản dịch vụ. Hãy chia sẻ bảng "
                        "«Bất kỳ ai có đường liên kết» hoặc cấu hình gcp_service_account (xem README).",
                        403,
                    )
                if r.status_code == 404:
                    raise GoogleError("Không tìm thấy bảng (404): đường dẫn sai hoặc bảng đã bị xóa.", 404)
                if r.status_code not in PacedRetryingHTTPClient.retry_statuses:
                    raise GoogleError(f"Google trả lỗi {r.status_code} khi tải bảng.", r.status_code)
                last = GoogleError(f"Google trả lỗi {r.status_code}", r.status_code)
            wait = random.uniform(0, min(32.0, 2.0**attempt))
            if wait >= self.deadline.left():
                break
            PacedRetryingHTTPClient.sleep(wait)
        raise _as_google_error(last) if last else GoogleError("Hết thời gian làm mới.", 408)
