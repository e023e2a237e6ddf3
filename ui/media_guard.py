"""Downloads only to the person whose session made them: the server's ``/media/…`` route, guarded.

Streamlit serves every file a page registers (a download button's CSV or Excel, an image) at
``/media/<content hash>.<ext>`` to anyone who holds the address, for as long as the file lives; the
address is the same in every session for the same data (issue 24, finding 1: a ``curl`` without a cookie
got a whole province's CSV). With sign-in configured, the route installed here (``ui/serve.py``, before
the server builds its routes) serves a file only to a request whose signed sign-in cookie names a person
who (1) has a live session that registered this file, (2) is still in the users file with a role, and
(3) has not signed out since, nor signed in longer ago than ``session_hours``. Anything else is a plain
404, as for a file that does not exist. Every file served is written to the audit log (who, file, bytes).

Without sign-in (the demo, or ``NQ71_ALLOW_NO_LOGIN=1`` on an intranet) there is no person to bind a
file to: the route is Streamlit's own.

This wraps a private part of the pinned Streamlit (``starlette_app.create_media_routes`` and the
session and media managers' fields); tests/test_login.py fetches a download's address with no cookie,
with another person's cookie and after sign-out, and fails if an upgrade changes them.
"""

from __future__ import annotations

import collections
import json
import sys
import threading
import time
import traceback

# A file built on click (a download button given a callable: the Excel exports) is stored by Streamlit
# under no session; the sessions whose placeholder it was built from are kept here (newest 2,000).
_BUILT_FOR: collections.OrderedDict[str, set[str]] = collections.OrderedDict()
_BUILT_LOCK = threading.Lock()
_AUTH_SEEN = False  # sign-in was configured at some request of this process


def install() -> None:
    from starlette.responses import Response
    from starlette.routing import Route
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.web.server.starlette import starlette_app, starlette_routes

    execute_deferred = MediaFileManager.execute_deferred

    def remembered(self, file_id: str) -> str:
        with self._lock:
            owners = {sid for sid, ids in self._deferred_ids_by_session.items() if file_id in ids}
        url = execute_deferred(self, file_id)
        built = url.rsplit("/", 1)[-1].split("?")[0].rsplit(".", 1)[0]
        with _BUILT_LOCK:
            _BUILT_FOR.setdefault(built, set()).update(owners)
            _BUILT_FOR.move_to_end(built)
            while len(_BUILT_FOR) > 2000:
                _BUILT_FOR.popitem(last=False)
        return url

    MediaFileManager.execute_deferred = remembered

    original = starlette_routes.create_media_routes

    def guarded_routes(media_storage, base_url):
        out = []
        for route in original(media_storage, base_url):
            if isinstance(route, Route) and route.methods and "GET" in route.methods:
                endpoint = route.endpoint

                async def guarded(request, _endpoint=endpoint, _storage=media_storage):
                    who = _allowed(request)
                    if who is False:
                        return Response("Không tìm thấy tệp.", status_code=404, media_type="text/plain; charset=utf-8")
                    response = await _endpoint(request)
                    if who and request.method == "GET" and response.status_code in (200, 206):
                        _record(who, request.path_params.get("file_id", ""), _storage, response)
                    return response

                out.append(Route(route.path, guarded, methods=list(route.methods), name=route.name))
            else:
                out.append(route)
        return out

    starlette_app.create_media_routes = guarded_routes


def _owners(file_id: str) -> set[str]:
    """The e-mails of the live sessions that registered ``file_id``."""
    from streamlit.runtime import Runtime

    runtime = Runtime.instance()
    mgr = runtime.media_file_mgr
    with mgr._lock:  # Streamlit changes these maps from other threads
        sessions = {sid for sid, by_coord in mgr._files_by_session_and_coord.items() if file_id in by_coord.values()}
        sessions |= {sid for sid, ids in mgr._deferred_ids_by_session.items() if file_id in ids}
    with _BUILT_LOCK:
        sessions |= _BUILT_FOR.get(file_id, set())
    emails = set()
    for sid in sessions:
        info = runtime._session_mgr.get_session_info(sid)
        user = getattr(info.session, "_user_info", None) or {} if info is not None else {}
        if user.get("email"):
            emails.add(str(user["email"]).lower())
    return emails


def _allowed(request) -> str | bool | None:
    """The requester's e-mail when the file may be served to them; None when sign-in is not configured
    (Streamlit's own behaviour); False when it must not be served."""
    try:
        from streamlit.web.server.starlette.starlette_websocket import (
            USER_COOKIE_NAME,
            _get_signed_cookie_with_chunks,
        )

        from core import catalog, signouts
        from ui import access, data

        global _AUTH_SEEN
        if not access.auth_configured():
            # no sign-in: Streamlit's own route (demo, intranet); but once sign-in was seen, secrets that
            # cannot be read now (a bad edit) never open the files to anyone
            return False if _AUTH_SEEN else None
        _AUTH_SEEN = True
        raw = _get_signed_cookie_with_chunks(request.cookies, USER_COOKIE_NAME)
        payload = json.loads(raw) if raw else {}
        email = str(payload.get("email") or "").lower()
        if not email or not payload.get("is_logged_in"):
            return False
        iat = payload.get("iat")
        if not isinstance(iat, int | float):
            return False
        out = signouts.last(data.db_path(), email)
        if (out is not None and iat <= out) or time.time() - iat > access.session_hours() * 3600:
            return False
        roles = catalog.roles()
        entry = next((r for r in access.read_users() if r["email"].lower() == email), None)
        if entry is None or entry.get("vai_tro") not in roles:
            return False
        file_id = request.path_params.get("file_id", "").rsplit(".", 1)[0]
        return email if email in _owners(file_id) else False
    except Exception:  # a check that cannot run refuses: never serve on doubt
        traceback.print_exc(file=sys.stderr)
        return False


def _record(email: str, file_id: str, storage, response) -> None:
    """who, the file, its rows (a CSV's lines less its header), its size, and the person's role and units as the
    users file says at this moment."""
    from core import audit
    from ui import access, data

    try:
        stored = storage.get_file(file_id)
        name, content = stored.filename or file_id, stored.content
    except Exception:
        name, content = file_id, b""
    rows = max(0, content.count(b"\n") - 1) if name.lower().endswith(".csv") else None
    entry = next((r for r in access.read_users() if r["email"].lower() == email), {})
    size = response.headers.get("content-length")
    audit.record(
        data.db_path(), email, entry.get("vai_tro"), "tai_xuong", file=name, rows=rows,
        bytes=int(size) if size else None, units=entry.get("don_vi") or "tất cả",
    )  # fmt: skip
