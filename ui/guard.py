"""No person ever sees a traceback: the page's run is guarded here (app.py).

A refusal (``access.Denied``: a role without the right, a unit outside the scope) is said in Vietnamese
and has already been written to the audit log (``access.require``). Any other error shows a short
Vietnamese message with an incident number; the traceback goes with that number to the server's log
only (stderr). ``st.stop``/``st.rerun`` are not errors (Streamlit's ScriptControlException is a
BaseException) and pass through. ``NQ71_RAISE_ERRORS=1`` (the tests' setting) re-raises after drawing
the message, so AppTest still fails on a bug instead of passing over a polite page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import sys
import traceback

import streamlit as st

from ui.access import Denied
from ui.text import plain


def incident_id() -> str:
    return f"{dt.datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


@contextlib.contextmanager
def guarded():
    try:
        yield
    except Denied as e:
        st.error(plain(e), icon=":material/lock:")
    except Exception:
        incident = incident_id()
        print(f"[sự cố {incident}]\n{traceback.format_exc()}", file=sys.stderr, flush=True)
        st.error(
            f"Trang gặp lỗi không lường trước (mã sự cố {incident}). Hãy tải lại trang; nếu lỗi lặp lại, "
            "gửi mã này cho quản trị viên (mã và chi tiết lỗi có trong nhật ký máy chủ).",
            icon=":material/error:",
        )
        if os.environ.get("NQ71_RAISE_ERRORS") == "1":
            raise


def callback(fn):
    """``fn`` as a widget callback (run before the page's script, outside the guard): a refusal or an
    error is kept and said at the top of the page's next run, never shown as a traceback."""

    def run(*args, **kwargs):
        try:
            fn(*args, **kwargs)
        except Denied as e:
            st.session_state["guard_message"] = plain(e)
        except Exception:
            incident = incident_id()
            print(f"[sự cố {incident}]\n{traceback.format_exc()}", file=sys.stderr, flush=True)
            st.session_state["guard_message"] = f"Thao tác không thực hiện được (mã sự cố {incident})."
            if os.environ.get("NQ71_RAISE_ERRORS") == "1":
                raise

    return run


def pending_message() -> None:
    if msg := st.session_state.pop("guard_message", None):
        st.error(msg, icon=":material/lock:")
