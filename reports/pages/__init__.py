"""The HTML pages of certificates, public verification, watchlists and webhooks."""
