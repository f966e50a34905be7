"""Tests of the reporters (citecheck/report/)."""
