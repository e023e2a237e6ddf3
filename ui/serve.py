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


def main() -> None:
    disable_legacy_pages_folder()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
