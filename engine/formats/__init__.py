"""Untrusted files, read safely: hardened XML (``xmlsafe``), deploy bundles from folders and zips
(``bundles``) and form-js forms — their schema, submissions checked against it, example answers (``forms``).

Every refusal names the file, the element or the field; nothing here touches the database.
"""
