"""Turning files curators collect into clean, deduplicated draft articles.

reading   -> bytes to text, size and binary checks, format sniffing
plaintext -> page text copied from a browser
html      -> saved web pages
jsonl     -> exports of other tools, one article object a line
service   -> matching outlets, deduplication, versions, stories, suggestions
"""
