"""Text that came from a sheet or a person, made safe to put into anything Streamlit draws as markdown.

Streamlit draws markdown in ``st.markdown``, captions, alerts, toasts, expander and widget labels, radio
options: ``**x**`` becomes bold, ``![i](http://host/p.png)`` an image every viewer's browser fetches (a
tracking pixel, a way to send data out), ``[a](…)``, ``www.…`` and ``http://…`` links, ``$…$`` maths,
``:red[…]`` colours, ``:material/…:`` icons. A «Đề xuất» cell, a return reason, a unit's name, a file name
or a person's name is none of these: :func:`plain` escapes every ASCII punctuation mark with a backslash
(CommonMark lets any of them be escaped, and the escaped mark is drawn as itself), which breaks each of
those constructs, puts an invisible word joiner inside bare addresses (GFM links them even escaped),
and joins the text onto one line. Tables (``st.dataframe``) and
``st.code`` draw text as text already and need none of this.
"""

from __future__ import annotations

import re

_PUNCT = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# GFM turns bare addresses into links after escapes are read (``http://…``, ``www.…``, ``a@b.c``): an
# invisible WORD JOINER (U+2060) inside each trigger leaves the text as it reads and stops the link
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=www)(?=\.)|(?=@)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)")
JOINER = "\u2060"


def plain(value: object) -> str:
    """``value`` as markdown source that is drawn as exactly its text (on one line), never a link."""
    if value is None:
        return ""
    text = _AUTOLINK.sub(JOINER, " ".join(str(value).split()))
    return _PUNCT.sub(r"\\\1", text)
