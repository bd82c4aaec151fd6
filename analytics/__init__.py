"""Call-center analytics: everything the dashboard computes, importable without Streamlit."""
