"""The baseline of benchmarks/ui.py: the least a Streamlit page can do with an offer."""

import streamlit as st

with st.form("offer", clear_on_submit=True, border=False):
    text = st.text_input("The payer's offer")
    st.form_submit_button("Answer")
if text:
    st.markdown(f":orange-badge[DECLINE {text}]")
