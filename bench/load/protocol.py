"""A person who speaks Streamlit's own protocol: no browser, milliseconds of CPU per action.

What a browser does, message by message (read from Streamlit 1.67's frontend traffic, and from
streamlit/web/server/starlette/starlette_websocket.py for the server's side):

- ``GET /`` (the page, its cookies: ``_streamlit_xsrf``, and behind haproxy the sticky ``SERVERID``);
- a websocket on ``/_stcore/stream``, subprotocols ``streamlit, <xsrf token>``, permessage-deflate, no
  keepalive pings of its own;
- a ``BackMsg`` ``rerun_script`` (``ClientState``): the query string, every widget's value
  (``WidgetStates``, keyed by the widget ids the last run sent), the page's ``page_script_hash``
  (empty on the first visit), and the browser's context (time zone, locale, address);
- ``ForwardMsg``s back: ``new_session``, ``navigation`` (the pages and their hashes), deltas (each
  element, widgets with their id, label, options and default), ``page_info_changed`` (the query string
  the script wrote), and ``script_finished`` (``FINISHED_EARLY_FOR_RERUN`` when the script asked for
  another run: the next one follows).

A filter change sends the widget's new value with every other widget's current one, as the browser
does; a page change sends the page's hash with an empty query string; a download fetches the download
button's ``/media`` address over HTTP (or, for a file built on click, asks for it with a
``backend_operation_request`` first). The time of an action runs from the message sent until its
script run has finished (the page's whole content received): the server's share of a drawn page,
without the drawing. As the browser, a download button drawn with a new address has its file fetched
once (Streamlit's ``checkSourceUrlResponse``), after the run, untimed.
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from urllib.parse import urlsplit

import requests
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import connect

from bench.load import scenario

TIMEOUT_S = 60.0
EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
WIDGETS = ("selectbox", "radio", "multiselect", "checkbox", "text_input", "text_area")


class ProtocolError(Exception):
    """The server did not answer as a browser expects (timeout, a closed socket, an error element)."""


def _key(widget_id: str) -> str:
    """A widget's key from its id (``$$ID-<hash>-<key>``); its id when it has no key."""
    parts = widget_id.split("-", 2)
    return parts[2] if widget_id.startswith("$$ID-") and len(parts) == 3 else widget_id


class StreamlitSession:
    """One person's Streamlit session over the websocket. ``send_widgets=False`` sends no widget
    state (a broken client: the faithfulness test shows it is caught)."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT_S, send_widgets: bool = True):
        self.base = base_url.rstrip("/")
        self.timeout, self.send_widgets = timeout, send_widgets
        self.http = requests.Session()
        self.ws = None
        self._stack = contextlib.ExitStack()  # the websocket, a context manager (websockets' sync client)
        self.pages: dict[str, str] = {}  # url_pathname -> page_script_hash
        self.page_hash = ""
        self.query = ""
        self.widgets: dict[str, tuple[str, object]] = {}  # id -> (kind, element) of the last run
        self.states: dict[str, WidgetState] = {}  # id -> the value the browser would send
        self.caption = self.h1 = ""
        self.downloads: dict[str, object] = {}  # label -> DownloadButton of the last run
        self._checked: set[str] = set()  # the download addresses the last run drew (fetched once each)
        self.errors: list[str] = []  # exception elements of the last run
        self.runs = 0

    # ------------------------------------------------------------ the session

    def open(self, path: str = "") -> float:
        """Open the page at ``path`` (``""``: the overview) as a new visitor; seconds until drawn."""
        t = time.perf_counter()
        r = self.http.get(f"{self.base}/{path}", timeout=self.timeout)
        r.raise_for_status()
        url = urlsplit(self.base)
        scheme = "wss" if url.scheme == "https" else "ws"
        protocols = ["streamlit"]
        if xsrf := self.http.cookies.get("_streamlit_xsrf"):
            protocols.append(xsrf)
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        # permessage-deflate, as a browser negotiates it: the server compresses every message it sends
        self.ws = self._stack.enter_context(
            connect(
                f"{scheme}://{url.netloc}{url.path}/_stcore/stream",
                subprotocols=protocols,
                additional_headers={"Cookie": cookie} if cookie else None,
                origin=f"{url.scheme}://{url.netloc}",
                open_timeout=self.timeout,
                compression="deflate",
                max_size=None,
                # no keepalive pings from the client: a browser sends none (the server pings, and the
                # client answers); with them an overloaded server's late pong closed the session
                ping_interval=None,
            )
        )
        return self._rerun(page_name=path) - t

    def close(self) -> None:
        try:
            self._stack.close()
        finally:
            self.ws = None
            self.http.close()

    # ------------------------------------------------------------ actions

    def choose(self, label_or_key: str, value) -> float:
        """Set a widget (by its label or key) to ``value`` (an option's text, a list of them for a
        multiselect, a bool, a text) and wait for the run; seconds."""
        wid, (kind, el) = self.widget(label_or_key)
        options = list(getattr(el, "options", []))
        state = WidgetState(id=wid)
        if kind in ("selectbox", "radio"):
            if value not in options:
                raise ProtocolError(f"«{value}» không có trong danh sách «{el.label}»")
            state.string_value = value
        elif kind == "multiselect":
            missing = [v for v in value if v not in options]
            if missing:
                raise ProtocolError(f"{missing} không có trong danh sách «{el.label}»")
            state.string_array_value.data.extend(value)
        elif kind == "checkbox":
            state.bool_value = bool(value)
        else:
            state.string_value = str(value)
        self.states[wid] = state
        t = time.perf_counter()
        return self._rerun() - t

    def goto(self, path: str) -> float:
        """Open another page of the navigation (its address, ``""`` for the overview); seconds."""
        if path not in self.pages:
            raise ProtocolError(f"không có trang «{path}» trong thanh điều hướng: {sorted(self.pages)}")
        t = time.perf_counter()
        self.query = ""  # the browser leaves the page's query string behind; the new run writes its own
        return self._rerun(page_hash=self.pages[path]) - t

    def download(self, label: str) -> tuple[float, bytes]:
        """Click a download button (its label contains ``label``): the file's bytes and seconds."""
        button = next((b for name, b in self.downloads.items() if label in name), None)
        if button is None:
            raise ProtocolError(f"không thấy nút tải «{label}»: {sorted(self.downloads)}")
        t = time.perf_counter()
        url = button.url
        if not url and button.deferred_file_id:
            url = self._deferred_url(button.deferred_file_id)
        if not button.ignore_rerun:  # the click reruns the page (an on_click callback: audit log)
            self._rerun(trigger=button.id)
        r = self.http.get(self.base + url, timeout=self.timeout)
        r.raise_for_status()
        return time.perf_counter() - t, r.content

    def widget(self, label_or_key: str) -> tuple[str, tuple[str, object]]:
        for wid, (kind, el) in self.widgets.items():
            if el.label == label_or_key or _key(wid) == label_or_key:
                return wid, (kind, el)
        raise ProtocolError(f"không thấy ô chọn «{label_or_key}» trên trang")

    def options(self, label_or_key: str) -> list[str]:
        return list(self.widget(label_or_key)[1][1].options)

    def value(self, label_or_key: str):
        wid, _ = self.widget(label_or_key)
        s = self.states.get(wid)
        if s is None:
            return None
        kind = s.WhichOneof("value")
        return list(s.string_array_value.data) if kind == "string_array_value" else getattr(s, kind)

    # ------------------------------------------------------------ messages

    def _send(self, msg: BackMsg) -> None:
        self.ws.send(msg.SerializeToString())

    def _rerun(self, page_hash: str | None = None, page_name: str = "", trigger: str | None = None) -> float:
        """Send ``rerun_script`` and read until its run has finished: when it finished (perf_counter)."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.widget_states.SetInParent()
        if self.send_widgets:
            cs.widget_states.widgets.extend(self.states.values())
        if trigger:
            cs.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        cs.page_script_hash = self.page_hash if page_hash is None else page_hash
        if page_name:
            cs.page_name = page_name
        ctx = cs.context_info
        ctx.timezone, ctx.timezone_offset, ctx.locale = "Asia/Ho_Chi_Minh", -420, "vi-VN"
        ctx.url, ctx.is_embedded, ctx.color_scheme = f"{self.base}/", False, "light"
        self._send(msg)
        self._until_finished()
        finished = time.perf_counter()
        self.check_sources()
        return finished

    def check_sources(self) -> None:
        """What Streamlit's download button does as it is drawn with a new address
        (``checkSourceUrlResponse``): fetch the file once, to report a broken link. Not timed: the
        browser does it after the page is drawn."""
        urls = {b.url for b in self.downloads.values() if b.url}
        for url in urls - self._checked:
            self.http.get(self.base + url, timeout=self.timeout)
        self._checked = urls

    def _recv(self) -> ForwardMsg:
        try:
            data = self.ws.recv(timeout=self.timeout)
        except TimeoutError as e:
            raise ProtocolError(f"máy chủ không trả lời sau {self.timeout:.0f} s") from e
        except (ConnectionClosed, OSError) as e:
            raise ProtocolError(f"mất kết nối: {e}") from e
        if not isinstance(data, bytes):
            raise ProtocolError("máy chủ gửi khung chữ, không phải protobuf")
        msg = ForwardMsg()
        msg.ParseFromString(data)
        return msg

    def _until_finished(self) -> None:
        """Read until the run that the message started (and any run it asked for) has finished."""
        seen: dict[str, tuple[str, object]] = {}
        self.caption, self.h1, self.downloads, self.errors = "", "", {}, []
        while True:
            msg = self._recv()
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                seen.clear()
                self.caption, self.h1, self.downloads, self.errors = "", "", {}, []
                if msg.new_session.page_script_hash:
                    self.page_hash = msg.new_session.page_script_hash
            elif kind == "navigation":
                nav = msg.navigation
                self.pages = {p.url_pathname: p.page_script_hash for p in nav.app_pages}
                default = next((p.page_script_hash for p in nav.app_pages if p.is_default), None)
                if default:
                    self.pages[""] = default
                if nav.page_script_hash:
                    self.page_hash = nav.page_script_hash
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "delta":
                self._delta(msg, seen)
            elif kind == "ref_hash":
                raise ProtocolError("máy chủ gửi tham chiếu bộ nhớ đệm mà phiên này không có")
            elif kind == "page_not_found":
                raise ProtocolError(f"không có trang: {msg.page_not_found.page_name}")
            elif kind == "script_finished":
                if msg.script_finished == EARLY:
                    continue  # the script asked for another run (st.rerun): it follows
                self.runs += 1
                self.widgets = seen
                # the browser forgets the values of widgets the last run did not draw
                self.states = {wid: s for wid, s in self.states.items() if wid in seen}
                for wid, (wkind, el) in seen.items():
                    if wid not in self.states or el.set_value:
                        default = _default(wid, wkind, el)
                        if default is not None:
                            self.states[wid] = default
                return

    def _delta(self, msg: ForwardMsg, seen: dict) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        main = msg.metadata.delta_path[:1] == [0]
        if kind in WIDGETS:
            w = getattr(el, kind)
            seen[w.id] = (kind, w)
        elif kind == "download_button":
            self.downloads[el.download_button.label] = el.download_button
        elif kind == "exception":
            self.errors.append(f"{el.exception.type}: {el.exception.message[:160]}")
        elif kind == "heading" and main and el.heading.tag == "h1" and not self.h1:
            self.h1 = el.heading.body
        elif kind == "markdown" and main and el.markdown.element_type == el.markdown.CAPTION and not self.caption:
            self.caption = el.markdown.body

    def _deferred_url(self, file_id: str) -> str:
        msg = BackMsg()
        req = msg.backend_operation_request
        req.request_id = str(uuid.uuid4())
        req.deferred_file.file_id = file_id
        self._send(msg)
        while True:
            fwd = self._recv()
            if fwd.WhichOneof("type") == "backend_operation_response":
                resp = fwd.backend_operation_response
                if resp.request_id != req.request_id:
                    continue
                if resp.error_msg:
                    raise ProtocolError(f"tệp tải xuống không dựng được: {resp.error_msg}")
                return resp.deferred_file.url


def _default(wid: str, kind: str, el) -> WidgetState | None:
    """The value a browser holds for a widget just drawn: the one the server set, else its default."""
    s = WidgetState(id=wid)
    if kind in ("selectbox", "radio"):
        if el.set_value and el.HasField("raw_value"):
            s.string_value = el.raw_value
        elif el.HasField("default"):
            s.string_value = el.options[el.default]
        else:
            return None
    elif kind == "multiselect":
        values = list(el.raw_values) if el.set_value else [el.options[i] for i in el.default]
        s.string_array_value.data.extend(values)
    elif kind == "checkbox":
        s.bool_value = el.value if el.set_value else el.default
    else:  # text_input, text_area
        v = el.value if el.set_value and el.HasField("value") else (el.default if el.HasField("default") else None)
        if v is None:
            return None
        s.string_value = v
    return s


# ---------------------------------------------------------------- one person's actions


def run_person(s: StreamlitSession, i: int, facts: dict, rounds: int, think: float, record, rounds_at: float = 0.0,
               ) -> None:  # fmt: skip
    """Person ``i`` of bench/load/scenario.py over the protocol: open the overview, wait until the
    monotonic time ``rounds_at`` (the ramp's end), then ``rounds`` rounds, reading ``think`` seconds
    (±50 %, seeded as the browser's person) between actions. ``record(action, seconds, error)`` for
    each action; the first failed action ends the person (as in a browser)."""
    rng = random.Random(1000 + i)

    def pause() -> None:
        if think > 0:
            time.sleep(think * rng.uniform(0.5, 1.5))

    def act(action: str, do, shows: str | None = None) -> bool:
        try:
            seconds = do()
        except (ProtocolError, requests.RequestException, InvalidHandshake, ConnectionClosed, OSError) as e:
            record(action, None, f"{type(e).__name__}: {str(e)[:160]}")
            return False
        if s.errors:
            record(action, seconds, f"lỗi trên trang: {s.errors[0]}")
            return False
        if shows is not None and shows not in s.caption:
            record(action, seconds, f"trang xong nhưng không theo lựa chọn «{shows}»: {s.caption[-120:]}")
            return False
        record(action, seconds)
        return True

    if not act("open_overview", s.open):
        return
    time.sleep(max(0.0, rounds_at - time.monotonic()))
    provinces = facts["provinces"]
    for rnd in range(rounds):
        pause()
        if len(provinces) > 1:
            name = scenario.province_for(i, rnd, provinces)
            if not act("filter_province", lambda n=name: s.choose(scenario.PROVINCE_LABEL, n), shows=name):
                return
            pause()

        def pick_unit(rnd=rnd) -> float:
            held = s.value(scenario.UNIT_LABEL) or []
            offered = [o for o in s.options(scenario.UNIT_LABEL) if o not in held]
            if not offered:
                raise ProtocolError("danh sách đơn vị trống")
            return s.choose(scenario.UNIT_LABEL, [*held, scenario.pick_offered(offered, i, rnd)])

        if not act("filter_unit", pick_unit, shows=scenario.UNIT_SHOWS):
            return
        pause()
        quarter = scenario.quarter_for(i, rnd, facts["quarters"], s.caption)
        if quarter and not act("filter_quarter", lambda q=quarter: s.choose(scenario.QUARTER_LABEL, q), shows=quarter):
            return
        for path, action in scenario.PAGES:
            pause()
            if not act(action, lambda p=path: s.goto(p)):
                return
        pause()

        def download() -> float:
            seconds, raw = s.download(scenario.CSV_LABEL)
            if not raw.startswith(b"\xef\xbb\xbf") or len(raw) < 10:
                raise ProtocolError(f"tệp CSV lạ ({len(raw)} byte)")
            return seconds

        act("download_csv", download)
        pause()
        path, action = scenario.OVERVIEW
        if not act(action, lambda p=path: s.goto(p)):
            return
