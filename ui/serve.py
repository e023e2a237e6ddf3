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


def disable_legacy_pages_folder() -> None:
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def _warm_up() -> None:
    """Import what the first page needs while the server starts, not when the first person arrives."""
    import duckdb  # noqa: F401
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401

    import queries  # noqa: F401
    import ui.widgets  # noqa: F401


def main() -> None:
    import threading

    disable_legacy_pages_folder()
    threading.Thread(target=_warm_up, daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
