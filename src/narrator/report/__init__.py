"""Findings and drafts as output: text, markdown, json, html, docx and charts."""
