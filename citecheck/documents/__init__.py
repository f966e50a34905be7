"""Document readers: one per input family, each turning a file into citations and raw entries."""
