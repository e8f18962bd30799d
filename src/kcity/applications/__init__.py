"""Proposals: intake, documents, submission receipts, screening and the proposal lifecycle."""
