/* The live dashboard page served at GET /: one self-contained HTML
 * document (no external assets) that follows GET /events (Server-Sent
 * Events, one JSON snapshot a second). */
#ifndef WD_DASHBOARD_H
#define WD_DASHBOARD_H

extern const char wd_dashboard_html[];

#endif
