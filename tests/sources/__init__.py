"""Tests of the record sources: Crossref adapter, pacing, answer cache."""
