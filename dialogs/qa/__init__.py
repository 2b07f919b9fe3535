"""Q&A on the cooperation agreement: answers from stored facts, clauses and plug-in sources."""
