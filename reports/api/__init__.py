"""The REST API of certificates, verification, watchlists and webhooks (under /api/v1/)."""
