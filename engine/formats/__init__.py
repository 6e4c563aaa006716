"""Untrusted files, read safely: hardened XML (``xmlsafe``), deploy bundles from folders and zips
(``bundles``), form-js forms — their schema, submissions checked against it, example answers (``forms``) —
and sheets to import, CSV or .xlsx (``sheets``): of organizations (``organization_sheet``) and of the
guidance catalogue (``catalogue_sheet``).

Every refusal names the file, the element or the field; nothing here touches the database.
"""
