"""Safety rules that turn the journal and the knowledge base into alerts, each with its sources."""
