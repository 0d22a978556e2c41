"""The web preview source: public channels read from t.me/s/<username> with no account.

page.py parses (pure), entities.py rebuilds text formatting, client.py fetches politely,
source.py implements monitor.sources.Source on top of them.
"""
