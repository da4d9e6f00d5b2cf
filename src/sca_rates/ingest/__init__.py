"""Importers of public files into ``market_data/`` rows."""
