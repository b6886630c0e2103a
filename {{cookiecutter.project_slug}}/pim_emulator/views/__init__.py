"""Flask views, one module per area of the PIM: App Store pages, Connect (OAuth/OpenID), REST API,
and the emulator's own control API."""
