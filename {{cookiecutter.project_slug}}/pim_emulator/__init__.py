"""A local stand-in for an Akeneo PIM: App Store, App activation (OAuth + OpenID) and the product API.

A development tool that lives beside the App, not inside it; production images do not ship it.
"""
