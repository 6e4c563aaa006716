"""The provider registry (承接主体名录): qualifications, credit records and the blacklist that finance keeps.

``credit`` writes and answers "is this provider banned on this day?"; ``directory`` reads a provider's
whole entry for the pages and the API. Both build on the organizations of ``engine.identity``.
"""
