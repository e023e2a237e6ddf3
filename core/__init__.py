"""Pure rules both sides share: the catalog loader, period arithmetic, Vietnamese formats,
how the published snapshot is opened. Imports neither ``data_sources`` nor ``queries``."""
