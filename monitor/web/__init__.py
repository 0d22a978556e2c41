"""The analyst desk: server-rendered pages over the services (see ARCHITECTURE.md)."""
