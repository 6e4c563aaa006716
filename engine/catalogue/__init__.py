"""The guidance catalogue (政府购买服务指导性目录): per-locality items with the years they are in effect.

``entries`` reads and writes the items (a city runs on the region's and its own, codes checked for their
nesting and for clashes along the line of localities, imports all or none); ``keeping`` says who keeps a
locality's catalogue and checks it on every change. Applications name an item by its code; the start and
completion commands check it (``engine.commands.catalogue_choice``).
"""
