"""Start the dashboard: ``python -m ui.serve [streamlit options]`` = ``streamlit run app.py``.

Why a launcher: Streamlit still treats a folder called ``pages/`` beside the
entry script as a legacy (v1) multipage app. It then wraps ``app.py`` in a
navigation of its own built from the file names, so opening a copied link such
as ``/tinh-hinh-bao-cao`` pops up "Page not found" before ``st.navigation``
in app.py finds the page. Turning that legacy mode off in the server process,
before the first session, keeps ``pages/`` as the home of the page files and
makes every link work. ``app.py`` turns it off too, so a bare
``streamlit run app.py`` only shows the dialog on the very first link opened.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"
READY = "Trang Tổng quan đã sẵn sàng cho người xem đầu tiên"


def disable_legacy_pages_folder() -> None:
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def _warm_up() -> None:
    """Prepare the first visitor's page while the browser is still loading Streamlit's JavaScript.

    Computes the overview's default view into the same caches a session reads
    (``ui.data``) and builds its chart once, so the first script run only draws.
    """
    import time

    from ui import charts, data, filters

    t = time.perf_counter()
    try:
        f = filters.defaults()
        if f is not None:
            trend = data.overview(f).trend
            if not trend.empty:
                charts.trend_chart(trend)
    finally:
        freeze_startup_heap()
    print(f"  {READY} ({time.perf_counter() - t:.1f} s)".replace(".", ","), file=sys.stderr, flush=True)


def freeze_startup_heap() -> None:
    """Set aside, for Python's cycle collector, every object alive once the server has started and
    warmed up: the imported libraries (Streamlit, pandas, DuckDB, Vega specs' helpers), the catalog,
    the first view's caches. They live as long as the process.

    A full collection (``gc.collect(2)``: Python's own now and then, and Streamlit's after every script
    run unless ``runner.postScriptGC`` is off, as in .streamlit/config.toml) holds the interpreter, so
    every other session waits; it walked these objects each time, about 80 ms of a 250 ms page change in
    the server's CPU (py-spy, national database, bench/LOADTEST.md). Frozen, they are no longer walked;
    what a run leaves behind is still collected, and memory is still freed by reference counting as
    before. An object frozen here and later dropped is freed as usual unless it sits in a reference cycle."""
    import atexit
    import gc

    gc.collect()
    gc.freeze()
    atexit.register(gc.unfreeze)  # at exit, frozen objects would never be freed: extension modules then report leaks


def _after_server_start(warm_up) -> None:
    """Run ``warm_up`` in a thread once the server listens: started earlier, its imports
    would hold the interpreter while the server itself starts, and the browser would wait longer."""
    import threading

    from streamlit.web import bootstrap

    started = bootstrap._on_server_start  # a private hook of the pinned Streamlit; tested in tests/test_serve.py

    def on_server_start(server) -> None:
        started(server)
        threading.Thread(target=warm_up, daemon=True, name="nq71-warm-up").start()

    bootstrap._on_server_start = on_server_start


def refuse_broken_configuration() -> None:
    """Under a province's configuration (``NQ71_CONFIG``), run ``python -m deploy check`` first and
    refuse to start on a ✗, with the same lines (exit 2); ``python -m deploy serve`` has run it already."""
    import os

    from core import catalog

    own = catalog.config_path()
    if own is None or os.environ.get("NQ71_CHECKED") == str(own):
        return
    from deploy.check import failed, report, run_checks

    checks = run_checks()
    if failed(checks):
        print(report(checks), file=sys.stderr, flush=True)
        raise SystemExit(2)


def main() -> None:
    refuse_broken_configuration()
    from core import catalog

    if catalog.config_path() is not None and not any(a.startswith("--client.showErrorDetails") for a in sys.argv):
        # a province's server: whatever escapes ui/guard.py is shown without its details (they go to the log)
        sys.argv += ["--client.showErrorDetails", "none"]
    if not any(a.startswith("--server.maxUploadSize") for a in sys.argv):
        # the server refuses a larger request body before it is read: the import's own file size limit
        from data_sources.read.limits import Limits

        sys.argv += ["--server.maxUploadSize", str(Limits.current().file_mb)]
    disable_legacy_pages_folder()
    from ui import media_guard

    media_guard.install()  # /media/… only to the signed-in person whose session made the file
    _after_server_start(_warm_up)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
