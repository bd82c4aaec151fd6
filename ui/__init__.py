"""Presentation shared by the pages: language, filters, KPI cards, charts, tables."""
