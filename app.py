"""sca-rates in the browser: `make run`. This script only configures the page and routes."""

from importlib.resources import files

import streamlit as st

from sca_rates.ui import call_desk, cost_page, log_page, market_page, state, terms_page, whatif_page
from sca_rates.ui.case_form import CHOICE

# The icon is bundled: the app fetches nothing from outside the machine
ICON = files("sca_rates.ui") / "icon.png"
st.set_page_config(page_title="sca-rates", page_icon=str(ICON), layout="wide")
if state.auth_configured() and not st.user.is_logged_in:  # [auth] in .streamlit/secrets.toml
    st.title("sca-rates")
    st.button("Sign in", on_click=st.login)
    st.stop()
# The case chosen, and what was typed on the desk, outlive a page or a folded panel without them
state.keep_widgets(CHOICE, *call_desk.KEPT)
pages = [
    st.Page(call_desk.render_page, title="Call desk", default=True),
    st.Page(cost_page.render_page, title="Cost model", url_path="cost"),
    st.Page(market_page.render_page, title="Market", url_path="market"),
    st.Page(whatif_page.render_page, title="What if", url_path="what-if"),
    st.Page(terms_page.render_page, title="Terms", url_path="terms"),
    st.Page(log_page.render_page, title="Log", url_path="log"),
]
st.navigation(pages).run()
