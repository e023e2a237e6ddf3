"""Nộp báo cáo: the form of one unit for one period, opened by the unit's personal link or by a
signed-in person for a unit of their scope (layout and checks in ui/submit.py)."""

import streamlit as st

from queries import Scope
from ui import access, submit

st.title("Nộp báo cáo")
link = access.current_link()
if link is not None:
    grant, token = link
    submit.draw(submit.for_link(grant, token), Scope.of([grant.unit]))
else:
    scope = access.current().scope
    if (target := submit.for_viewer(scope)) is not None:
        submit.draw(target, scope)
