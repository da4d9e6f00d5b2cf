"""sca-rates in the browser: `make run`. This script only configures the page and routes."""

import streamlit as st

from sca_rates.ui import cost_page

st.set_page_config(page_title="sca-rates", layout="wide")
st.navigation([st.Page(cost_page.render, title="Cost model", url_path="cost", default=True)]).run()
