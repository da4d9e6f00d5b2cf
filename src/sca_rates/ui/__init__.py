"""Streamlit pages: thin. Each reads its widgets, calls the core and draws the result; no page
computes a figure of its own, and a person's mistake is an ``st.error``, never a traceback."""
