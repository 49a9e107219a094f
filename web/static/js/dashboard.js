// dashboard.js — the staff dashboard (built by the dashboard work).
